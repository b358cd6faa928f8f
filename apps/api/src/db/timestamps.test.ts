import pg from "pg";
import { describe, expect, it } from "vitest";
import { parseTimestamptz, TIMESTAMPTZ_OID } from "./timestamps.js";

const pgParse = pg.types.getTypeParser(TIMESTAMPTZ_OID, "text") as (value: string) => Date;
/** A Date as its instant (or NaN), anything else (pg reads `infinity` as a string) as itself. */
const shown = (value: unknown) =>
  value instanceof Date ? (Number.isNaN(value.getTime()) ? "NaN" : value.toISOString()) : String(value);
const same = (text: string) => expect(shown(parseTimestamptz(text)), text).toBe(shown(pgParse(text)));

describe("parseTimestamptz", () => {
  it("reads what PostgreSQL sends in UTC exactly as pg's parser does, for every fraction length", () => {
    for (const text of [
      "2026-12-03 07:40:12+00",
      "2026-12-03 07:40:12.1+00",
      "2026-12-03 07:40:12.12+00",
      "2026-12-03 07:40:12.123+00",
      "2026-12-03 07:40:12.1234+00",
      "2026-12-03 07:40:12.999999+00",
      "2024-02-29 23:59:59.000001+00",
      "1970-01-01 00:00:00+00",
      "0100-01-01 00:00:00+00",
      "9999-12-31 23:59:59.999999+00",
    ]) {
      same(text);
    }
  });

  it("agrees with pg's parser on random instants", () => {
    for (let i = 0; i < 5_000; i++) {
      const ms = Math.floor(Math.random() * 8e12) - 2e12;
      const iso = new Date(ms).toISOString();
      const micros = String(Math.floor(Math.random() * 1000)).padStart(3, "0");
      const fraction = `${iso.slice(20, 23)}${micros}`.slice(0, 1 + (i % 6));
      same(`${iso.slice(0, 10)} ${iso.slice(11, 19)}${i % 7 === 0 ? "" : `.${fraction}`}+00`);
    }
  });

  it("hands every other form to pg's parser", () => {
    for (const text of [
      "2026-12-03 07:40:12.123456+05:30",
      "2026-12-03 07:40:12-08",
      "2026-12-03 07:40:12+00:00:15",
      "0001-01-01 00:00:00+00 BC",
      "0099-06-01 12:00:00+00",
      "12026-12-03 07:40:12+00",
      "infinity",
      "-infinity",
    ]) {
      same(text);
    }
  });
});
