import type { PGlite } from "@electric-sql/pglite";
import { pgDump } from "@electric-sql/pglite-tools/pg_dump";

/**
 * A plain SQL dump of an embedded database, made by PGlite's own build of pg_dump, that psql loads into an
 * empty PostgreSQL database. Roles and grants are left out (`--no-owner --no-privileges`): the target's own
 * role owns what it loads, whatever it is called (Neon's is not "postgres").
 */
export async function dumpPglite(client: PGlite): Promise<string> {
  const file = await pgDump({ pg: client, args: ["--no-owner", "--no-privileges", "--rows-per-insert=1000"] });
  return forOlderServers(await file.text());
}

/**
 * PGlite is PostgreSQL 18; its pg_dump sets parameters that older servers do not know (an error there, and
 * psql -v ON_ERROR_STOP=1 stops on it). Each such SET is kept, but only runs on a server that has it.
 */
const NEWER_SETTINGS: Record<string, number> = { transaction_timeout: 170_000 };

export function forOlderServers(dump: string): string {
  // Only the preamble, before the first object: a task's text may hold any line at all.
  const firstObject = dump.indexOf("\n-- Name: ");
  const end = firstObject === -1 ? dump.length : firstObject;
  return forOlderServersPreamble(dump.slice(0, end)) + dump.slice(end);
}

function forOlderServersPreamble(preamble: string): string {
  return preamble.replace(/^SET ([a-z_]+) = (.+);$/gm, (line, name: string, value: string) => {
    const since = NEWER_SETTINGS[name];
    if (since === undefined) return line;
    return `SELECT pg_catalog.set_config('${name}', ${quoteValue(value)}, false) WHERE current_setting('server_version_num')::int >= ${since};`;
  });
}

const quoteValue = (value: string): string => (value.startsWith("'") ? value : `'${value}'`);
