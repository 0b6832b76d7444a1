/**
 * At most N requests in flight per mailbox (Graph answers the fifth concurrent request to one
 * mailbox with 429 `MailboxConcurrency`). One gate per provider instance, keyed by mailbox; a key
 * whose requests have all finished is forgotten, so the map holds only busy mailboxes.
 */
import { providerError } from '../../../ports/synced-provider.ts';

/** Graph's documented limit of concurrent requests per app and mailbox. */
export const MAX_CONCURRENT_PER_MAILBOX = 4;

type Slots = { inFlight: number; readonly waiting: (() => void)[] };

export type MailboxGate = {
  /**
   * Runs `task` once one of the mailbox's slots is free. Waiting ends with `timeout` after
   * `maxWaitMs`; the slot is given back when the task settles, whatever it does.
   */
  run<T>(mailbox: string, maxWaitMs: number, task: () => Promise<T>): Promise<T>;
  /** Requests in flight for a mailbox (tests and metrics). */
  inFlight(mailbox: string): number;
};

export function createMailboxGate(limit: number = MAX_CONCURRENT_PER_MAILBOX): MailboxGate {
  const byMailbox = new Map<string, Slots>();

  function acquire(mailbox: string, maxWaitMs: number): Promise<void> {
    let slots = byMailbox.get(mailbox);
    if (slots === undefined) {
      slots = { inFlight: 0, waiting: [] };
      byMailbox.set(mailbox, slots);
    }
    if (slots.inFlight < limit) {
      slots.inFlight++;
      return Promise.resolve();
    }
    const queue = slots;
    return new Promise<void>((resolve, reject) => {
      const wake = () => {
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(
        () => {
          const index = queue.waiting.indexOf(wake);
          if (index >= 0) queue.waiting.splice(index, 1);
          reject(providerError('timeout', 'Microsoft Graph: no free request slot for the mailbox in time'));
        },
        Math.max(0, maxWaitMs),
      );
      queue.waiting.push(wake);
    });
  }

  function release(mailbox: string): void {
    const slots = byMailbox.get(mailbox);
    if (slots === undefined) return;
    const next = slots.waiting.shift();
    // The slot passes straight to the next waiter: inFlight stays the same.
    if (next !== undefined) next();
    else if (--slots.inFlight === 0) byMailbox.delete(mailbox);
  }

  return {
    async run(mailbox, maxWaitMs, task) {
      await acquire(mailbox, maxWaitMs);
      try {
        return await task();
      } finally {
        release(mailbox);
      }
    },
    inFlight: (mailbox) => byMailbox.get(mailbox)?.inFlight ?? 0,
  };
}

/**
 * The mailbox an access token speaks for. Work and school tokens are JWTs whose payload names the
 * user (`oid`) and tenant (`tid`): two tokens of one person then share a gate (the old one and the
 * refreshed one, during a refresh). Personal-account tokens are opaque: the token itself is the key.
 */
export function mailboxOf(accessToken: string): string {
  const parts = accessToken.split('.');
  if (parts.length === 3) {
    try {
      const payload = JSON.parse(Buffer.from(parts[1]!, 'base64url').toString('utf8')) as unknown;
      if (typeof payload === 'object' && payload !== null) {
        const { oid, tid } = payload as { oid?: unknown; tid?: unknown };
        if (typeof oid === 'string' && oid.length > 0)
          return `oid:${typeof tid === 'string' ? tid : ''}:${oid}`;
      }
    } catch {
      // Not a JWT after all: fall through to the token.
    }
  }
  return `token:${accessToken}`;
}
