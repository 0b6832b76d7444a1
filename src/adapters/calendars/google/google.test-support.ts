/**
 * What the Google adapter's tests share: the fake Google, the adapter pointed at it, and one
 * manual clock both read (token expiry, deadlines, rate-limit waits), so no test depends on the
 * machine's speed.
 */
import {
  type FakeGoogle,
  type FakeGoogleOptions,
  startFakeGoogle,
} from '../../../../test/support/fake-google.ts';
import { googleProviderOn, steppedClock } from '../../../../test/support/provider-clients.ts';
import type { CallOptions, RemoteCalendar, SyncedCalendarProvider } from '../../../ports/synced-provider.ts';

export type GoogleHarness = {
  readonly google: FakeGoogle;
  readonly provider: SyncedCalendarProvider;
  readonly clock: { now: number };
  /** Every wait the adapter asked for (rate-limit retries), in ms. */
  readonly sleeps: number[];
  /** A call whose deadline is `ms` (default a minute) from the manual clock. */
  within(ms?: number): CallOptions;
  stop(): Promise<void>;
};

export const START = Date.UTC(2026, 2, 2, 8, 0, 0);
export const DAY = 86_400_000;

export async function googleHarness(options: FakeGoogleOptions = {}): Promise<GoogleHarness> {
  const clock = steppedClock(START);
  const google = await startFakeGoogle({ now: clock.read, ...options });
  const provider = googleProviderOn(google, { now: clock.read, sleep: clock.sleep });
  return {
    google,
    provider,
    clock,
    sleeps: clock.sleeps,
    within: (ms = 60_000) => ({ deadline: clock.now + ms }),
    stop: () => google.stop(),
  };
}

/** A user with a primary calendar in `timeZone` and a live access token. */
export function signedIn(
  harness: GoogleHarness,
  email = 'ada@example.com',
  timeZone = 'UTC',
): { token: string; calendar: RemoteCalendar } {
  harness.google.addUser(email, { timeZone });
  return {
    token: harness.google.issueAccessToken(email),
    calendar: { id: email, name: email, primary: true, readOnly: false, tzid: timeZone },
  };
}

export function iso(ms: number): string {
  return new Date(ms).toISOString();
}
