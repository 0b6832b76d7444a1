/**
 * The Google and Microsoft 365 adapters pointed at their in-repo fakes, on whatever clock a test
 * runs: the adapters' own tests (a stepped clock that records each wait), the in-process suites
 * and benchmarks (the test context's clock), the browser tests (the real one). Kept apart from
 * provider-kit.ts so the adapters' tests do not load the server.
 */
import { createGoogleProvider } from '../../src/adapters/calendars/google/provider.ts';
import {
  createMicrosoftProvider,
  type MicrosoftProvider,
  type MicrosoftProviderOptions,
} from '../../src/adapters/calendars/microsoft/provider.ts';
import type { SyncedCalendarProvider } from '../../src/ports/synced-provider.ts';
import type { FakeGoogle } from './fake-google.ts';
import type { FakeMicrosoft } from './fake-microsoft.ts';

/** The adapter's clock; left out, the adapter's default (Date.now, a real wait). */
export type ProviderTiming = {
  readonly now?: () => number;
  readonly sleep?: (ms: number) => Promise<void>;
};

/** A manual clock whose `sleep` records the wait and moves the clock on by it, without waiting. */
export type SteppedClock = {
  now: number;
  /** Every wait asked of `sleep`, in ms. */
  readonly sleeps: number[];
  readonly read: () => number;
  readonly sleep: (ms: number) => Promise<void>;
};

export function steppedClock(start: number): SteppedClock {
  const clock: SteppedClock = {
    now: start,
    sleeps: [],
    read: () => clock.now,
    sleep: async (ms) => {
      clock.sleeps.push(ms);
      clock.now += ms;
    },
  };
  return clock;
}

/** A `sleep` that returns at once: rate-limit waits cost nothing on a test clock. */
export const noWait = async (): Promise<void> => undefined;

/** The Google adapter configured with the fake's client and endpoints. */
export function googleProviderOn(google: FakeGoogle, timing: ProviderTiming = {}): SyncedCalendarProvider {
  return createGoogleProvider({
    clientId: google.clientId,
    clientSecret: google.clientSecret,
    authUrl: google.authUrl,
    tokenUrl: google.tokenUrl,
    apiUrl: google.apiUrl,
    ...timing,
  });
}

/** The Microsoft adapter configured with the fake's client and endpoints; `options` override. */
export function microsoftProviderOn(
  microsoft: FakeMicrosoft,
  options: ProviderTiming & Partial<MicrosoftProviderOptions> = {},
): MicrosoftProvider {
  return createMicrosoftProvider({
    clientId: microsoft.clientId,
    clientSecret: microsoft.clientSecret,
    authUrl: microsoft.authUrl,
    tokenUrl: microsoft.tokenUrl,
    graphUrl: microsoft.graphUrl,
    ...options,
  });
}
