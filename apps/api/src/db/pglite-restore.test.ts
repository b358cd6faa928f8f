import { describe, expect, it } from "vitest";
import { parsePlainDump } from "./pglite-restore.js";

describe("parsePlainDump", () => {
  it("turns COPY ... FROM stdin into a COPY from a blob, and drops \\restrict, \\unrestrict and comments", () => {
    const script = [
      "\\restrict abc",
      "--",
      "-- Name: tasks; Type: TABLE",
      "SET standard_conforming_strings = on;",
      "CREATE TABLE public.tasks (title text);",
      "COPY public.tasks (title) FROM stdin;",
      "a\\tb",
      "\\N",
      "\\.",
      "COPY public.users (id) FROM stdin;",
      "\\.",
      "\\unrestrict abc",
    ].join("\n");
    expect(parsePlainDump(script)).toEqual([
      { sql: "SET standard_conforming_strings = on;\nCREATE TABLE public.tasks (title text);" },
      { copy: "COPY public.tasks (title) FROM '/dev/blob';", rows: "a\\tb\n\\N\n" },
      { copy: "COPY public.users (id) FROM '/dev/blob';", rows: "" },
    ]);
  });

  it("never takes a line inside a quoted literal for a command", () => {
    const script = [
      "INSERT INTO public.tasks VALUES ('it''s",
      "\\connect other",
      "COPY x FROM stdin;",
      "-- not a comment');",
    ].join("\n");
    expect(parsePlainDump(script)).toEqual([{ sql: script }]);
  });

  it("reads function bodies as dollar-quoted strings: quotes, comments and COPY lines inside them are text", () => {
    const script = [
      "CREATE FUNCTION public.f() RETURNS trigger LANGUAGE plpgsql AS $$",
      "BEGIN",
      "  -- the owner's row: don't count it twice",
      "  RAISE NOTICE 'it''s';",
      "  RETURN NEW; END $$;",
      "CREATE FUNCTION public.g() RETURNS text LANGUAGE sql AS $body$ SELECT 'a' || $x$it's$x$ $body$;",
      "COPY public.users (id) FROM stdin;",
      "\\.",
    ].join("\n");
    expect(parsePlainDump(script)).toEqual([
      { sql: script.split("\nCOPY")[0] },
      { copy: "COPY public.users (id) FROM '/dev/blob';", rows: "" },
    ]);
    expect(() => parsePlainDump("CREATE FUNCTION f() AS $$ BEGIN")).toThrow("inside a quoted literal");
  });

  it("refuses other psql commands and unfinished scripts", () => {
    expect(() => parsePlainDump("SELECT 1;\n\\connect other")).toThrow("line 2: the psql command \\connect");
    expect(() => parsePlainDump("COPY t (a) FROM stdin;\n1")).toThrow("never end");
    expect(() => parsePlainDump("INSERT INTO t VALUES ('open")).toThrow("inside a quoted literal");
  });
});
