// A real HAProxy (Debian's /usr/sbin/haproxy) of the test's own: a generated config on a free port,
// round-robin over the given backends, health-checking each one's /readyz. Self-contained (node built-ins
// only) so it can move into a test kit.
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort } from "./ports.js";

export const HAPROXY_BIN = process.env.HAPROXY_BIN ?? "/usr/sbin/haproxy";

export interface HaproxyOptions {
  /** host:port of each API process (fixed for the balancer's life: a restarted process reuses its port). */
  backends: string[];
  /** Health-check period (default 200 ms); two failed checks take a server out, one good one puts it back. */
  checkIntervalMs?: number;
}

export interface Haproxy {
  readonly url: string;
  /** Servers as HAProxy sees them now: name -> "UP" | "DOWN" | … (from its stats CSV). */
  status(): Promise<Record<string, string>>;
  /** Resolves once every named server (default: all) is in `state`. */
  waitFor(state: "UP" | "DOWN", servers?: string[], withinMs?: number): Promise<void>;
  stop(): Promise<void>;
}

export function haproxyAvailable(): boolean {
  return existsSync(HAPROXY_BIN);
}

/** The name HAProxy gives backend `i` (0-based): api1, api2, … */
export const serverName = (i: number) => `api${i + 1}`;

export async function startHaproxy({ backends, checkIntervalMs = 200 }: HaproxyOptions): Promise<Haproxy> {
  const dir = await mkdtemp(join(tmpdir(), "todo-haproxy-"));
  const [port, statsPort] = [await freePort(), await freePort()];
  const config = [
    "global",
    "  maxconn 2000",
    "defaults",
    "  mode http",
    "  timeout connect 2s",
    "  timeout client 30s",
    "  timeout server 30s",
    // A request whose connection failed, or that got no byte of answer on a connection the server was
    // closing, was never processed: it is retried, on another server (redispatch).
    "  retries 3",
    "  option redispatch 1",
    "  retry-on conn-failure empty-response",
    "frontend api",
    `  bind 127.0.0.1:${port}`,
    // The client's address for the API's per-address limits (behind TRUST_PROXY=loopback).
    "  option forwardfor",
    "  default_backend apis",
    "frontend stats",
    `  bind 127.0.0.1:${statsPort}`,
    "  stats enable",
    "  stats uri /stats",
    "backend apis",
    "  balance roundrobin",
    "  option httpchk GET /readyz",
    "  http-check expect status 200",
    // Two failed checks take a server out (one slow answer on a loaded machine must not), one good one puts
    // it back; a check may take 2 s (HAProxy's default would be the interval itself).
    "  timeout check 2s",
    `  default-server inter ${checkIntervalMs} fastinter ${checkIntervalMs} downinter ${checkIntervalMs} fall 2 rise 1`,
    ...backends.map((address, i) => `  server ${serverName(i)} ${address} check`),
    "",
  ].join("\n");
  const file = join(dir, "haproxy.cfg");
  await writeFile(file, config);
  // -db: foreground, logs to stderr; -W not needed (no reloads).
  const child: ChildProcess = spawn(HAPROXY_BIN, ["-db", "-f", file], { stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  child.stderr!.setEncoding("utf8").on("data", (chunk: string) => {
    stderr += chunk;
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));

  const status = async (): Promise<Record<string, string>> => {
    const csv = await get(`http://127.0.0.1:${statsPort}/stats;csv`);
    const result: Record<string, string> = {};
    for (const line of csv.split("\n")) {
      const cells = line.split(",");
      if (cells[0] === "apis" && cells[1] && cells[1] !== "BACKEND") result[cells[1]] = cells[17] ?? "";
    }
    return result;
  };
  const instance: Haproxy = {
    url: `http://127.0.0.1:${port}`,
    status,
    async waitFor(state, servers = backends.map((_, i) => serverName(i)), withinMs = 20_000) {
      const started = performance.now();
      for (;;) {
        const now = await status().catch(() => ({}) as Record<string, string>);
        if (servers.every((s) => now[s]?.startsWith(state))) return;
        if (performance.now() - started > withinMs) {
          throw new Error(`HAProxy: expected ${servers.join(", ")} ${state}, saw ${JSON.stringify(now)}; ${stderr}`);
        }
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
      await exited;
      await rm(dir, { recursive: true, force: true });
    },
  };
  const started = performance.now();
  for (;;) {
    if (child.exitCode !== null) {
      await rm(dir, { recursive: true, force: true });
      throw new Error(`haproxy exited at start: ${stderr}`);
    }
    if (
      await status().then(
        () => true,
        () => false,
      )
    )
      return instance;
    if (performance.now() - started > 10_000) {
      await instance.stop();
      throw new Error(`haproxy did not start within 10 s: ${stderr}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

function get(url: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent: false }, (res) => {
      let text = "";
      res.setEncoding("utf8").on("data", (chunk: string) => {
        text += chunk;
      });
      res.on("end", () => (res.statusCode === 200 ? resolve(text) : reject(new Error(`stats: ${res.statusCode}`))));
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end();
  });
}
