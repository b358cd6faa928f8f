// What the Vitest projects provide to their tests (`inject("database")`), declared once for every package.
declare module "vitest" {
  export interface ProvidedContext {
    /** The database engine of the Vitest project: the http and process kinds run once on each. */
    database: "pglite" | "postgres";
    /** On the PostgreSQL projects: the run's migrated database (postgres-global-setup.ts). */
    databaseUrl: string | undefined;
  }
}

export {};
