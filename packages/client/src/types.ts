import type { Contract } from "@todo/contract";
import type { z } from "zod/v3";

// The client's types, computed from the contract with zod/v3's own inference. Not ts-rest's client types: those
// resolve `zod` from wherever @ts-rest/core is installed, and in an app on zod 4 that is zod 4, which cannot infer
// the contract's zod/v3 schemas (every body would be typed as the schema object). zod/v3 exists in zod 3.25+ and 4.x.

type Schema = z.ZodTypeAny;
/** A response's body: what the schema outputs; `c.noBody()` (204) has none. */
type Output<T> = T extends Schema ? z.output<T> : undefined;

/** Statuses an HTTP server may send; those a route does not declare come back with `body: unknown`. */
type HttpStatus =
  | 100
  | 101
  | 102
  | 103
  | 200
  | 201
  | 202
  | 203
  | 204
  | 205
  | 206
  | 207
  | 208
  | 226
  | 300
  | 301
  | 302
  | 303
  | 304
  | 305
  | 307
  | 308
  | 400
  | 401
  | 402
  | 403
  | 404
  | 405
  | 406
  | 407
  | 408
  | 409
  | 410
  | 411
  | 412
  | 413
  | 414
  | 415
  | 416
  | 417
  | 418
  | 421
  | 422
  | 423
  | 424
  | 425
  | 426
  | 428
  | 429
  | 431
  | 451
  | 500
  | 501
  | 502
  | 503
  | 504
  | 505
  | 506
  | 507
  | 508
  | 510
  | 511;

interface ContractRoute {
  responses: Record<number, unknown>;
}

/** What a route function resolves to: one member per declared status (narrow on `status`), plus the rest. */
export type RouteResponse<R extends ContractRoute> =
  | {
      [S in keyof R["responses"] & number]: { status: S; body: Output<R["responses"][S]>; headers: Headers };
    }[keyof R["responses"] & number]
  | { status: Exclude<HttpStatus, keyof R["responses"]>; body: unknown; headers: Headers };

type InputOf<T> = T extends Schema ? z.input<T> : never;
type ParamsArg<R> = R extends { pathParams: Schema } ? { params: InputOf<R["pathParams"]> } : unknown;
type QueryArg<R> = R extends { query: Schema }
  ? object extends InputOf<R["query"]>
    ? { query?: InputOf<R["query"]> }
    : { query: InputOf<R["query"]> }
  : unknown;
type BodyArg<R> = R extends { body: Schema } ? { body: InputOf<R["body"]> } : { body?: null };

/** What every route function accepts besides its params, query and body. */
export interface RequestOptions {
  /** Extra request headers; an `authorization` header here means the caller manages its own credentials. */
  extraHeaders?: Record<string, string | undefined>;
  fetchOptions?: RequestInit;
  cache?: RequestCache;
  /** Next.js's fetch extension (`{ revalidate, tags }`), passed through to fetch. */
  next?: { revalidate?: number | false; tags?: string[] };
}

type HeaderNames<R> = R extends { headers: Schema } ? keyof InputOf<R["headers"]> : never;

/**
 * Options for the request headers a route declares: `ifMatch` on the writes of one task, `ifNoneMatch` on reading
 * one, `idempotencyKey` on creates.
 */
export type ConditionalOptions<R> = ("if-match" extends HeaderNames<R>
  ? {
      /**
       * Change the task only if it is still this version: its `ETag` (`"3"`) or its `version` (3). Otherwise the
       * answer is 412 `PRECONDITION_FAILED` and nothing changes: the task was changed elsewhere.
       */
      ifMatch?: string | number;
    }
  : unknown) &
  ("if-none-match" extends HeaderNames<R>
    ? {
        /** The ETag (or version) the caller holds: an unchanged task answers 304 without a body. */
        ifNoneMatch?: string | number;
      }
    : unknown) &
  ("idempotency-key" extends HeaderNames<R>
    ? {
        /**
         * The create's `Idempotency-Key`. The client makes a new one for each call when it is left out; give your
         * own to make a create safe to repeat across calls (e.g. an id saved with an offline draft).
         */
        idempotencyKey?: string;
      }
    : unknown);

export type RouteArgs<R> = ParamsArg<R> & QueryArg<R> & BodyArg<R> & ConditionalOptions<R> & RequestOptions;

type RouteFunction<R extends ContractRoute> =
  object extends RouteArgs<R>
    ? (args?: RouteArgs<R>) => Promise<RouteResponse<R>>
    : (args: RouteArgs<R>) => Promise<RouteResponse<R>>;

/** Every contract route as a typed function: `api.tasks.list({ params: { userId } })` and so on. */
export type TodoApi = {
  [G in keyof Contract]: {
    [N in keyof Contract[G]]: Contract[G][N] extends ContractRoute ? RouteFunction<Contract[G][N]> : never;
  };
};
