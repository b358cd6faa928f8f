/**
 * A first look at Server Action calls, in the proxy, before Next.js decodes them. Next.js answers 500 to any
 * body React cannot decode (not JSON, a reference to a part that is not there, an empty body), which would make
 * a client's mistake look like our failure; so a call whose body is not what a browser running this app sends
 * gets a 400 here. What passes is then decoded by React and parsed by each action with the contract's schemas
 * (lib/action-input.ts).
 *
 * What browsers send (React's `encodeReply`): plain JSON-like arguments as `text/plain`, a JSON array; anything
 * holding FormData (the sign-in and sign-up forms) as `multipart/form-data`, the arguments in field `0` and each
 * FormData's entries under `_<id>_<name>`, referred to as `"$K<id>"`. Only the self-contained special strings
 * (`$$…` escapes, `$undefined`, `$D<date>`, `$n<bigint>`, `$NaN`, `$Infinity`, `$-Infinity`, `$-0`) and, in
 * multipart bodies, references to parts that exist are accepted.
 */
const SELF_CONTAINED = /^\$(?:\$|undefined$|NaN$|Infinity$|-Infinity$|-0$|D|n-?\d+$)/;
const PART_REFERENCE = /^\$([KQW]?)([0-9a-f]+)$/;

type Verdict = { ok: true } | { ok: false; reason: string };

/** The request needs a look: a fetch-style Server Action call (Next.js sends these with `Next-Action`). */
export const isServerActionCall = (request: Request): boolean =>
  request.method === "POST" && request.headers.has("next-action");

export async function checkServerActionCall(request: Request): Promise<Verdict> {
  const type = (request.headers.get("content-type") ?? "").split(";")[0]!.trim().toLowerCase();
  try {
    if (type === "text/plain") return checkArguments(await request.text(), () => false);
    if (type === "multipart/form-data") {
      const form = await request.formData();
      const names = [...form.keys()];
      // As React's decodeReply looks them up: a FormData's entries under `_<hex id>_`, a part under its decimal id.
      const exists = (kind: string, hexId: string) =>
        kind === "K"
          ? names.some((name) => name.startsWith(`_${hexId}_`))
          : form.has(Number.parseInt(hexId, 16).toString());
      const root = form.get("0");
      if (typeof root !== "string") return { ok: false, reason: "no arguments" };
      for (const [name, value] of form) {
        if (!/^\d+$/.test(name)) continue; // FormData entries (`_<id>_<name>`) are data, not models
        if (typeof value !== "string") return { ok: false, reason: "a file where a model belongs" };
        const verdict = checkModel(value, name === "0", exists);
        if (!verdict.ok) return verdict;
      }
      return { ok: true };
    }
  } catch {
    return { ok: false, reason: "unreadable body" };
  }
  return { ok: false, reason: `unexpected content type ${type || "(none)"}` };
}

function checkArguments(text: string, exists: (kind: string, id: string) => boolean): Verdict {
  return checkModel(text, true, exists);
}

function checkModel(text: string, isRoot: boolean, exists: (kind: string, id: string) => boolean): Verdict {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { ok: false, reason: "not JSON" };
  }
  if (isRoot && !Array.isArray(value)) return { ok: false, reason: "arguments are not a list" };
  const bad = findBadString(value, exists, 0);
  return bad === null ? { ok: true } : { ok: false, reason: bad };
}

function findBadString(value: unknown, exists: (kind: string, id: string) => boolean, depth: number): string | null {
  if (depth > 32) return "nested too deeply";
  if (typeof value === "string") {
    if (!value.startsWith("$") || SELF_CONTAINED.test(value)) return null;
    const reference = PART_REFERENCE.exec(value);
    return reference && exists(reference[1]!, reference[2]!) ? null : "a reference to nothing";
  }
  if (value === null || typeof value !== "object") return null;
  for (const item of Array.isArray(value) ? value : Object.values(value)) {
    const bad = findBadString(item, exists, depth + 1);
    if (bad) return bad;
  }
  return null;
}
