// The production server: Next.js through its custom-server API on node:http, so that every request's
// X-Forwarded-For ends with the TCP peer. `next start` keeps a browser-sent X-Forwarded-For as it is (it only
// fills the header when absent), which would let a browser choose the address the API's limits count.
import { createServer } from "node:http";
import next from "next";
import type { WebEnv } from "../src/env";
import { appendPeer, markPeerAppended } from "../src/lib/client-address";

export async function serveProduction(dir: string, env: WebEnv): Promise<void> {
  const app = next({ dev: false, dir });
  const handle = app.getRequestHandler();
  await app.prepare();
  markPeerAppended();
  const server = createServer((req, res) => {
    req.headers["x-forwarded-for"] = appendPeer(req.headers["x-forwarded-for"], req.socket.remoteAddress);
    handle(req, res).catch((err: unknown) => {
      console.error("web app: unhandled error", err);
      if (!res.headersSent) res.writeHead(500, { "content-type": "text/plain" });
      res.end("Internal Server Error");
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(env.WEB_PORT, env.WEB_HOST, () => resolve());
  });
  console.log(`web app: listening on http://${env.WEB_HOST ?? "localhost"}:${env.WEB_PORT}`);
  for (const signal of ["SIGINT", "SIGTERM"] as const)
    process.on(signal, () => {
      server.close();
      app.close().finally(() => process.exit(0));
    });
}
