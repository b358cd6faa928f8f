import type { AddressInfo } from "node:net";
import { setTimeout as delay } from "node:timers/promises";
import { type ParsedMail, simpleParser } from "mailparser";
import { SMTPServer } from "smtp-server";

export interface SmtpPeer {
  /** `smtp://user:pass@127.0.0.1:<port>`: what SMTP_URL is set to. */
  url: string;
  /** Every mail received so far, parsed. */
  mails: ParsedMail[];
  /** Resolves with the first received mail to `to` (after `after` mails of it), or rejects after `timeoutMs`. */
  waitForMail(to: string, timeoutMs?: number, after?: number): Promise<ParsedMail>;
  /** Mails received for `to` so far. */
  mailsTo(to: string): ParsedMail[];
  /** Holds each new connection this long before greeting it (a slow mail server); 0 to stop. */
  setGreetingDelay(ms: number): void;
  /** Refuses each message with a temporary failure (451) while true. */
  setRefusing(refusing: boolean): void;
  close(): Promise<void>;
}

const USER = "mailer";
const PASS = "mail-secret";

const recipients = (mail: ParsedMail): string[] =>
  [mail.to ?? []].flat().flatMap((address) => address.value.map((v) => v.address?.toLowerCase() ?? ""));

/**
 * A real SMTP server (the `smtp-server` package) on a free loopback port, which parses every mail it accepts
 * with `mailparser`: the receiving end of the API's password-reset mails in tests. Requires AUTH with the
 * credentials in its URL, as a production relay would.
 */
export async function startSmtpPeer(): Promise<SmtpPeer> {
  const mails: ParsedMail[] = [];
  const waiters = new Set<() => void>();
  let greetingDelayMs = 0;
  let refusing = false;
  const server = new SMTPServer({
    authOptional: false,
    allowInsecureAuth: true,
    disabledCommands: ["STARTTLS"],
    logger: false,
    onAuth(auth, _session, callback) {
      if (auth.username === USER && auth.password === PASS) callback(null, { user: USER });
      else callback(new Error("Invalid username or password"));
    },
    onConnect(_session, callback) {
      if (greetingDelayMs === 0) callback();
      else delay(greetingDelayMs).then(() => callback());
    },
    onData(stream, _session, callback) {
      simpleParser(stream).then(
        (mail) => {
          if (refusing) {
            callback(Object.assign(new Error("Try again later"), { responseCode: 451 }));
            return;
          }
          mails.push(mail);
          for (const wake of waiters) wake();
          callback();
        },
        (err: Error) => callback(err),
      );
    },
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.server.address() as AddressInfo;
  const mailsTo = (to: string) => mails.filter((mail) => recipients(mail).includes(to.toLowerCase()));

  return {
    url: `smtp://${USER}:${PASS}@127.0.0.1:${port}`,
    mails,
    mailsTo,
    async waitForMail(to, timeoutMs = 10_000, after = 0) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = mailsTo(to)[after];
        if (found) return found;
        const left = deadline - Date.now();
        if (left <= 0) throw new Error(`no mail to ${to} within ${timeoutMs} ms`);
        await new Promise<void>((resolve) => {
          const wake = () => {
            waiters.delete(wake);
            resolve();
          };
          waiters.add(wake);
          setTimeout(wake, Math.min(left, 200));
        });
      }
    },
    setGreetingDelay(ms) {
      greetingDelayMs = ms;
    },
    setRefusing(value) {
      refusing = value;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** The reset link in a mail's text part, and its token. */
export function resetLinkOf(mail: ParsedMail): { link: URL; token: string } {
  const match = /(https?:\/\/\S+\/reset-password\?token=\S+)/.exec(mail.text ?? "");
  if (!match?.[1]) throw new Error(`no reset link in: ${mail.text}`);
  const link = new URL(match[1]);
  const token = link.searchParams.get("token");
  if (!token) throw new Error("reset link without a token");
  return { link, token };
}
