/**
 * Shared setup of the Microsoft adapter's tests: the fake Microsoft 365 on loopback, a provider
 * pointed at it with a fake clock and a sleep that only records, and a connected user.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, type IncomingMessage } from 'node:http';
import {
  type FakeCalendar,
  type FakeMicrosoft,
  type FakeMicrosoftOptions,
  type FakeUser,
  startFakeMicrosoft,
} from '../../../../test/support/fake-microsoft.ts';
import {
  microsoftProviderOn,
  type SteppedClock,
  steppedClock,
} from '../../../../test/support/provider-clients.ts';
import { isProviderError, type ProviderErrorCode } from '../../../ports/synced-provider.ts';
import type { MicrosoftProvider, MicrosoftProviderOptions } from './provider.ts';

export type FakeClock = SteppedClock;

export type Setup = {
  readonly fake: FakeMicrosoft;
  readonly provider: MicrosoftProvider;
  readonly clock: FakeClock;
  readonly user: FakeUser;
  readonly calendar: FakeCalendar;
  readonly accessToken: string;
  readonly refreshToken: string;
  /** Call options 30 s ahead of the fake clock. */
  options(ms?: number): { deadline: number };
  close(): Promise<void>;
};

export async function setup(
  fakeOptions: FakeMicrosoftOptions = {},
  providerOptions: Partial<MicrosoftProviderOptions> = {},
): Promise<Setup> {
  const clock = steppedClock(Date.UTC(2030, 0, 1));
  // One clock for both sides: subscription expiry is checked by the fake against the adapter's now.
  const fake = await startFakeMicrosoft({ now: clock.read, ...fakeOptions });
  const provider = microsoftProviderOn(fake, { now: clock.read, sleep: clock.sleep, ...providerOptions });
  const user = fake.addUser({ mail: 'ada@contoso.example', timeZone: 'Europe/Berlin' });
  const { accessToken, refreshToken } = fake.grant(user.id);
  return {
    fake,
    provider,
    clock,
    user,
    calendar: fake.primaryCalendarOf(user.id),
    accessToken,
    refreshToken,
    options: (ms = 30_000) => ({ deadline: clock.now + ms }),
    close: () => fake.close(),
  };
}

/** Asserts that the promise rejects with a ProviderError of this code. */
export async function rejectsWith(promise: Promise<unknown>, code: ProviderErrorCode): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(isProviderError(error), `not a provider error: ${String(error)}`);
    assert.equal(error.code, code, error.message);
    return true;
  });
}

export type Receiver = {
  readonly url: string;
  readonly posts: { readonly query: URLSearchParams; readonly body: string }[];
  /** How the receiver answers the validation handshake. */
  mode: 'echo' | 'refuse' | 'json';
  close(): Promise<void>;
};

/** A push endpoint that answers Graph's validation handshake (or not) and records notifications. */
export async function startReceiver(): Promise<Receiver> {
  const posts: { query: URLSearchParams; body: string }[] = [];
  const receiver: Receiver = { url: '', posts, mode: 'echo', close: async () => undefined };
  const server = createServer(async (request: IncomingMessage, response) => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const query = new URL(request.url ?? '/', 'http://x').searchParams;
    posts.push({ query, body: Buffer.concat(chunks).toString('utf8') });
    const token = query.get('validationToken');
    if (token === null) return void response.writeHead(202).end();
    if (receiver.mode === 'refuse') return void response.writeHead(403).end();
    const type = receiver.mode === 'json' ? 'application/json' : 'text/plain; charset=utf-8';
    response.writeHead(200, { 'content-type': type }).end(token);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return Object.assign(receiver, {
    url: `http://127.0.0.1:${address.port}/push/microsoft`,
    close: async () => {
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    },
  });
}

export const HOUR = 3_600_000;
export const DAY = 24 * HOUR;
