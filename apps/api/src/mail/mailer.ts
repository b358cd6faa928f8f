import { randomUUID } from "node:crypto";
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { setTimeout as delay } from "node:timers/promises";
import nodemailer, { type Transporter } from "nodemailer";
import type { Logger } from "pino";

/** One mail to one person. */
export interface MailMessage {
  to: string;
  subject: string;
  text: string;
  html?: string;
  /** What the mail is, for logs (`password-reset`); never its content. */
  kind: string;
}

export interface MailerOptions {
  /** `smtp://user:pass@host:587` or `smtps://…`; unset: the outbox folder, or no mail at all. */
  smtpUrl: string | undefined;
  /** Without an SMTP server: write `.eml` files here (development), or undefined (production: no mail). */
  outboxDir: string | undefined;
  from: string;
  /** Attempts per mail, the first included. */
  attempts: number;
  /** Wait before the first retry; doubled after each further failure. */
  retryDelayMs: number;
  logger: Logger;
}

/**
 * Sends mail in the background: `send` returns at once, so no request waits for (or fails because of) a
 * mail server. Each mail is tried `attempts` times with exponential back-off; every failure is logged, never
 * the mail's content (a reset link is a credential). Without an SMTP server, development writes each mail
 * as an `.eml` file to the outbox folder and logs its path.
 */
export class Mailer {
  private readonly transport: Transporter | undefined;
  private readonly pending = new Set<Promise<void>>();
  private closed = false;

  constructor(private readonly options: MailerOptions) {
    if (options.smtpUrl !== undefined) {
      this.transport = nodemailer.createTransport({
        url: options.smtpUrl,
        // A mail server that accepts the connection and then says nothing must not hold a send for minutes.
        connectionTimeout: 10_000,
        greetingTimeout: 10_000,
        socketTimeout: 20_000,
      });
    } else if (options.outboxDir !== undefined) {
      this.transport = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: "unix" });
    }
  }

  /** Whether mail can be sent: an SMTP server, or the development outbox. */
  get available(): boolean {
    return this.transport !== undefined;
  }

  /** Where mail goes, for the start-up log. */
  describe(): string {
    if (this.options.smtpUrl !== undefined) {
      const url = new URL(this.options.smtpUrl);
      return `${url.protocol}//${url.host}`;
    }
    return this.options.outboxDir === undefined ? "none (SMTP_URL unset)" : `outbox ${this.options.outboxDir}`;
  }

  /** Queues the mail and returns at once; the sending (with retries) happens in the background. */
  send(message: MailMessage, log: Logger = this.options.logger): void {
    if (!this.transport || this.closed) {
      log.error({ mail: message.kind }, "mail dropped: no mail transport");
      return;
    }
    const job = this.deliver(this.transport, message, log).finally(() => this.pending.delete(job));
    this.pending.add(job);
  }

  /** Waits until every queued mail has been sent or given up, or `timeoutMs` passed. */
  async drain(timeoutMs: number): Promise<void> {
    await Promise.race([Promise.allSettled([...this.pending]), delay(timeoutMs, undefined, { ref: false })]);
  }

  /** Stops taking mail; what is queued still gets `drainMs` to go out. */
  async close(drainMs = 5_000): Promise<void> {
    this.closed = true;
    await this.drain(drainMs);
    this.transport?.close();
  }

  private async deliver(transport: Transporter, message: MailMessage, log: Logger): Promise<void> {
    const mailId = randomUUID();
    const { kind, ...content } = message;
    for (let attempt = 1; ; attempt++) {
      try {
        const info = await transport.sendMail({ ...content, from: this.options.from, messageId: `<${mailId}@todo>` });
        if (this.options.smtpUrl === undefined && this.options.outboxDir !== undefined) {
          const file = await this.writeToOutbox(mailId, info.message as Buffer);
          log.info({ mail: kind, mailId, file }, "mail written to the outbox");
        } else {
          log.info({ mail: kind, mailId, attempt }, "mail sent");
        }
        return;
      } catch (err) {
        const failure = { mail: kind, mailId, attempt, err: { message: (err as Error).message } };
        if (attempt >= this.options.attempts) {
          log.error(failure, "mail not sent: giving up");
          return;
        }
        log.warn(failure, "mail not sent: retrying");
        await delay(this.options.retryDelayMs * 2 ** (attempt - 1), undefined, { ref: false });
      }
    }
  }

  private async writeToOutbox(mailId: string, raw: Buffer): Promise<string> {
    const dir = this.options.outboxDir as string;
    await mkdir(dir, { recursive: true, mode: 0o700 });
    // Sortable by time; the name carries no part of the mail (the link in it is a credential).
    const file = join(dir, `${new Date().toISOString().replace(/[:.]/g, "-")}-${mailId}.eml`);
    await writeFile(file, raw, { mode: 0o600 });
    return file;
  }
}
