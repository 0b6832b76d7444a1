/**
 * CachedExternalBusySource without a network: the cache (CALENDAR_CACHE_SECONDS, keyed by calendar
 * and window, bypassed and refreshed by fresh reads), shared in-flight reads, and failures as
 * values with reasons that carry no credentials.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CachedExternalBusySource, fingerprintOf } from '../../src/adapters/calendars/busy-source.ts';
import { ExternalCalendarError } from '../../src/adapters/calendars/errors.ts';
import { secretBox } from '../../src/adapters/crypto.ts';
import type { Interval } from '../../src/domain/time/intervals.ts';
import type { ExternalCalendarErrorCode, ExternalCalendarRef } from '../../src/ports/external-calendars.ts';
import type { SourceStatusRecord } from '../../src/ports/source-status.ts';
import type { CalendarRecord } from '../../src/ports/store.ts';
import { settableClock } from '../support/context.ts';

const box = secretBox('k'.repeat(40));
const PASSWORD = 'hunter2-secret';
const ref: ExternalCalendarRef = {
  kind: 'caldav',
  calendarUrl: 'https://dav.example.com/alice/work/',
  credentials: { serverUrl: 'https://dav.example.com/', username: 'alice', password: PASSWORD },
};
const calendar = (overrides: Partial<CalendarRecord> = {}): CalendarRecord => ({
  id: 'cal_1',
  accountId: 'acc_1',
  name: 'Work',
  kind: 'caldav',
  readOnly: false,
  primary: true,
  deleted: false,
  tzid: 'Europe/London',
  color: null,
  sourceSealed: box.seal(JSON.stringify(ref)),
  createdAt: 0,
  version: 0,
  ...overrides,
});
const WINDOW: Interval = { start: 1_000_000, end: 2_000_000 };

function setup(script: { fail?: ExternalCalendarErrorCode; delayMs?: number } = {}) {
  const clock = settableClock(0);
  const statuses: SourceStatusRecord[] = [];
  const calls: { ref: ExternalCalendarRef; zone: string }[] = [];
  let busyStart = 1_100_000;
  const source = new CachedExternalBusySource({
    reader: {
      async readBusy(r, _window, zone) {
        calls.push({ ref: r, zone });
        if (script.delayMs !== undefined) await new Promise((resolve) => setTimeout(resolve, script.delayMs));
        if (script.fail !== undefined) throw new ExternalCalendarError(script.fail, 'x');
        return { busy: [{ start: busyStart, end: busyStart + 1000 }] };
      },
    },
    secrets: box,
    clock,
    cacheSeconds: 30,
    timeoutMs: 5000,
    budgetMs: 2000,
    statuses: async (status) => {
      statuses.push(status);
    },
  });
  return { source, clock, calls, statuses, move: (start: number) => (busyStart = start) };
}

test('cached reads within CALENDAR_CACHE_SECONDS; fresh reads bypass and refresh the cache', async () => {
  const { source, clock, calls, move } = setup();
  const first = await source.readBusy(calendar(), WINDOW, { fresh: false });
  assert.deepEqual(first, { ok: true, busy: [{ start: 1_100_000, end: 1_101_000 }] });
  assert.equal(calls.length, 1);
  assert.deepEqual(calls[0]!.ref, ref);
  assert.equal(calls[0]!.zone, 'Europe/London');

  move(1_200_000);
  clock.advance(29_999);
  assert.deepEqual(await source.readBusy(calendar(), WINDOW, { fresh: false }), first);
  assert.equal(calls.length, 1);
  // Another window is another key.
  await source.readBusy(calendar(), { start: 0, end: 5 }, { fresh: false });
  assert.equal(calls.length, 2);

  const fresh = await source.readBusy(calendar(), WINDOW, { fresh: true });
  assert.equal(calls.length, 3);
  assert.deepEqual(fresh, { ok: true, busy: [{ start: 1_200_000, end: 1_201_000 }] });
  // The fresh read refreshed the cache (and restarted its age).
  clock.advance(20_000);
  assert.deepEqual(await source.readBusy(calendar(), WINDOW, { fresh: false }), fresh);
  assert.equal(calls.length, 3);
  clock.advance(10_000);
  await source.readBusy(calendar(), WINDOW, { fresh: false });
  assert.equal(calls.length, 4, 'expired after 30 s');
});

test('every read made, and only those, is reported as the source status', async () => {
  const { source, clock, statuses } = setup();
  clock.set(5_000);
  await source.readBusy(calendar(), WINDOW, { fresh: false });
  await source.readBusy(calendar(), WINDOW, { fresh: false }); // cached: not a read
  assert.deepEqual(statuses, [
    {
      calendarId: 'cal_1',
      readAt: 5_000,
      ok: true,
      reason: null,
      busyCount: 1,
      ignored: [],
      windowStart: WINDOW.start,
      windowEnd: WINDOW.end,
      fingerprint: fingerprintOf([{ start: 1_100_000, end: 1_101_000 }], WINDOW),
    },
  ]);
  const failing = setup({ fail: 'over_budget' });
  await failing.source.readBusy(calendar(), WINDOW, { fresh: true });
  assert.equal(failing.statuses.length, 1);
  assert.equal(failing.statuses[0]?.ok, false);
  assert.match(failing.statuses[0]?.reason ?? '', /took longer than 2000 ms/);
  assert.equal(failing.statuses[0]?.busyCount, null);
  assert.equal(failing.statuses[0]?.fingerprint, null, 'a failed read found nothing to compare');
});

test('a fingerprint is of the busy time and its window, whatever order the source lists it in', () => {
  const a = { start: 1, end: 2 };
  const b = { start: 3, end: 5 };
  const fingerprint = fingerprintOf([a, b], WINDOW);
  assert.deepEqual(fingerprintOf([b, a], WINDOW), fingerprint);
  assert.equal(fingerprint.windowStart, WINDOW.start);
  assert.equal(fingerprint.windowEnd, WINDOW.end);
  assert.notEqual(fingerprintOf([a, { start: 3, end: 6 }], WINDOW).hash, fingerprint.hash);
  assert.notEqual(fingerprintOf([a], WINDOW).hash, fingerprint.hash);
  assert.notEqual(fingerprintOf([], WINDOW).hash, fingerprint.hash);
});

test('concurrent cached reads of one key share one request', async () => {
  const { source, calls } = setup({ delayMs: 20 });
  const results = await Promise.all(
    [1, 2, 3].map(() => source.readBusy(calendar(), WINDOW, { fresh: false })),
  );
  assert.equal(calls.length, 1);
  assert.ok(results.every((r) => r.ok));
});

test('failures are values with a human reason, never cached, never carrying credentials', async () => {
  const expected: Record<ExternalCalendarErrorCode, string> = {
    timeout: 'CalDAV server https://dav.example.com did not answer within 5000 ms',
    unreachable: 'CalDAV server https://dav.example.com could not be reached',
    auth_failed: 'CalDAV server https://dav.example.com: wrong username or password',
    forbidden: 'CalDAV server https://dav.example.com refused access to the calendar',
    not_found: 'CalDAV server https://dav.example.com: the calendar no longer exists',
    bad_response: 'CalDAV server https://dav.example.com gave an unexpected answer',
    parse_failed: 'CalDAV server https://dav.example.com sent calendar data that could not be read',
    too_many_busy:
      'CalDAV server https://dav.example.com has more than 20,000 busy intervals in the requested window',
    over_budget:
      'CalDAV server https://dav.example.com: reading its events took longer than 2000 ms (too many events or recurring series in the requested window)',
  };
  for (const [code, reason] of Object.entries(expected) as [ExternalCalendarErrorCode, string][]) {
    const { source, calls } = setup({ fail: code });
    const result = await source.readBusy(calendar(), WINDOW, { fresh: false });
    assert.deepEqual(result, { ok: false, failure: { calendarId: 'cal_1', reason } });
    await source.readBusy(calendar(), WINDOW, { fresh: false });
    assert.equal(calls.length, 2, 'a failure is not cached');
    assert.ok(!JSON.stringify(result).includes(PASSWORD));
  }
});

test('a source that cannot be unsealed or is not external fails without throwing', async () => {
  const { source, calls } = setup();
  const otherKey = secretBox('z'.repeat(40)).seal(JSON.stringify(ref));
  const wrongKey = await source.readBusy(calendar({ sourceSealed: otherKey }), WINDOW, { fresh: true });
  assert.equal(wrongKey.ok, false);
  if (!wrongKey.ok) assert.match(wrongKey.failure.reason, /SECRET_KEY/);
  const damaged = await source.readBusy(calendar({ sourceSealed: box.seal('{"kind":"caldav"}') }), WINDOW, {
    fresh: true,
  });
  assert.equal(damaged.ok, false);
  const native = await source.readBusy(calendar({ kind: 'native', sourceSealed: null }), WINDOW, {
    fresh: true,
  });
  assert.equal(native.ok, false);
  assert.equal(calls.length, 0);
});
