import { AggregatorRegistry, Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";
import type { PoolStats } from "../db/database.js";

/** What the gauges read when scraped (nothing is sampled between scrapes). */
export interface MetricsSources {
  pool(): PoolStats;
  hashQueue(): { queued: number; running: number };
}

/** A route label for requests no contract route matched (404s, bodies refused before routing, /docs). */
export const UNMATCHED_ROUTE = "unmatched";

// Seconds; finer at the low end, where this API's routes live.
const DURATION_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/**
 * The process's Prometheus metrics. Label values are bounded sets: a route is its contract path template
 * (`/api/v1/:userId/tasks/:id`), never the URL, so no user id or task id reaches a label.
 */
export class Metrics {
  readonly registry = new Registry();
  private readonly requestDuration: Histogram<"method" | "route" | "status">;
  private readonly authFailures: Counter<"reason">;
  private readonly rateLimited: Counter<"limit">;

  constructor(sources: MetricsSources) {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry });
    this.requestDuration = new Histogram({
      name: "http_request_duration_seconds",
      help: "Time from the request's arrival to its response's end, by contract route template and status",
      labelNames: ["method", "route", "status"],
      buckets: DURATION_BUCKETS,
      registers,
    });
    this.authFailures = new Counter({
      name: "auth_failures_total",
      help: "Bearer authentications refused, by reason",
      labelNames: ["reason"],
      registers,
    });
    this.rateLimited = new Counter({
      name: "rate_limit_rejections_total",
      help: "Requests refused with 429, by the limit that refused them",
      labelNames: ["limit"],
      registers,
    });
    new Gauge({
      name: "db_pool_max",
      help: "Most database connections the pool may open (1 for the embedded PGlite)",
      registers,
      collect() {
        this.set(sources.pool().max);
      },
    });
    new Gauge({
      name: "db_pool_connections",
      help: "Open database connections by state (PostgreSQL pool only)",
      labelNames: ["state"],
      registers,
      collect() {
        const { total, idle } = sources.pool();
        if (total === undefined || idle === undefined) return;
        this.set({ state: "in_use" }, total - idle);
        this.set({ state: "idle" }, idle);
      },
    });
    new Gauge({
      name: "db_pool_waiting",
      help: "Queries waiting for a free database connection (PostgreSQL pool only)",
      registers,
      collect() {
        const { waiting } = sources.pool();
        if (waiting !== undefined) this.set(waiting);
      },
    });
    new Gauge({
      name: "hash_queue_depth",
      help: "Password hashing jobs waiting for a hashing thread",
      registers,
      collect() {
        this.set(sources.hashQueue().queued);
      },
    });
    new Gauge({
      name: "hash_jobs_running",
      help: "Password hashing jobs on a hashing thread",
      registers,
      collect() {
        this.set(sources.hashQueue().running);
      },
    });
  }

  observeRequest(method: string, route: string, status: number, seconds: number): void {
    this.requestDuration.observe({ method, route, status }, seconds);
  }

  authFailed = (reason: string): void => {
    this.authFailures.inc({ reason });
  };

  rateLimitRejected = (limit: string): void => {
    this.rateLimited.inc({ limit });
  };

  /** In a cluster worker: answer the primary's requests for this registry (see `clusterMetricsSource`). */
  reportToPrimary(): void {
    AggregatorRegistry.setRegistries([this.registry]);
    // Constructing one installs prom-client's worker-side message listener.
    new AggregatorRegistry();
  }
}

export interface MetricsSnapshot {
  contentType: string;
  body: string;
}

export const registrySource = (registry: Registry) => async (): Promise<MetricsSnapshot> => ({
  contentType: registry.contentType,
  body: await registry.metrics(),
});

/** In the cluster primary: every worker's metrics, summed (histograms and counters) per series. */
export function clusterMetricsSource(): () => Promise<MetricsSnapshot> {
  const aggregator = new AggregatorRegistry();
  return async () => ({ contentType: aggregator.contentType, body: await aggregator.clusterMetrics() });
}
