// The statement timeout without a startup parameter, so that it also holds behind PgBouncer in transaction
// mode (Neon's pooled connection string): PgBouncer refuses `statement_timeout` in the startup packet
// ("unsupported startup parameter") unless told to ignore it, and then it would silently not apply; a
// `SET` on the session would leak onto whichever client gets that server connection next. So:
//
// - every statement gets a deadline in this process: when it passes, a CancelRequest goes to the server
//   (PgBouncer forwards it to the server connection running the statement), which ends the statement with
//   57014 `query_canceled` and leaves the connection usable; should no answer come within
//   CANCEL_GRACE_MS after that (a lost cancel, a dead network), the connection is closed under the
//   statement, which then fails and the pool discards the connection;
// - every transaction also bounds itself on the server: `BEGIN` (or `START TRANSACTION …`) is sent as
//   `BEGIN; SET LOCAL statement_timeout = …` (one simple-protocol message, no extra round trip), and the
//   setting ends with the transaction, so nothing leaks to the next user of the server connection.
//
// Statements stay unnamed (the extended protocol's unnamed prepared statement, parsed and run in one
// round trip) unless `prepare` is on: named ones would outlive the transaction on a server connection the
// next transaction may not get (PgBouncer 1.18 has no protocol-level prepared statements in transaction mode).
// With `prepare` (a direct connection, `DB_PREPARED_STATEMENTS`), the hot queries (db/compiled-once.ts) are
// named: each server connection parses and plans them once and then only binds and runs them.
import pg from "pg";
import { preparedStatementName } from "./compiled-once.js";

/** After the cancel request: how long a statement may still take before its connection is closed. */
export const CANCEL_GRACE_MS = 2_000;
/** How long a cancel request's own connection may take (it is closed after that, sent or not). */
const CANCEL_CONNECTION_MS = 5_000;

/** A statement that only opens a transaction (with or without its modes), and nothing else. */
const TRANSACTION_START = /^\s*(BEGIN|START\s+TRANSACTION)\b[^;]*;?\s*$/i;

type Callback = (err: Error | null, result?: unknown) => void;
interface PendingQuery {
  text?: string;
  name?: string;
  callback?: Callback;
}

interface RawConnection {
  connect(portOrPath: number | string, host?: string): void;
  requestSsl(): void;
  cancel(processID: number, secretKey: number): void;
}

/** The pg.Client the pool should make (pg.Pool's `Client` option): every statement bounded by `timeoutMs`. */
export function boundedClient(timeoutMs: number, { prepare = false }: { prepare?: boolean } = {}): typeof pg.Client {
  const setLocal = `SET LOCAL statement_timeout = ${Math.floor(timeoutMs)}`;
  class BoundedClient extends pg.Client {
    // Submittables (cursors, streams) pass through as they are; everything else becomes a Query of ours,
    // so that its callback is known and can stop the timers.
    // biome-ignore lint/suspicious/noExplicitAny: pg.Client's query has a dozen overloads; this one takes them all.
    override query(config: any, values?: unknown, callback?: unknown): any {
      if (config === null || config === undefined || typeof config.submit === "function") {
        return super.query(config, values as never, callback as never);
      }
      const query = new pg.Query(config, values as never, callback as never) as unknown as PendingQuery;
      // Prisma's `BEGIN`, Kysely's `begin` / `start transaction isolation level …`: a transaction's first words.
      if (typeof query.text === "string") {
        if (TRANSACTION_START.test(query.text)) query.text = `${query.text.replace(/;\s*$/, "")}; ${setLocal}`;
        else if (prepare && query.name === undefined) query.name = preparedStatementName(query.text);
      }
      let result: Promise<unknown> | undefined;
      if (!query.callback) {
        result = new Promise((resolve, reject) => {
          query.callback = (err, res) => (err ? reject(err) : resolve(res));
        });
      }
      const answer = query.callback!;
      let hardStop: NodeJS.Timeout | undefined;
      const deadline = setTimeout(() => {
        this.sendCancel();
        hardStop = setTimeout(() => this.connection.stream.destroy(), CANCEL_GRACE_MS);
      }, timeoutMs);
      query.callback = (err, res) => {
        clearTimeout(deadline);
        clearTimeout(hardStop);
        // The server reports our cancel as "due to user request"; say what it was, as PostgreSQL's own
        // statement_timeout does, so that logs and alerts read the same either way.
        if (hardStop !== undefined && err && (err as { code?: unknown }).code === "57014") {
          err.message = "canceling statement due to statement timeout";
        }
        answer(err, res);
      };
      super.query(query as unknown as pg.Query);
      return result;
    }

    /**
     * A CancelRequest on a connection of its own (TLS when this one is), as PostgreSQL's protocol has it. It
     * ends whatever statement this connection's server process is running; the pool lends a connection to
     * one user at a time, who waits for each statement, so that is the late one.
     */
    private sendCancel(): void {
      const self = this as unknown as {
        processID: number | null;
        secretKey: number | null;
        ssl: unknown;
        host: string;
        port: number;
      };
      const { processID, secretKey } = self;
      if (processID === null || secretKey === null) return;
      // @types/pg leaves out the protocol methods of Connection; these are pg's own (lib/connection.js).
      const con = new pg.Connection({ ssl: self.ssl } as ConstructorParameters<
        typeof pg.Connection
      >[0]) as pg.Connection & RawConnection;
      const send = () => con.cancel(processID, secretKey);
      const close = setTimeout(() => con.stream.destroy(), CANCEL_CONNECTION_MS);
      close.unref();
      con.on("connect", () => (self.ssl ? con.requestSsl() : send()));
      con.on("sslconnect", send);
      // The server closes the connection once it has read the request; nothing else can be done on error.
      con.on("error", () => undefined);
      con.on("end", () => clearTimeout(close));
      if (self.host.startsWith("/")) con.connect(`${self.host}/.s.PGSQL.${self.port}`);
      else con.connect(self.port, self.host);
    }
  }
  return BoundedClient;
}
