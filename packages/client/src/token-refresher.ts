import type { StoredTokens, TokenStore, Tokens } from "./token-store.js";

/** What a refresh attempt answered, reduced to what the refresher needs. */
export type RefreshAnswer =
  | { kind: "renewed"; tokens: Tokens }
  /** The server refused the refresh token for good (401, or 4xx for a malformed one). */
  | { kind: "rejected"; status: number }
  /** Worth trying again later (429, 5xx): the tokens are kept. */
  | { kind: "unavailable"; response: unknown };

export type RenewOutcome =
  | { kind: "renewed"; tokens: StoredTokens }
  | { kind: "signed-out" }
  | { kind: "unavailable"; response: unknown };

export interface SignedOutEvent {
  reason: "refresh_rejected";
  /** The status the refresh call got. */
  status: number;
}

/** The part of the Web Locks API used here (browsers; absent in Node 20, where renewals run unlocked). */
interface LockManagerLike {
  request<T>(name: string, callback: () => Promise<T>): Promise<T>;
  query(): Promise<{ held?: { name?: string }[] }>;
}

/** How long a tab keeps saying "this refresh token is spent", and how long another waits to see the new pair. */
const SPENT_MARK_MS = 15_000;
const PROPAGATION_WAIT_MS = 2_000;

/** A short, non-secret name for a refresh token (FNV-1a): lock names are visible to every script of the origin. */
function fingerprint(token: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < token.length; i++) hash = Math.imul(hash ^ token.charCodeAt(i), 0x01000193);
  return (hash >>> 0).toString(36);
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

const webLocks = (): LockManagerLike | undefined =>
  (globalThis as { navigator?: { locks?: LockManagerLike } }).navigator?.locks;

/**
 * Renews the access token, at most once per refresh token.
 *
 * Refresh tokens are single use and the server treats a second use as theft (it revokes the whole sign-in),
 * so concurrent renewals must share one refresh call, and a call that comes back late with the old token must
 * reuse that refresh's result instead of starting another. Hence the last rotation is remembered by the
 * refresh token it consumed, not merely while it is in flight. Across tabs sharing a store, the rotation runs
 * under a Web Lock and re-reads the store first: the tab that waited finds the pair the other one stored.
 */
export class TokenRefresher {
  private last: { from: string; outcome: Promise<RenewOutcome> } | undefined;
  /** Bumped by every sign-in and sign-out, so a refresh that finishes after one does not resurrect old tokens. */
  private generation = 0;

  constructor(
    private readonly store: TokenStore,
    private readonly refresh: (refreshToken: string) => Promise<RefreshAnswer>,
    private readonly onSignedOut: ((event: SignedOutEvent) => void) | undefined,
  ) {}

  /** The store was changed by a sign-in or sign-out: whatever was in flight belongs to the past. */
  reset(): void {
    this.generation += 1;
    this.last = undefined;
  }

  /** Called with the tokens a request used (or was about to use) when they need renewing. */
  async renew(used: StoredTokens): Promise<RenewOutcome> {
    const from = used.refreshToken;
    if (!from) return { kind: "signed-out" };
    if (this.last?.from === from) return this.last.outcome;
    const current = await this.store.get();
    if (current === null) return { kind: "signed-out" };
    // Someone else (another tab sharing the store, a new sign-in) already moved on: use what they stored.
    if (current.refreshToken !== from) return { kind: "renewed", tokens: current };
    // Checked again: another caller may have started the rotation while the store was read.
    if (this.last?.from === from) return this.last.outcome;

    const attempt = { from, outcome: this.rotate(from) };
    this.last = attempt;
    const outcome = await attempt.outcome;
    // A transient failure must not be remembered: the next 401 should try again.
    if (outcome.kind === "unavailable" && this.last === attempt) this.last = undefined;
    return outcome;
  }

  private rotate(refreshToken: string): Promise<RenewOutcome> {
    const lockName = this.store.sharedLockName;
    const locks = lockName === undefined ? undefined : webLocks();
    if (lockName === undefined || locks === undefined) return this.rotateNow(refreshToken);
    const spentMark = `${lockName}.spent.${fingerprint(refreshToken)}`;
    return locks.request(lockName, async () => {
      // While this tab waited for the lock, another one may have renewed and stored the new pair.
      const current = await this.readAfterOtherTabs(refreshToken, spentMark, locks);
      if (current === null) return { kind: "signed-out" };
      if (current.refreshToken !== refreshToken) return { kind: "renewed", tokens: current };
      const outcome = await this.rotateNow(refreshToken);
      // Held, not awaited: tells tabs that get the lock next that this token is spent (see readAfterOtherTabs).
      if (outcome.kind === "renewed") void locks.request(spentMark, () => sleep(SPENT_MARK_MS));
      return outcome;
    });
  }

  /**
   * Reads the store; if another tab marked `refreshToken` as spent, waits until its new pair shows up. Chromium
   * propagates localStorage writes to other tabs asynchronously, so a tab that takes the lock right after another
   * released it can still read the old pair; the lock manager's state, unlike storage, is the same for all tabs.
   */
  private async readAfterOtherTabs(refreshToken: string, spentMark: string, locks: LockManagerLike) {
    let current = await this.store.get();
    if (current?.refreshToken !== refreshToken) return current;
    const { held = [] } = await locks.query();
    if (!held.some((lock) => lock.name === spentMark)) return current;
    const deadline = Date.now() + PROPAGATION_WAIT_MS;
    while (current?.refreshToken === refreshToken && Date.now() < deadline) {
      await sleep(20);
      current = await this.store.get();
    }
    return current;
  }

  private async rotateNow(refreshToken: string): Promise<RenewOutcome> {
    const generation = this.generation;
    let answer: RefreshAnswer;
    try {
      answer = await this.refresh(refreshToken);
    } catch (err) {
      if (this.last?.from === refreshToken) this.last = undefined;
      throw err;
    }
    if (generation !== this.generation) {
      const current = await this.store.get();
      return current ? { kind: "renewed", tokens: current } : { kind: "signed-out" };
    }
    if (answer.kind === "renewed") {
      await this.store.set(answer.tokens);
      return answer;
    }
    if (answer.kind === "unavailable") return answer;
    await this.store.clear();
    this.onSignedOut?.({ reason: "refresh_rejected", status: answer.status });
    return { kind: "signed-out" };
  }
}
