import { describe, expect, it } from "vitest";
import { forOlderServers } from "./pglite-dump.js";

describe("forOlderServers", () => {
  it("runs settings older servers lack only where they exist, and leaves everything else alone", () => {
    const dump = [
      "SET statement_timeout = 0;",
      "SET transaction_timeout = 0;",
      "SET client_encoding = 'UTF8';",
      "--",
      "-- Name: tasks; Type: TABLE; Schema: public; Owner: -",
      "INSERT INTO public.tasks VALUES ('two lines",
      "SET transaction_timeout = 0;');",
    ].join("\n");
    expect(forOlderServers(dump).split("\n")).toEqual([
      "SET statement_timeout = 0;",
      "SELECT pg_catalog.set_config('transaction_timeout', '0', false) WHERE current_setting('server_version_num')::int >= 170000;",
      "SET client_encoding = 'UTF8';",
      "--",
      "-- Name: tasks; Type: TABLE; Schema: public; Owner: -",
      "INSERT INTO public.tasks VALUES ('two lines",
      "SET transaction_timeout = 0;');",
    ]);
  });
});
