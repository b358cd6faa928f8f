import { describe, expect, it } from "vitest";
import { checkServerActionCall, isServerActionCall } from "./action-request";

const call = (body: BodyInit, contentType?: string) =>
  new Request("http://web.test/tasks", {
    method: "POST",
    headers: { "next-action": "abc123", ...(contentType && { "content-type": contentType }) },
    body,
  });
const verdict = async (request: Request) => (await checkServerActionCall(request)).ok;

describe("Server Action calls", () => {
  it("are the POSTs that carry Next-Action", () => {
    expect(isServerActionCall(call("[]", "text/plain"))).toBe(true);
    expect(isServerActionCall(new Request("http://web.test/tasks", { method: "POST", body: "x" }))).toBe(false);
  });

  it("pass with the argument lists browsers send", async () => {
    for (const body of [
      '[{"title":"Buy milk","description":""}]',
      '["0b7c…","$undefined"]',
      '["$$ a title that starts with a dollar", "$D2026-01-01T00:00:00.000Z", "$n12", "$NaN", "$-0"]',
      "[]",
    ]) {
      expect(await verdict(call(body, "text/plain;charset=UTF-8")), body).toBe(true);
    }
    // A sign-in form: the previous state and a FormData (React's encodeReply for useActionState).
    const form = new FormData();
    form.append("0", '[{"email":"","fieldErrors":{},"formError":null},"$K1"]');
    form.append("_1_$ACTION_KEY", "k0123");
    form.append("_1_email", "ada@example.com");
    form.append("_1_password", "correct horse battery");
    expect(await verdict(call(form))).toBe(true);
  });

  it("fail with anything React could not decode", async () => {
    for (const body of ["", "not json", "{", '{"title":"x"}', '["$Q1"]', '["$1"]', '["$@0"]', '["$K1"]', '["$h5"]']) {
      expect(await verdict(call(body, "text/plain")), body).toBe(false);
    }
    expect(await verdict(call("[null]", "application/json"))).toBe(false);
    const garbage = new FormData();
    garbage.append("0", "[garbage");
    expect(await verdict(call(garbage))).toBe(false);
    const dangling = new FormData();
    dangling.append("0", '[{},"$K2"]');
    dangling.append("_1_email", "x");
    expect(await verdict(call(dangling))).toBe(false);
    const noRoot = new FormData();
    noRoot.append("_1_email", "x");
    expect(await verdict(call(noRoot))).toBe(false);
    const deep = `${"[".repeat(100)}${"]".repeat(100)}`;
    expect(await verdict(call(deep, "text/plain"))).toBe(false);
  });
});
