import type { AddressInfo } from "node:net";
import { connect, createServer, type Server } from "node:net";
import type { BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hasChromium, NO_CHROMIUM, newEmail, PASSWORD, type Stack, signIn, signUp, startStack } from "./stack";

// The browser cannot choose its source address, so each "user" reaches the web server through a TCP relay whose
// outgoing connections leave from its own loopback address: the web server sees 127.0.0.2 and 127.0.0.3 as two
// different people, as it would see two people on the internet.
let stack: Stack;
const relays: Server[] = [];
const contexts: BrowserContext[] = [];

beforeAll(async () => {
  if (!hasChromium) return console.warn(`skipping the web app's client address tests: ${NO_CHROMIUM}`);
  stack = await startStack({ RATE_LIMIT_LOGIN_PER_ACCOUNT_AND_ADDRESS: "3" });
});

afterAll(async () => {
  await Promise.all(contexts.map((c) => c.close()));
  for (const relay of relays) relay.close();
  await stack?.close();
});

/** The web app's URL as reached from `localAddress`. */
async function webFrom(localAddress: string): Promise<string> {
  const target = new URL(stack.webUrl);
  const relay = createServer((inbound) => {
    const outbound = connect({ host: target.hostname, port: Number(target.port), localAddress });
    inbound.pipe(outbound).pipe(inbound);
    inbound.on("error", () => outbound.destroy());
    outbound.on("error", () => inbound.destroy());
  });
  relays.push(relay);
  await new Promise<void>((resolve) => relay.listen(0, "127.0.0.1", resolve));
  return `http://127.0.0.1:${(relay.address() as AddressInfo).port}`;
}

async function newPage(extraHTTPHeaders?: Record<string, string>): Promise<Page> {
  const context = await stack.browser.newContext({ extraHTTPHeaders });
  contexts.push(context);
  return context.newPage();
}

const addressesLogged = (msg: string) =>
  stack.api.logs.filter((l) => l.msg === msg && String(l.route).endsWith("/auth/login")).map((l) => l.ip);

describe.skipIf(!hasChromium)("the API counts each web user's own address", () => {
  it("wrong passwords typed from one address (with a forged X-Forwarded-For) do not lock the owner out from another", async () => {
    const [attackerUrl, ownerUrl] = await Promise.all([webFrom("127.0.0.2"), webFrom("127.0.0.3")]);
    const email = newEmail("victim");
    const ownerContext = await stack.browser.newContext();
    contexts.push(ownerContext);
    await signUp(ownerContext, ownerUrl, email);
    await ownerContext.clearCookies();

    // The attacker's browser claims to be the owner (and someone else) in the header Next.js would keep.
    const attacker = await newPage({ "X-Forwarded-For": "1.2.3.4, 127.0.0.3" });
    await attacker.goto(`${attackerUrl}/sign-in`);
    for (let attempt = 1; attempt <= 3; attempt++) {
      await signIn(attacker, attackerUrl, email, `wrong password ${attempt}`);
      await attacker.getByRole("alert").getByText("Wrong email or password.").waitFor();
      await expect.poll(() => attacker.getByLabel("Password", { exact: true }).inputValue()).toBe("");
    }
    for (let attempt = 4; attempt <= 11; attempt++) {
      await signIn(attacker, attackerUrl, email, `wrong password ${attempt}`);
      await attacker.getByRole("alert").getByText("Too many attempts. Please try again in 15 minutes.").waitFor();
      await expect.poll(() => attacker.getByLabel("Password", { exact: true }).inputValue()).toBe("");
    }

    const owner = await ownerContext.newPage();
    await signIn(owner, ownerUrl, email, PASSWORD);
    await owner.waitForURL(`${ownerUrl}/tasks`);

    // The API saw the attacker's real address: neither the forged ones nor the web server's own.
    await expect.poll(() => addressesLogged("login refused: too many failures")).toHaveLength(8);
    expect(addressesLogged("authentication failed")).toEqual(["127.0.0.2", "127.0.0.2", "127.0.0.2"]);
    expect(new Set(addressesLogged("login refused: too many failures"))).toEqual(new Set(["127.0.0.2"]));
    const seen = stack.api.logs.map((l) => l.ip).filter((ip) => ip !== undefined);
    expect(seen).not.toContain("1.2.3.4");
    expect(seen).toContain("127.0.0.3");
  });
});
