import type { Compilable, CompiledQuery } from "kysely";

/** Most distinct hot statements given a name (each server connection keeps one prepared statement per name). */
const MAX_PREPARED = 500;
const preparedNames = new Map<string, string>();

/**
 * The prepared-statement name of a hot query's SQL (one that `compiledOnce` compiled), for a PostgreSQL connection
 * that keeps prepared statements (see bounded-client.ts); undefined for any other SQL.
 */
export function preparedStatementName(sql: string): string | undefined {
  return preparedNames.get(sql);
}

/** Stands for the value named `name` while a query is compiled once (see `compiledOnce`). */
class Slot {
  constructor(readonly name: string) {}
}

/**
 * Hot queries compiled once per shape, then run with each call's values. Kysely builds its query tree, lets the
 * CamelCasePlugin rewrite it and compiles it to SQL on every call; on the task routes that was the largest piece of
 * JavaScript per request after the HTTP stack (docs/performance.md, "Follow-up, 2026-12-02 evening").
 *
 * `build(shape, values)` writes the query with Kysely as usual, with two rules: it decides the query's form only from
 * `shape` (plain data naming every choice: which filters, which sort), and it uses each of `values` only as a value
 * (never in an `if`, never spread into a list whose length would change the SQL). Compiled once per shape with
 * stand-ins for the values, the SQL is then reused with the values of each call in their places. Run the result
 * with `db.executeQuery(...)` (rows come back through the same plugins as any Kysely query), or on
 * `db.withoutPlugins()` with a renaming of one's own, as the task service does (`taskRows`). Each compiled SQL also
 * gets a prepared-statement name, which connections that keep prepared statements use to parse and plan it once.
 */
export function compiledOnce<S, V extends object, O>(
  build: (shape: S, values: V) => Compilable<O>,
): (shape: S, values: V) => CompiledQuery<O> {
  const cache = new Map<string, CompiledQuery<O>>();
  const slots = new Proxy({} as V, { get: (_target, name) => new Slot(String(name)) });
  return (shape, values) => {
    const key = typeof shape === "string" ? shape : JSON.stringify(shape);
    let compiled = cache.get(key);
    if (compiled === undefined) {
      compiled = build(shape, slots).compile();
      cache.set(key, compiled);
      if (!preparedNames.has(compiled.sql) && preparedNames.size < MAX_PREPARED) {
        preparedNames.set(compiled.sql, `todo_hot_${preparedNames.size + 1}`);
      }
    }
    return {
      ...compiled,
      parameters: compiled.parameters.map((p) => (p instanceof Slot ? (values as Record<string, unknown>)[p.name] : p)),
    };
  };
}
