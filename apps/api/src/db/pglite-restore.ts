import type { PGlite } from "@electric-sql/pglite";
import { type LineQuery, pgliteLines } from "./schema-fingerprint.js";

/** One step of a plain pg_dump script: SQL to run as it is, or a COPY with the rows that followed it. */
export type RestoreStep = { sql: string } | { copy: string; rows: string };

/**
 * Splits a plain-format pg_dump script (what psql would run) into steps PGlite can run: PGlite has no psql,
 * so `COPY ... FROM stdin` and its inline rows become a COPY from a blob, and the `\restrict`/`\unrestrict`
 * lines recent pg_dump releases write around a script are dropped. Any other psql meta-command (`\connect`,
 * from a dump of several databases) is refused. Lines inside a quoted literal (a task's description may
 * hold any text) are never taken for commands.
 */
export function parsePlainDump(script: string): RestoreStep[] {
  const steps: RestoreStep[] = [];
  const lines = script.split("\n");
  let sql: string[] = [];
  // Open at the end of the line so far: nothing, a '…' literal, or a $tag$…$tag$ body (functions, triggers).
  let open: Quote = null;
  const flush = () => {
    const text = sql.join("\n");
    if (text.trim()) steps.push({ sql: text });
    sql = [];
  };
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (open === null) {
      if (/^\\(un)?restrict\b/.test(line)) continue;
      if (line.startsWith("\\")) {
        throw new Error(`line ${i + 1}: the psql command ${line.split(/\s/)[0]} is not supported here`);
      }
      if (line.startsWith("--")) continue;
      const copy = /^COPY .+ FROM stdin;$/.exec(line);
      if (copy) {
        flush();
        const end = lines.indexOf("\\.", i + 1);
        if (end === -1) throw new Error(`line ${i + 1}: the COPY's rows never end (no "\\." line)`);
        const rows = lines.slice(i + 1, end);
        steps.push({
          copy: line.replace(/ FROM stdin;$/, " FROM '/dev/blob';"),
          rows: rows.length > 0 ? `${rows.join("\n")}\n` : "",
        });
        i = end;
        continue;
      }
    }
    sql.push(line);
    open = quoteAfter(line, open);
  }
  if (open !== null) throw new Error("the script ends inside a quoted literal: it is not a complete pg_dump script");
  flush();
  return steps;
}

/** What is open at a point of a script: nothing, a single-quoted literal, or a dollar-quoted string's tag. */
type Quote = null | "'" | { dollar: string };

/**
 * What is still open after `line`, given what was open before it. pg_dump writes literals with
 * standard_conforming_strings on (a quote inside one is doubled, which toggles twice) and function bodies as
 * dollar-quoted strings (`$$…$$`, `$tag$…$tag$`), inside which quotes mean nothing; `--` outside both starts a
 * comment to the end of the line.
 */
function quoteAfter(line: string, before: Quote): Quote {
  let open = before;
  let i = 0;
  while (i < line.length) {
    if (open === "'") {
      const end = line.indexOf("'", i);
      if (end === -1) return open;
      open = null;
      i = end + 1;
    } else if (open !== null) {
      const end = line.indexOf(open.dollar, i);
      if (end === -1) return open;
      i = end + open.dollar.length;
      open = null;
    } else {
      const rest = line.slice(i);
      const next = rest.search(/'|\$([A-Za-z_][A-Za-z0-9_]*)?\$|--/);
      if (next === -1) return null;
      const token = /^('|\$([A-Za-z_][A-Za-z0-9_]*)?\$|--)/.exec(rest.slice(next))![0];
      if (token === "--") return null;
      open = token === "'" ? "'" : { dollar: token };
      i += next + token.length;
    }
  }
  return open;
}

/**
 * Runs a plain pg_dump script against an (empty) embedded database, in one transaction. `verify` runs inside
 * it, after the script: if it throws, nothing of the script is kept.
 */
export async function restoreIntoPglite(
  client: PGlite,
  script: string,
  verify?: (query: LineQuery) => Promise<void>,
): Promise<void> {
  const steps = parsePlainDump(script);
  await client.transaction(async (tx) => {
    for (const step of steps) {
      if ("sql" in step) await tx.exec(step.sql);
      else if (step.rows) await tx.query(step.copy, [], { blob: new Blob([step.rows]) });
    }
    await verify?.(pgliteLines(tx));
  });
}
