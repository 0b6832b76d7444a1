/**
 * The storage contract: every Store implementation runs this one suite unchanged
 * (test/contract/sqlite.test.ts, test/contract/postgres.test.ts). Each test gets a fresh, migrated
 * store from `makeStore`, so tests share nothing and may run in any order.
 */

import assert from 'node:assert/strict';
import { describe, type TestContext, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ProfileRecord } from '../../src/ports/connections.ts';
import type { SourceStatusRecord } from '../../src/ports/source-status.ts';
import {
  type AccessTokenRecord,
  type AccountRecord,
  type ApplicationRecord,
  type AvailabilityRuleRecord,
  type AvailablePeriodRecord,
  type CalendarRecord,
  type ClientSecretRecord,
  type DeliveryAttemptRecord,
  type EventRecord,
  type LinkRecord,
  type OutboxRecord,
  ReservationConflictError,
  type ReservationRecord,
  type Store,
} from '../../src/ports/store.ts';
import { channelsContract } from './channels-contract.ts';
import { loadLimitsContract } from './load-limits-contract.ts';
import { syncContract } from './sync-contract.ts';

export type MadeStore = { readonly store: Store; cleanup(): Promise<void> };
/** Returns a new, empty store (migrated or not), or null when its server is unavailable. */
export type MakeStore = () => Promise<MadeStore | null>;

export const HOUR = 3_600_000;
/** A Monday morning far enough ahead that no fixture is ever "in the past" by accident. */
export const T0 = Date.UTC(2030, 0, 7, 9);

// ---------------------------------------------------------------------------------------------
// Fixtures: complete records with every field set, overridable per test.

export const anApplication = (over: Partial<ApplicationRecord> = {}): ApplicationRecord => ({
  id: 'app_a',
  clientId: 'client_a',
  name: 'Application A',
  createdAt: T0 - 10 * HOUR,
  displayName: null,
  logoUrl: null,
  accentColour: null,
  ...over,
});

export const aSecret = (over: Partial<ClientSecretRecord> = {}): ClientSecretRecord => ({
  id: 'sec_1',
  applicationId: 'app_a',
  secretHash: 'hash_1',
  secretSealed: 'sealed:1',
  createdAt: T0 - 9 * HOUR,
  revokedAt: null,
  ...over,
});

export const anAccount = (over: Partial<AccountRecord> = {}): AccountRecord => ({
  id: 'acc_1',
  applicationId: 'app_a',
  applicationCalendarId: 'cal-key-1',
  profileId: 'pro_1',
  name: 'Ann Example',
  createdAt: T0 - 8 * HOUR,
  ...over,
});

export const aToken = (over: Partial<AccessTokenRecord> = {}): AccessTokenRecord => ({
  tokenHash: 'tok_hash_1',
  accountId: 'acc_1',
  kind: 'access',
  createdAt: T0 - 7 * HOUR,
  revokedAt: null,
  grantId: 'grt_1',
  expiresAt: T0 - 4 * HOUR,
  ...over,
});

export const aCalendar = (over: Partial<CalendarRecord> = {}): CalendarRecord => ({
  id: 'cal_1',
  accountId: 'acc_1',
  name: 'Work',
  kind: 'native',
  readOnly: false,
  primary: true,
  deleted: false,
  tzid: 'Europe/London',
  color: '#49BED8',
  sourceSealed: null,
  version: 0,
  createdAt: T0 - 6 * HOUR,
  profileId: null,
  ...over,
});

export const anEvent = (over: Partial<EventRecord> = {}): EventRecord => ({
  calendarId: 'cal_1',
  eventId: 'evt_1',
  eventUid: 'uid_1',
  summary: 'Planning',
  startMs: T0,
  endMs: T0 + HOUR,
  allDay: false,
  transparency: 'opaque',
  status: 'confirmed',
  deleted: false,
  data: { description: 'quarterly', location: { description: 'Room 1' }, reminders: [{ minutes: 10 }] },
  createdAt: T0 - 5 * HOUR,
  updatedAt: T0 - 5 * HOUR,
  ...over,
});

export const aRule = (over: Partial<AvailabilityRuleRecord> = {}): AvailabilityRuleRecord => ({
  accountId: 'acc_1',
  ruleId: 'default',
  tzid: 'America/New_York',
  calendarIds: ['cal_1'],
  weeklyPeriods: [
    { day: 'monday', startTime: '09:00', endTime: '17:30' },
    { day: 'wednesday', startTime: '10:00', endTime: '12:00' },
  ],
  ...over,
});

export const aPeriod = (over: Partial<AvailablePeriodRecord> = {}): AvailablePeriodRecord => ({
  accountId: 'acc_1',
  periodId: 'per_1',
  startMs: T0,
  endMs: T0 + 8 * HOUR,
  ...over,
});

export const aLink = (over: Partial<LinkRecord> = {}): LinkRecord => ({
  id: 'seq_1',
  applicationId: 'app_a',
  kind: 'sequencing',
  tokenHash: 'link_hash_1',
  tokenSealed: 'sealed:link',
  status: 'open',
  request: { sequence: [{ sequence_id: 'first', ordinal: 1 }], tzid: 'Etc/UTC' },
  createdAt: T0 - 4 * HOUR,
  expiresAt: T0 + 48 * HOUR,
  completedAt: null,
  booked: null,
  displayMessage: null,
  rescheduleSteps: null,
  cancelledAt: null,
  cancelReason: null,
  version: 0,
  rescheduleBy: null,
  ...over,
});

export const aReservation = (over: Partial<ReservationRecord> = {}): ReservationRecord => ({
  id: 'res_1',
  linkId: 'seq_1',
  accountId: 'acc_1',
  startMs: T0,
  endMs: T0 + HOUR,
  kind: 'booking',
  expiresAt: null,
  holderKey: null,
  ...over,
});

export const anOutboxItem = (over: Partial<OutboxRecord> = {}): OutboxRecord => ({
  id: 'out_1',
  deliveryId: 'del_1',
  applicationId: 'app_a',
  kind: 'callback',
  target: 'https://example.test/callback',
  payload: '{"notification":{"type":"real_time_sequencing_completed"}}',
  status: 'pending',
  attempts: 0,
  nextAttemptAt: T0,
  leaseUntil: null,
  leaseOwner: null,
  lastError: null,
  createdAt: T0 - HOUR,
  finishedAt: null,
  ...over,
});

export const anAttempt = (over: Partial<DeliveryAttemptRecord> = {}): DeliveryAttemptRecord => ({
  outboxId: 'out_1',
  attempt: 1,
  at: T0 + 1_000,
  statusCode: 500,
  error: 'HTTP 500',
  durationMs: 120,
  ...over,
});

/**
 * Two applications; app_a owns acc_1 and acc_2 (calendars cal_1, cal_2), app_b owns acc_b (cal_b);
 * link seq_1 belongs to app_a.
 */
export async function seed(store: Store): Promise<void> {
  await store.transaction(async (r) => {
    await r.applications.insert(anApplication());
    await r.applications.insert(
      anApplication({
        id: 'app_b',
        clientId: 'client_b',
        name: 'Application B',
        createdAt: T0 - 10 * HOUR + 1,
      }),
    );
    await r.accounts.insert(anAccount());
    await r.accounts.insert(
      anAccount({
        id: 'acc_2',
        applicationCalendarId: null,
        profileId: 'pro_2',
        createdAt: T0 - 8 * HOUR + 1,
      }),
    );
    await r.accounts.insert(
      anAccount({
        id: 'acc_b',
        applicationId: 'app_b',
        applicationCalendarId: 'cal-key-1',
        profileId: 'pro_b',
      }),
    );
    await r.calendars.insert(aCalendar());
    await r.calendars.insert(aCalendar({ id: 'cal_2', accountId: 'acc_2', primary: false }));
    await r.calendars.insert(aCalendar({ id: 'cal_b', accountId: 'acc_b' }));
    await r.links.insert(aLink());
    await r.links.insert(aLink({ id: 'seq_2', tokenHash: 'link_hash_2' }));
  });
}

/** Resolves each promise; returns how many fulfilled and the rejection reasons. */
async function settle(promises: readonly Promise<unknown>[]): Promise<{ ok: number; errors: unknown[] }> {
  const results = await Promise.allSettled(promises);
  return {
    ok: results.filter((r) => r.status === 'fulfilled').length,
    errors: results.flatMap((r) => (r.status === 'rejected' ? [r.reason] : [])),
  };
}

/**
 * `count` transactions started at once, each reserving [T0, T0+1h) shifted by a few minutes for
 * acc_1, spread round-robin over `stores`. The first `parallel` of them (as many as the stores can
 * run at once) meet at a barrier after BEGIN, so none has committed when they check and insert: on
 * PostgreSQL the exclusion constraint, not the SELECT pre-check, must then pick the one winner.
 */
export async function raceForOneSlot(
  stores: readonly Store[],
  count: number,
  parallel: number,
): Promise<{ ok: number; errors: unknown[] }> {
  let arrived = 0;
  let open = (): void => undefined;
  const barrier = new Promise<void>((resolve) => {
    open = resolve;
  });
  // The timeout only guards against a store that runs fewer transactions at once than promised.
  const timeout = setTimeout(open, 2_000);
  try {
    return await settle(
      Array.from({ length: count }, (_, i) =>
        stores[i % stores.length]!.transaction(async (r) => {
          await r.links.byId('app_a', 'seq_1');
          arrived += 1;
          if (arrived >= parallel) open();
          await barrier;
          const shift = (i % 30) * 60_000;
          await r.reservations.insertAll(
            [aReservation({ id: `race_${i}`, startMs: T0 + shift, endMs: T0 + HOUR + shift })],
            T0 - HOUR,
            null,
          );
          await sleep(5);
        }),
      ),
    );
  } finally {
    clearTimeout(timeout);
  }
}

/**
 * Two claimers (one per entry of `stores`, possibly the same store twice) drain `items` due rows
 * concurrently, `batch` at a time. Returns every id each claimer got.
 */
export async function drainConcurrently(
  stores: readonly [Store, Store],
  items: number,
  batch: number,
  round: number,
): Promise<string[][]> {
  await stores[0].transaction(async (r) => {
    for (let i = 0; i < items; i += 1) {
      const id = `r${round}_${String(i).padStart(3, '0')}`;
      await r.outbox.insert(anOutboxItem({ id, deliveryId: `d_${id}`, nextAttemptAt: T0 + i }));
    }
  });
  const now = T0 + items;
  const claimer = async (store: Store, owner: string): Promise<string[]> => {
    const got: string[] = [];
    for (;;) {
      const claimed = await store.transaction((r) => r.outbox.claimDue(owner, now, now + 60_000, batch));
      if (claimed.length === 0) return got;
      for (const item of claimed) {
        assert.equal(item.leaseOwner, owner);
        got.push(item.id);
      }
    }
  };
  return Promise.all([claimer(stores[0], `w1_${round}`), claimer(stores[1], `w2_${round}`)]);
}

export function assertDisjointCover(claims: readonly string[][], items: number): void {
  const all = claims.flat();
  assert.equal(new Set(all).size, all.length, 'an item was claimed by two owners');
  assert.equal(all.length, items, 'every due item is claimed exactly once');
}

// ---------------------------------------------------------------------------------------------

/**
 * Registers the contract suite for one implementation. When `makeStore` returns null every test
 * skips with `options.skipReason` (the factory decides whether unavailability is allowed: not in CI).
 */
export function runStorageContract(
  name: string,
  makeStore: MakeStore,
  options: {
    /** Why every test skips when `makeStore` returns null. */
    skipReason?: string;
    /** How many transactions one store runs at once (1 for a single serialised writer). */
    parallelTransactions?: number;
  } = {},
): void {
  const skipReason = options.skipReason ?? 'store unavailable';
  const parallel = options.parallelTransactions ?? 1;
  /** A fresh migrated store for one test, closed and removed when the test ends. */
  const open = async (t: TestContext): Promise<{ store: Store; firstMigration: string[] } | null> => {
    const made = await makeStore();
    if (made === null) {
      t.skip(skipReason);
      return null;
    }
    t.after(() => made.cleanup());
    const firstMigration = await made.store.migrate();
    return { store: made.store, firstMigration };
  };

  /** A test body that receives a fresh store (seeded unless `bare`). */
  const it = (
    title: string,
    body: (store: Store) => Promise<void>,
    options: { bare?: boolean } = {},
  ): void => {
    test(title, async (t) => {
      const opened = await open(t);
      if (opened === null) return;
      if (options.bare !== true) await seed(opened.store);
      await body(opened.store);
    });
  };

  describe(`storage contract: ${name}`, () => {
    describe('migrations and lifecycle', () => {
      test('migrate() applies 0001 on a new store, then is idempotent and keeps the data', async (t) => {
        const opened = await open(t);
        if (opened === null) return;
        const { store, firstMigration } = opened;
        assert.ok(
          firstMigration.length === 0 || firstMigration[0] === '0001_init.sql',
          `unexpected first migrations: ${firstMigration.join(', ')}`,
        );
        await seed(store);
        assert.deepEqual(await store.migrate(), []);
        assert.deepEqual(await store.migrate(), []);
        assert.deepEqual(await store.read((r) => r.applications.byId('app_a')), anApplication());
      });

      it('ping() resolves and close() may be called twice', async (store) => {
        await store.ping();
        await store.close();
        await store.close();
      });
    });

    describe('transactions', () => {
      it('an error inside rolls every write back and reaches the caller unchanged', async (store) => {
        const boom = new Error('boom');
        await assert.rejects(
          store.transaction(async (r) => {
            await r.applications.insert(anApplication({ id: 'app_c', clientId: 'client_c' }));
            await r.events.upsert(anEvent());
            await r.links.transition('seq_1', { from: ['open'], status: 'disabled', at: T0 });
            await r.reservations.insertAll([aReservation()], T0, null);
            await r.outbox.insert(anOutboxItem());
            throw boom;
          }),
          (error) => error === boom,
        );
        await store.read(async (r) => {
          assert.equal(await r.applications.byId('app_c'), undefined);
          assert.equal(await r.events.byKey('cal_1', 'evt_1'), undefined);
          assert.equal((await r.links.byId('app_a', 'seq_1'))?.status, 'open');
          assert.deepEqual(await r.reservations.liveIn(['acc_1'], { start: 0, end: T0 * 2 }, T0), []);
          assert.equal(await r.outbox.byId('out_1'), undefined);
        });
      });

      it('returns the work result and sees its own writes before commit', async (store) => {
        const result = await store.transaction(async (r) => {
          await r.applications.insert(anApplication({ id: 'app_c', clientId: 'client_c' }));
          return (await r.applications.byId('app_c'))?.name;
        });
        assert.equal(result, 'Application A');
      });
    });

    describe('applications', () => {
      it(
        'insert, byId, byClientId and list round-trip every field',
        async (store) => {
          const first = anApplication();
          const second = anApplication({ id: 'app_0', clientId: 'client_0', name: 'Zed', createdAt: T0 });
          await store.transaction(async (r) => {
            await r.applications.insert(second);
            await r.applications.insert(first);
          });
          await store.read(async (r) => {
            assert.deepEqual(await r.applications.byId('app_a'), first);
            assert.deepEqual(await r.applications.byClientId('client_0'), second);
            assert.equal(await r.applications.byId('nope'), undefined);
            assert.equal(await r.applications.byClientId('nope'), undefined);
            assert.deepEqual(await r.applications.list(), [first, second]);
          });
        },
        { bare: true },
      );

      it(
        'updateDisplay writes all three display settings, clears with null, and is scoped by id',
        async (store) => {
          await store.transaction((r) => r.applications.insert(anApplication()));
          const display = {
            displayName: 'Globex',
            logoUrl: 'https://cdn.example.com/l.png',
            accentColour: '#0b57a4',
          };
          assert.equal(await store.transaction((r) => r.applications.updateDisplay('app_a', display)), true);
          assert.equal(await store.transaction((r) => r.applications.updateDisplay('nope', display)), false);
          assert.deepEqual(await store.read((r) => r.applications.byId('app_a')), anApplication(display));
          const cleared = { displayName: null, logoUrl: null, accentColour: '#8b0000' };
          await store.transaction((r) => r.applications.updateDisplay('app_a', cleared));
          assert.deepEqual(
            await store.read((r) => r.applications.byClientId('client_a')),
            anApplication(cleared),
          );
        },
        { bare: true },
      );

      it('secrets: lookup by hash and active lists skip revoked ones; revoke is scoped and once', async (store) => {
        const s1 = aSecret();
        const s2 = aSecret({ id: 'sec_2', secretHash: 'hash_2', secretSealed: 'sealed:2', createdAt: T0 });
        const revoked = aSecret({
          id: 'sec_0',
          secretHash: 'hash_1',
          createdAt: T0 - 20 * HOUR,
          revokedAt: T0,
        });
        await store.transaction(async (r) => {
          for (const s of [s2, s1, revoked]) await r.applications.insertSecret(s);
        });
        await store.read(async (r) => {
          assert.deepEqual(await r.applications.secretsByHash('hash_1'), [s1]);
          assert.deepEqual(await r.applications.activeSecrets('app_a'), [s1, s2]);
          assert.deepEqual(await r.applications.activeSecrets('app_b'), []);
        });
        await store.transaction(async (r) => {
          assert.equal(await r.applications.revokeSecret('app_b', 'sec_1', T0 + 1), false);
          assert.equal(await r.applications.revokeSecret('app_a', 'sec_1', T0 + 1), true);
          assert.equal(await r.applications.revokeSecret('app_a', 'sec_1', T0 + 2), false);
        });
        await store.read(async (r) => {
          assert.deepEqual(await r.applications.secretsByHash('hash_1'), []);
          assert.deepEqual(await r.applications.activeSecrets('app_a'), [s2]);
        });
      });
    });

    describe('accounts', () => {
      it('insert and lookups round-trip every field, including a null application calendar id', async (store) => {
        await store.read(async (r) => {
          assert.deepEqual(await r.accounts.byId('acc_1'), anAccount());
          assert.deepEqual(
            await r.accounts.byId('acc_2'),
            anAccount({
              id: 'acc_2',
              applicationCalendarId: null,
              profileId: 'pro_2',
              createdAt: T0 - 8 * HOUR + 1,
            }),
          );
          assert.equal(await r.accounts.byId('nope'), undefined);
          assert.equal((await r.accounts.byApplicationCalendarId('app_a', 'cal-key-1'))?.id, 'acc_1');
          assert.equal((await r.accounts.byApplicationCalendarId('app_b', 'cal-key-1'))?.id, 'acc_b');
          assert.equal(await r.accounts.byApplicationCalendarId('app_a', 'nope'), undefined);
          assert.deepEqual(
            (await r.accounts.listByApplication('app_a')).map((a) => a.id),
            ['acc_1', 'acc_2'],
          );
        });
      });

      it("byIds returns only the application's own accounts", async (store) => {
        await store.read(async (r) => {
          const own = await r.accounts.byIds('app_a', ['acc_b', 'acc_1', 'missing', 'acc_2']);
          assert.deepEqual(own.map((a) => a.id).sort(), ['acc_1', 'acc_2']);
          assert.deepEqual(await r.accounts.byIds('app_b', ['acc_1', 'acc_2']), []);
          assert.deepEqual(
            (await r.accounts.byIds('app_b', ['acc_b'])).map((a) => a.id),
            ['acc_b'],
          );
          assert.deepEqual(await r.accounts.byIds('app_a', []), []);
        });
      });

      it('tokens round-trip; revoking stamps the first revocation only', async (store) => {
        const access = aToken();
        const refresh = aToken({ tokenHash: 'tok_hash_2', kind: 'refresh' });
        await store.transaction(async (r) => {
          await r.accounts.insertToken(access);
          await r.accounts.insertToken(refresh);
        });
        await store.read(async (r) => {
          assert.deepEqual(await r.accounts.tokenByHash('tok_hash_1'), access);
          assert.deepEqual(await r.accounts.tokenByHash('tok_hash_2'), refresh);
          assert.equal(await r.accounts.tokenByHash('nope'), undefined);
        });
        await store.transaction((r) => r.accounts.revokeToken('tok_hash_1', T0));
        await store.transaction((r) => r.accounts.revokeToken('tok_hash_1', T0 + 5));
        assert.deepEqual(await store.read((r) => r.accounts.tokenByHash('tok_hash_1')), {
          ...access,
          revokedAt: T0,
        });
      });

      it('a refresh token is spent once; grants and accounts are revoked whole', async (store) => {
        await store.transaction(async (r) => {
          await r.accounts.insertToken(aToken({ tokenHash: 'a1', expiresAt: T0 + HOUR }));
          await r.accounts.insertToken(aToken({ tokenHash: 'r1', kind: 'refresh', expiresAt: null }));
          await r.accounts.insertToken(aToken({ tokenHash: 'a2', grantId: 'grt_2' }));
          await r.accounts.insertToken(aToken({ tokenHash: 'r2', kind: 'refresh', grantId: 'grt_2' }));
        });
        assert.equal(await store.transaction((r) => r.accounts.spendRefreshToken('a1', T0)), false);
        const spends = await Promise.all(
          [1, 2, 3].map(() => store.transaction((r) => r.accounts.spendRefreshToken('r1', T0))),
        );
        assert.deepEqual(
          spends.filter((won) => won),
          [true],
        );
        assert.equal(await store.transaction((r) => r.accounts.revokeGrant('grt_1', T0 + 1)), 1);
        assert.equal((await store.read((r) => r.accounts.tokenByHash('a1')))?.revokedAt, T0 + 1);
        assert.equal((await store.read((r) => r.accounts.tokenByHash('a2')))?.revokedAt, null);
        assert.equal(await store.transaction((r) => r.accounts.revokeAccountTokens('acc_1', T0 + 2)), 2);
        assert.equal((await store.read((r) => r.accounts.tokenByHash('r2')))?.revokedAt, T0 + 2);
      });
    });

    describe('calendars', () => {
      it('insert, byId, byAccount and byAccounts round-trip every field in creation order', async (store) => {
        const external = aCalendar({
          id: 'cal_x',
          name: 'Feed',
          kind: 'ics',
          readOnly: true,
          primary: false,
          deleted: true,
          tzid: 'Asia/Kolkata',
          color: null,
          sourceSealed: 'sealed:source',
          version: 0,
          createdAt: T0 - 7 * HOUR,
          profileId: 'pro_x',
        });
        await store.transaction((r) => r.calendars.insert(external));
        await store.read(async (r) => {
          assert.deepEqual(await r.calendars.byId('cal_x'), external);
          assert.deepEqual(await r.calendars.byId('cal_1'), aCalendar());
          assert.equal(await r.calendars.byId('nope'), undefined);
          assert.deepEqual(await r.calendars.byAccount('acc_1'), [external, aCalendar()]);
          assert.deepEqual(
            (await r.calendars.byAccounts(['acc_2', 'acc_1'])).map((c) => c.id),
            ['cal_x', 'cal_1', 'cal_2'],
          );
          assert.deepEqual(await r.calendars.byAccounts([]), []);
        });
      });

      it('externalOf lists the live CalDAV and ICS calendars of one application, oldest first', async (store) => {
        const feed = aCalendar({
          id: 'cal_f',
          accountId: 'acc_2',
          kind: 'ics',
          primary: false,
          createdAt: T0,
        });
        const dav = aCalendar({ id: 'cal_d', kind: 'caldav', primary: false, createdAt: T0 - 7 * HOUR });
        await store.transaction(async (r) => {
          await r.calendars.insert(feed);
          await r.calendars.insert(dav);
          await r.calendars.insert(aCalendar({ id: 'cal_gone', kind: 'ics', primary: false, deleted: true }));
          await r.calendars.insert(
            aCalendar({ id: 'cal_bf', accountId: 'acc_b', kind: 'ics', primary: false }),
          );
        });
        await store.read(async (r) => {
          assert.deepEqual(await r.calendars.externalOf('app_a', { limit: 10 }), [dav, feed]);
          assert.deepEqual(await r.calendars.externalOf('app_a', { accountId: 'acc_2', limit: 10 }), [feed]);
          assert.deepEqual(await r.calendars.externalOf('app_a', { limit: 1 }), [dav]);
          assert.deepEqual(
            (await r.calendars.externalOf('app_b', { limit: 10 })).map((c) => c.id),
            ['cal_bf'],
          );
        });
      });
    });

    describe('source status', () => {
      const aStatus = (over: Partial<SourceStatusRecord> = {}): SourceStatusRecord => ({
        calendarId: 'cal_1',
        readAt: T0,
        ok: true,
        reason: null,
        busyCount: 3,
        ignored: ['event a: FREQ=MINUTELY rule ignored', 'event "b": FREQ=SECONDLY rule ignored'],
        windowStart: T0,
        windowEnd: T0 + 24 * HOUR,
        fingerprint: { hash: 'h1', windowStart: T0, windowEnd: T0 + 24 * HOUR },
        ...over,
      });

      it('record keeps the latest read per calendar and round-trips every field', async (store) => {
        const failed = aStatus({
          readAt: T0 + HOUR,
          ok: false,
          reason: 'ICS feed https://x.example has more than 20,000 busy intervals in the requested window',
          busyCount: null,
          ignored: [],
          fingerprint: null,
        });
        await store.transaction((r) => r.sourceStatus.record(aStatus()));
        await store.transaction((r) => r.sourceStatus.record(aStatus({ calendarId: 'cal_2' })));
        assert.deepEqual(await store.read((r) => r.sourceStatus.byCalendars(['cal_1'])), [aStatus()]);
        await store.transaction((r) => r.sourceStatus.record(failed));
        // A read that finished earlier but is written later does not hide the newer one.
        await store.transaction((r) => r.sourceStatus.record(aStatus({ readAt: T0 + 30 * 60_000 })));
        await store.read(async (r) => {
          assert.deepEqual(await r.sourceStatus.byCalendars(['cal_2', 'cal_1', 'nope']), [
            { ...failed, fingerprint: aStatus().fingerprint },
            aStatus({ calendarId: 'cal_2' }),
          ]);
          assert.deepEqual(await r.sourceStatus.byCalendars([]), []);
        });
      });

      it('a failed read keeps the last fingerprint; a newer successful read replaces it', async (store) => {
        const first = aStatus();
        await store.transaction((r) => r.sourceStatus.record(first));
        await store.transaction((r) =>
          r.sourceStatus.record(
            aStatus({ readAt: T0 + 1, ok: false, reason: 'x', busyCount: null, fingerprint: null }),
          ),
        );
        const kept = await store.read((r) => r.sourceStatus.byCalendars(['cal_1']));
        assert.deepEqual(kept[0]?.fingerprint, first.fingerprint);
        assert.equal(kept[0]?.ok, false);
        const other = { hash: 'h2', windowStart: T0 + HOUR, windowEnd: T0 + 2 * HOUR };
        await store.transaction((r) =>
          r.sourceStatus.record(aStatus({ readAt: T0 + 2, fingerprint: other })),
        );
        const older = { hash: 'h0', windowStart: T0, windowEnd: T0 + HOUR };
        await store.transaction((r) =>
          r.sourceStatus.record(aStatus({ readAt: T0 + 1, fingerprint: older })),
        );
        const replaced = await store.read((r) => r.sourceStatus.byCalendars(['cal_1']));
        assert.deepEqual(replaced[0]?.fingerprint, other, 'an older read replaces nothing');
      });
    });

    describe('connections (SPEC 8b)', () => {
      const aProfile = (over: Partial<ProfileRecord> = {}): ProfileRecord => ({
        id: 'pro_x',
        accountId: 'acc_1',
        providerName: 'caldav',
        profileName: 'alice at dav.example',
        credentialsSealed: 'sealed:login',
        redirectUri: 'https://app.example/cb',
        relinkSealed: null,
        createdAt: T0,
        disconnectedAt: null,
        ...over,
      });

      it('redirect URIs are replaced as a list, in order, per application', async (store) => {
        await store.transaction((r) =>
          r.connections.setRedirectUris('app_a', ['https://a.example/1', 'http://localhost/2']),
        );
        await store.transaction((r) => r.connections.setRedirectUris('app_b', ['https://b.example/']));
        assert.deepEqual(await store.read((r) => r.connections.redirectUris('app_a')), [
          'https://a.example/1',
          'http://localhost/2',
        ]);
        await store.transaction((r) => r.connections.setRedirectUris('app_a', ['http://localhost/2']));
        assert.deepEqual(await store.read((r) => r.connections.redirectUris('app_a')), [
          'http://localhost/2',
        ]);
        assert.deepEqual(await store.read((r) => r.connections.redirectUris('app_b')), [
          'https://b.example/',
        ]);
      });

      it('a code is spent once; profiles disconnect once and forget their calendars', async (store) => {
        const code = {
          codeHash: 'h1',
          applicationId: 'app_a',
          redirectUri: 'https://app.example/cb',
          accountId: 'acc_1',
          profileId: 'pro_x',
          createdAt: T0,
          expiresAt: T0 + 600_000,
          usedAt: null,
          grantId: null,
        };
        await store.transaction((r) => r.connections.insertCode(code));
        assert.equal(await store.transaction((r) => r.connections.spendCode('h1', T0 + 1, 'grt_1')), true);
        assert.equal(await store.transaction((r) => r.connections.spendCode('h1', T0 + 2, 'grt_2')), false);
        assert.deepEqual(await store.read((r) => r.connections.code('h1')), {
          ...code,
          usedAt: T0 + 1,
          grantId: 'grt_1',
        });

        await store.transaction(async (r) => {
          await r.connections.insertProfile(aProfile());
          await r.calendars.insert(
            aCalendar({ id: 'cal_p', kind: 'caldav', primary: false, sourceSealed: 's', profileId: 'pro_x' }),
          );
        });
        assert.deepEqual(await store.read((r) => r.connections.profilesOf('acc_1')), [aProfile()]);
        assert.equal(
          await store.transaction((r) => r.connections.disconnectProfile('pro_x', T0 + 5, 'sealed:relink')),
          true,
        );
        assert.equal(
          await store.transaction((r) => r.connections.disconnectProfile('pro_x', T0 + 6, null)),
          false,
        );
        assert.deepEqual(
          await store.transaction((r) => r.connections.forgetProfileCalendars('pro_x', T0 + 5)),
          ['cal_p'],
        );
        await store.read(async (r) => {
          assert.deepEqual(
            await r.connections.profile('pro_x'),
            aProfile({ credentialsSealed: null, relinkSealed: 'sealed:relink', disconnectedAt: T0 + 5 }),
          );
          const forgotten = await r.calendars.byId('cal_p');
          assert.equal(forgotten?.deleted, true);
          assert.equal(forgotten?.sourceSealed, null);
          assert.equal((await r.calendars.byId('cal_1'))?.deleted, false, 'other calendars stay');
        });
        await store.transaction((r) =>
          r.connections.reconnectProfile('pro_x', 'sealed:new', 'bob at dav.example'),
        );
        assert.deepEqual(
          await store.read((r) => r.connections.profile('pro_x')),
          aProfile({ credentialsSealed: 'sealed:new', profileName: 'bob at dav.example' }),
        );
      });

      it('link tokens round-trip and are deleted', async (store) => {
        const token = {
          tokenHash: 't1',
          applicationId: 'app_a',
          accountId: 'acc_1',
          profileId: null,
          createdAt: T0,
          expiresAt: T0 + HOUR,
        };
        await store.transaction((r) => r.connections.insertLinkToken(token));
        assert.deepEqual(await store.read((r) => r.connections.linkToken('t1')), token);
        await store.transaction((r) => r.connections.deleteLinkToken('t1'));
        assert.equal(await store.read((r) => r.connections.linkToken('t1')), undefined);
      });
    });

    describe('events', () => {
      it('upsert inserts, then replaces by (calendar, event_id) keeping uid and creation time', async (store) => {
        const original = anEvent();
        await store.transaction((r) => r.events.upsert(original));
        assert.deepEqual(await store.read((r) => r.events.byKey('cal_1', 'evt_1')), original);

        const changed = anEvent({
          eventUid: 'uid_ignored',
          summary: 'Planning (moved)',
          startMs: T0 + 2 * HOUR,
          endMs: T0 + 4 * HOUR,
          allDay: true,
          transparency: 'transparent',
          status: 'tentative',
          data: { description: 'moved', nested: { list: [1, 'two', null, true] } },
          createdAt: T0,
          updatedAt: T0,
        });
        const elsewhere = anEvent({ calendarId: 'cal_2', summary: 'Same key, other calendar' });
        await store.transaction(async (r) => {
          await r.events.upsert(changed);
          await r.events.upsert(elsewhere);
        });
        await store.read(async (r) => {
          assert.deepEqual(await r.events.byKey('cal_1', 'evt_1'), {
            ...changed,
            eventUid: original.eventUid,
            createdAt: original.createdAt,
          });
          assert.deepEqual(await r.events.byKey('cal_2', 'evt_1'), elsewhere);
          assert.equal(await r.events.byKey('cal_1', 'nope'), undefined);
        });
      });

      it('markDeleted marks a live event once and stamps updatedAt', async (store) => {
        await store.transaction((r) => r.events.upsert(anEvent()));
        await store.transaction(async (r) => {
          assert.equal(await r.events.markDeleted('cal_1', 'evt_1', T0 + 7), true);
          assert.equal(await r.events.markDeleted('cal_1', 'evt_1', T0 + 8), false);
          assert.equal(await r.events.markDeleted('cal_1', 'nope', T0 + 8), false);
        });
        assert.deepEqual(
          await store.read((r) => r.events.byKey('cal_1', 'evt_1')),
          anEvent({ deleted: true, updatedAt: T0 + 7 }),
        );
      });

      it('busyIn keeps opaque, live, not cancelled events overlapping the half-open window', async (store) => {
        const window = { start: T0, end: T0 + 4 * HOUR };
        const events = [
          anEvent({ eventId: 'inside', startMs: T0 + HOUR, endMs: T0 + 2 * HOUR }),
          anEvent({ eventId: 'tentative', status: 'tentative', startMs: T0 + HOUR, endMs: T0 + 2 * HOUR }),
          anEvent({ eventId: 'straddles-start', startMs: T0 - HOUR, endMs: T0 + 1 }),
          anEvent({ eventId: 'straddles-end', startMs: T0 + 4 * HOUR - 1, endMs: T0 + 5 * HOUR }),
          anEvent({ eventId: 'covers', startMs: T0 - HOUR, endMs: T0 + 5 * HOUR }),
          anEvent({ eventId: 'ends-at-start', startMs: T0 - HOUR, endMs: T0 }),
          anEvent({ eventId: 'starts-at-end', startMs: T0 + 4 * HOUR, endMs: T0 + 5 * HOUR }),
          anEvent({ eventId: 'deleted', deleted: true }),
          anEvent({ eventId: 'cancelled', status: 'cancelled' }),
          anEvent({ eventId: 'transparent', transparency: 'transparent' }),
          anEvent({ calendarId: 'cal_2', eventId: 'other-calendar' }),
          anEvent({ calendarId: 'cal_b', eventId: 'not-asked' }),
        ];
        await store.transaction(async (r) => {
          for (const e of events) await r.events.upsert(e);
        });
        const busy = await store.read((r) => r.events.busyIn(['cal_1', 'cal_2'], window));
        const key = (b: { calendarId: string; startMs: number; endMs: number }): string =>
          `${b.calendarId}:${b.startMs - T0}:${b.endMs - T0}`;
        assert.deepEqual(
          busy.map(key).sort(),
          [
            { calendarId: 'cal_1', startMs: T0 + HOUR, endMs: T0 + 2 * HOUR },
            { calendarId: 'cal_1', startMs: T0 + HOUR, endMs: T0 + 2 * HOUR },
            { calendarId: 'cal_1', startMs: T0 - HOUR, endMs: T0 + 1 },
            { calendarId: 'cal_1', startMs: T0 + 4 * HOUR - 1, endMs: T0 + 5 * HOUR },
            { calendarId: 'cal_1', startMs: T0 - HOUR, endMs: T0 + 5 * HOUR },
            { calendarId: 'cal_2', startMs: T0, endMs: T0 + HOUR },
          ]
            .map(key)
            .sort(),
        );
        assert.deepEqual(Object.keys(busy[0]!).sort(), ['calendarId', 'endMs', 'startMs']);
        assert.deepEqual(await store.read((r) => r.events.busyIn([], window)), []);
      });

      it('busyIn equals a plain overlap filter for events of any length, also after they shrink or go', async (store) => {
        // Seeded: events of 1 minute to 40 days in two calendars, some rewritten shorter, some deleted.
        let seed = 7;
        const random = () => {
          seed = (seed * 48_271) % 2_147_483_647;
          return seed / 2_147_483_647;
        };
        const live = new Map<string, { calendarId: string; startMs: number; endMs: number }>();
        await store.transaction(async (r) => {
          for (let i = 0; i < 120; i += 1) {
            const calendarId = i % 2 === 0 ? 'cal_1' : 'cal_2';
            const startMs = T0 + Math.floor(random() * 60 * 24) * HOUR;
            const long = random() < 0.1;
            const endMs =
              startMs + (long ? Math.ceil(random() * 40 * 24) * HOUR : Math.ceil(random() * 120) * 60_000);
            await r.events.upsert(anEvent({ calendarId, eventId: `e${i}`, startMs, endMs }));
            live.set(`e${i}`, { calendarId, startMs, endMs });
          }
          for (let i = 0; i < 120; i += 7) {
            const event = live.get(`e${i}`)!;
            const shorter = { ...event, endMs: event.startMs + 60_000 };
            await r.events.upsert(anEvent({ ...shorter, eventId: `e${i}` }));
            live.set(`e${i}`, shorter);
          }
          for (let i = 3; i < 120; i += 11) {
            await r.events.markDeleted(live.get(`e${i}`)!.calendarId, `e${i}`, T0);
            live.delete(`e${i}`);
          }
        });
        const key = (b: { calendarId: string; startMs: number; endMs: number }) =>
          `${b.calendarId}:${b.startMs}:${b.endMs}`;
        for (let w = 0; w < 25; w += 1) {
          const start = T0 + Math.floor(random() * 70 * 24) * HOUR - 5 * 24 * HOUR;
          const window = { start, end: start + Math.ceil(random() * 10 * 24) * HOUR };
          const expected = [...live.values()]
            .filter((e) => e.endMs > window.start && e.startMs < window.end)
            .map(key)
            .sort();
          const busy = await store.read((r) => r.events.busyIn(['cal_1', 'cal_2'], window));
          assert.deepEqual(busy.map(key).sort(), expected, `window ${w}`);
        }
      });

      it('page orders by start, counts the total, and honours window, deleted and offset/limit', async (store) => {
        await store.transaction(async (r) => {
          for (let i = 0; i < 7; i += 1) {
            await r.events.upsert(
              anEvent({
                eventId: `e${i}`,
                startMs: T0 + (6 - i) * HOUR,
                endMs: T0 + (7 - i) * HOUR,
                deleted: i === 3,
              }),
            );
          }
          await r.events.upsert(anEvent({ calendarId: 'cal_b', eventId: 'foreign' }));
        });
        await store.read(async (r) => {
          const all = await r.events.page(['cal_1'], null, { includeDeleted: false, offset: 0, limit: 100 });
          assert.equal(all.total, 6);
          assert.deepEqual(
            all.items.map((e) => e.eventId),
            ['e6', 'e5', 'e4', 'e2', 'e1', 'e0'],
          );
          assert.deepEqual(
            all.items[0],
            anEvent({ eventId: 'e6', startMs: T0, endMs: T0 + HOUR }),
            'page items are whole records',
          );

          const second = await r.events.page(['cal_1'], null, { includeDeleted: false, offset: 2, limit: 2 });
          assert.deepEqual(
            { total: second.total, ids: second.items.map((e) => e.eventId) },
            { total: 6, ids: ['e4', 'e2'] },
          );

          const withDeleted = await r.events.page(['cal_1'], null, {
            includeDeleted: true,
            offset: 0,
            limit: 100,
          });
          assert.equal(withDeleted.total, 7);
          assert.equal(withDeleted.items.find((e) => e.eventId === 'e3')?.deleted, true);

          const windowed = await r.events.page(
            ['cal_1'],
            { start: T0 + HOUR, end: T0 + 3 * HOUR },
            { includeDeleted: true, offset: 0, limit: 1 },
          );
          assert.deepEqual(
            { total: windowed.total, ids: windowed.items.map((e) => e.eventId) },
            { total: 2, ids: ['e5'] },
          );
          const beyond = await r.events.page(['cal_1'], null, {
            includeDeleted: false,
            offset: 50,
            limit: 10,
          });
          assert.deepEqual(beyond, { items: [], total: 6 });
          assert.deepEqual(await r.events.page([], null, { includeDeleted: true, offset: 0, limit: 10 }), {
            items: [],
            total: 0,
          });
        });
      });

      it('page filters busy events only and events modified since an instant', async (store) => {
        await store.transaction(async (r) => {
          await r.events.upsert(anEvent({ eventId: 'a', updatedAt: T0 }));
          await r.events.upsert(anEvent({ eventId: 'b', status: 'cancelled', updatedAt: T0 + 5 }));
          await r.events.upsert(anEvent({ eventId: 'c', transparency: 'transparent', updatedAt: T0 + 10 }));
          await r.events.upsert(anEvent({ eventId: 'd', status: 'tentative', updatedAt: T0 + 10 }));
          await r.events.upsert(anEvent({ eventId: 'e', deleted: true, updatedAt: T0 + 10 }));
        });
        const ids = async (options: {
          busyOnly?: boolean;
          modifiedSince?: number;
          includeDeleted?: boolean;
        }) => {
          const page = await store.read((r) =>
            r.events.page(['cal_1'], null, { includeDeleted: false, offset: 0, limit: 10, ...options }),
          );
          return { total: page.total, ids: page.items.map((e) => e.eventId).sort() };
        };
        assert.deepEqual(await ids({ busyOnly: true }), { total: 2, ids: ['a', 'd'] });
        assert.deepEqual(await ids({ modifiedSince: T0 + 5 }), { total: 3, ids: ['b', 'c', 'd'] });
        assert.deepEqual(await ids({ modifiedSince: T0 + 5, includeDeleted: true }), {
          total: 4,
          ids: ['b', 'c', 'd', 'e'],
        });
        assert.deepEqual(await ids({ busyOnly: true, modifiedSince: T0 + 1 }), { total: 1, ids: ['d'] });
        assert.deepEqual(await ids({ busyOnly: false }), { total: 4, ids: ['a', 'b', 'c', 'd'] });
      });

      it('markDeletedIn deletes every live event of the calendars; every change bumps the calendar version', async (store) => {
        const version = async (id: string): Promise<number | undefined> =>
          (await store.read((r) => r.calendars.byId(id)))?.version;
        assert.equal(await version('cal_1'), 0);
        await store.transaction(async (r) => {
          await r.events.upsert(anEvent({ eventId: 'e1' }));
          await r.events.upsert(anEvent({ eventId: 'e2', deleted: true }));
          await r.events.upsert(anEvent({ calendarId: 'cal_2', eventId: 'e3' }));
          await r.events.upsert(anEvent({ calendarId: 'cal_b', eventId: 'e4' }));
        });
        assert.deepEqual([await version('cal_1'), await version('cal_2'), await version('cal_b')], [2, 1, 1]);
        await store.transaction(async (r) => {
          assert.equal(await r.events.markDeletedIn(['cal_1', 'cal_2'], T0 + 1), 2);
          assert.equal(await r.events.markDeletedIn(['cal_1', 'cal_2'], T0 + 2), 0);
          assert.equal(await r.events.markDeletedIn([], T0 + 2), 0);
          assert.equal(await r.events.markDeleted('cal_1', 'e1', T0 + 2), false);
        });
        assert.deepEqual(
          [await version('cal_1'), await version('cal_2'), await version('cal_b')],
          [3, 2, 1],
          'only writes that changed something bump the version',
        );
        await store.read(async (r) => {
          assert.deepEqual(
            await r.events.byKey('cal_1', 'e1'),
            anEvent({ eventId: 'e1', deleted: true, updatedAt: T0 + 1 }),
          );
          assert.deepEqual(await r.events.byKey('cal_1', 'e2'), anEvent({ eventId: 'e2', deleted: true }));
          assert.equal((await r.events.byKey('cal_b', 'e4'))?.deleted, false);
        });
        await store.transaction((r) => r.events.markDeleted('cal_b', 'e4', T0));
        assert.equal(await version('cal_b'), 2);
      });
    });

    describe('availability rules', () => {
      it('upsert inserts and replaces by (account, rule_id); lookups and delete', async (store) => {
        const rule = aRule();
        const everyCalendar = aRule({ ruleId: 'another', calendarIds: null, weeklyPeriods: [] });
        const otherAccount = aRule({ accountId: 'acc_2', ruleId: 'default' });
        await store.transaction(async (r) => {
          await r.rules.upsert(rule);
          await r.rules.upsert(everyCalendar);
          await r.rules.upsert(otherAccount);
        });
        await store.read(async (r) => {
          assert.deepEqual(await r.rules.byId('acc_1', 'default'), rule);
          assert.deepEqual(await r.rules.byId('acc_1', 'another'), everyCalendar);
          assert.equal(await r.rules.byId('acc_1', 'nope'), undefined);
          assert.deepEqual(await r.rules.byAccount('acc_1'), [everyCalendar, rule]);
          assert.deepEqual(await r.rules.byAccounts(['acc_2', 'acc_1']), [everyCalendar, rule, otherAccount]);
          assert.deepEqual(await r.rules.byAccounts([]), []);
        });
        const replaced = aRule({
          tzid: 'Europe/Paris',
          calendarIds: null,
          weeklyPeriods: [rule.weeklyPeriods[0]!],
        });
        await store.transaction((r) => r.rules.upsert(replaced));
        assert.deepEqual(await store.read((r) => r.rules.byId('acc_1', 'default')), replaced);
        await store.transaction(async (r) => {
          assert.equal(await r.rules.delete('acc_1', 'default'), true);
          assert.equal(await r.rules.delete('acc_1', 'default'), false);
        });
        assert.deepEqual(await store.read((r) => r.rules.byAccount('acc_1')), [everyCalendar]);
      });
    });

    describe('available periods', () => {
      it('upsert replaces by (account, period_id); page filters, orders and counts; delete', async (store) => {
        await store.transaction(async (r) => {
          for (let i = 0; i < 5; i += 1) {
            await r.periods.upsert(
              aPeriod({
                periodId: `p${i}`,
                startMs: T0 + (4 - i) * 24 * HOUR,
                endMs: T0 + (4 - i) * 24 * HOUR + HOUR,
              }),
            );
          }
          await r.periods.upsert(aPeriod({ accountId: 'acc_2', periodId: 'p0' }));
        });
        const moved = aPeriod({ periodId: 'p4', startMs: T0 + 100 * HOUR, endMs: T0 + 101 * HOUR });
        await store.transaction((r) => r.periods.upsert(moved));
        await store.read(async (r) => {
          const all = await r.periods.page('acc_1', null, 0, 100);
          assert.equal(all.total, 5);
          assert.deepEqual(
            all.items.map((p) => p.periodId),
            ['p3', 'p2', 'p1', 'p0', 'p4'],
          );
          assert.deepEqual(all.items[4], moved);
          const paged = await r.periods.page('acc_1', null, 1, 2);
          assert.deepEqual(
            { total: paged.total, ids: paged.items.map((p) => p.periodId) },
            { total: 5, ids: ['p2', 'p1'] },
          );
          // Half-open: p3 is [T0+24h, T0+25h), so a window starting at its end excludes it.
          const windowed = await r.periods.page(
            'acc_1',
            { start: T0 + 25 * HOUR, end: T0 + 72 * HOUR + 1 },
            0,
            10,
          );
          assert.deepEqual(
            { total: windowed.total, ids: windowed.items.map((p) => p.periodId) },
            { total: 2, ids: ['p2', 'p1'] },
          );
          const across = await r.periods.byAccounts(['acc_1', 'acc_2'], { start: T0, end: T0 + HOUR });
          assert.deepEqual(across, [aPeriod({ accountId: 'acc_2', periodId: 'p0' })]);
          assert.deepEqual(await r.periods.byAccounts([], { start: 0, end: T0 * 2 }), []);
          assert.deepEqual((await r.periods.accountsWithAny(['acc_2', 'acc_1', 'acc_3'])).sort(), [
            'acc_1',
            'acc_2',
          ]);
          assert.deepEqual(await r.periods.accountsWithAny(['acc_3']), []);
          assert.deepEqual(await r.periods.accountsWithAny([]), []);
        });
        await store.transaction(async (r) => {
          assert.equal(await r.periods.delete('acc_1', 'p4'), true);
          assert.equal(await r.periods.delete('acc_1', 'p4'), false);
        });
        assert.equal((await store.read((r) => r.periods.page('acc_1', null, 0, 10))).total, 4);
      });
    });

    describe('links', () => {
      it('insert, byId (scoped to the application) and byTokenHash round-trip every field', async (store) => {
        await store.read(async (r) => {
          assert.deepEqual(await r.links.byId('app_a', 'seq_1'), aLink());
          assert.equal(await r.links.byId('app_b', 'seq_1'), undefined);
          assert.deepEqual(
            await r.links.byTokenHash('link_hash_2'),
            aLink({ id: 'seq_2', tokenHash: 'link_hash_2' }),
          );
          assert.equal(await r.links.byTokenHash('nope'), undefined);
        });
      });

      it('a transition from open changes an open link exactly once', async (store) => {
        const booked = { sequence: [{ sequence_id: 'first', start: '2030-01-07T09:00:00Z' }] };
        await store.transaction(async (r) => {
          assert.equal(
            await r.links.transition('seq_1', { from: ['open'], status: 'completed', at: T0, booked }),
            true,
          );
          assert.equal(
            await r.links.transition('seq_1', { from: ['open'], status: 'disabled', at: T0 + 1 }),
            false,
          );
          assert.equal(
            await r.links.transition('seq_2', {
              from: ['open'],
              status: 'disabled',
              at: T0,
              displayMessage: 'Closed for now',
            }),
            true,
          );
          assert.equal(
            await r.links.transition('nope', { from: ['open'], status: 'disabled', at: T0 }),
            false,
          );
        });
        await store.read(async (r) => {
          assert.deepEqual(
            await r.links.byId('app_a', 'seq_1'),
            aLink({ status: 'completed', completedAt: T0, booked, version: 1 }),
          );
          assert.deepEqual(
            await r.links.byId('app_a', 'seq_2'),
            aLink({
              id: 'seq_2',
              tokenHash: 'link_hash_2',
              status: 'disabled',
              displayMessage: 'Closed for now',
              version: 1,
            }),
          );
        });
      });

      it('concurrent transitions from open: exactly one wins', async (store) => {
        const results = await Promise.all(
          Array.from({ length: 20 }, (_, i) =>
            store.transaction(async (r) => {
              const changed = await r.links.transition('seq_1', {
                from: ['open'],
                status: 'completed',
                at: T0 + i,
                booked: { i },
              });
              await sleep(2);
              return changed;
            }),
          ),
        );
        assert.equal(results.filter(Boolean).length, 1);
        const winner = results.indexOf(true);
        assert.deepEqual((await store.read((r) => r.links.byId('app_a', 'seq_1')))?.booked, { i: winner });
      });
    });

    it('transition changes status only from the given statuses, with booked option, steps and reason', async (store) => {
      const first = { format: 1, steps: [{ index: 0, start: T0 }] };
      const second = { format: 1, steps: [{ index: 0, start: T0 + HOUR }] };
      await store.transaction(async (r) => {
        assert.equal(
          await r.links.transition('seq_1', { from: ['open'], status: 'completed', at: T0, booked: first }),
          true,
        );
        const reschedule = {
          from: ['completed'],
          status: 'rescheduling',
          at: T0 + 1,
          rescheduleSteps: [1],
        } as const;
        assert.equal(await r.links.transition('seq_2', reschedule), false, 'seq_2 is open');
        assert.equal(await r.links.transition('seq_1', reschedule), true);
        assert.equal(await r.links.transition('seq_1', reschedule), false, 'no longer completed');
      });
      assert.deepEqual(
        await store.read((r) => r.links.byId('app_a', 'seq_1')),
        aLink({
          status: 'rescheduling',
          completedAt: T0,
          booked: first,
          rescheduleSteps: [1],
          version: 2,
          rescheduleBy: 'application',
        }),
      );
      await store.transaction(async (r) => {
        assert.equal(
          await r.links.transition('seq_1', {
            from: ['rescheduling'],
            status: 'completed',
            at: T0 + 2,
            booked: second,
            rescheduleSteps: null,
          }),
          true,
        );
        assert.equal(
          await r.links.transition('seq_1', {
            from: ['completed', 'rescheduling'],
            status: 'cancelled',
            at: T0 + 3,
            cancelReason: 'Position filled',
          }),
          true,
        );
      });
      assert.deepEqual(
        await store.read((r) => r.links.byId('app_a', 'seq_1')),
        aLink({
          status: 'cancelled',
          completedAt: T0 + 2,
          booked: second,
          cancelledAt: T0 + 3,
          cancelReason: 'Position filled',
          version: 4,
        }),
      );
    });

    it('transition with a version changes the link only at that version, and records who reschedules', async (store) => {
      await store.transaction(async (r) => {
        await r.links.transition('seq_1', {
          from: ['open'],
          status: 'completed',
          at: T0,
          booked: { steps: [] },
        });
        const reschedule = {
          from: ['completed'],
          status: 'rescheduling',
          at: T0 + 1,
          rescheduleBy: 'invitee',
        } as const;
        assert.equal(
          await r.links.transition('seq_1', { ...reschedule, version: 0 }),
          false,
          'stale version',
        );
        assert.equal(await r.links.transition('seq_1', { ...reschedule, version: 1 }), true);
      });
      const link = await store.read((r) => r.links.byId('app_a', 'seq_1'));
      assert.equal(link?.version, 2);
      assert.equal(link?.rescheduleBy, 'invitee');
    });

    it('lockById: a second transaction locking the link reads it only as the first one committed it', async (store) => {
      let locked!: () => void;
      const firstLocked = new Promise<void>((resolve) => {
        locked = resolve;
      });
      let release!: () => void;
      const gate = new Promise<void>((resolve) => {
        release = resolve;
      });
      const first = store.transaction(async (r) => {
        assert.equal((await r.links.lockById('seq_1'))?.status, 'open');
        locked();
        await gate;
        await r.links.transition('seq_1', {
          from: ['open'],
          status: 'disabled',
          at: T0,
          displayMessage: 'first',
        });
      });
      await firstLocked;
      const second = store.transaction((r) => r.links.lockById('seq_1'));
      release();
      await first;
      const seen = await second;
      assert.equal(seen?.status, 'disabled');
      assert.equal(seen?.version, 1);
      assert.equal(await store.transaction((r) => r.links.lockById('nope')), undefined);
    });

    describe('reservations', () => {
      const window = { start: T0 - 24 * HOUR, end: T0 + 24 * HOUR };
      const live = (store: Store, now = T0): Promise<string[]> =>
        store.read(async (r) =>
          (await r.reservations.liveIn(['acc_1', 'acc_2'], window, now)).map((x) => x.id).sort(),
        );

      it('insertAll round-trips holds and bookings; byLink lists the bookings of one link', async (store) => {
        const booking = aReservation();
        const later = aReservation({
          id: 'res_2',
          accountId: 'acc_2',
          startMs: T0 + 2 * HOUR,
          endMs: T0 + 3 * HOUR,
        });
        const hold = aReservation({
          id: 'res_3',
          startMs: T0 + 5 * HOUR,
          endMs: T0 + 6 * HOUR,
          kind: 'hold',
          expiresAt: T0 + 600_000,
          holderKey: 'session_1',
        });
        const otherLink = aReservation({
          id: 'res_4',
          linkId: 'seq_2',
          startMs: T0 + 7 * HOUR,
          endMs: T0 + 8 * HOUR,
        });
        await store.transaction((r) => r.reservations.insertAll([later, hold, booking, otherLink], T0, null));
        await store.read(async (r) => {
          assert.deepEqual(await r.reservations.byLink('seq_1'), [booking, later]);
          assert.deepEqual(await r.reservations.byLink('seq_2'), [otherLink]);
          const found = await r.reservations.liveIn(['acc_1'], window, T0);
          assert.deepEqual(
            [...found].sort((a, b) => a.startMs - b.startMs),
            [booking, hold, otherLink],
          );
        });
        await store.transaction((r) => r.reservations.insertAll([], T0, null));
      });

      it('an overlapping insert throws ReservationConflictError and writes nothing of the batch', async (store) => {
        await store.transaction((r) => r.reservations.insertAll([aReservation()], T0, null));
        const batch = [
          aReservation({ id: 'fine', accountId: 'acc_2' }),
          aReservation({ id: 'clash', startMs: T0 + HOUR - 1, endMs: T0 + 2 * HOUR }),
        ];
        await assert.rejects(
          store.transaction((r) => r.reservations.insertAll(batch, T0, null)),
          ReservationConflictError,
        );
        // Even when the caller catches the conflict and commits the rest of its transaction.
        await store.transaction(async (r) => {
          await assert.rejects(r.reservations.insertAll(batch, T0, null), ReservationConflictError);
          await r.events.upsert(anEvent());
          await r.reservations.insertAll(
            [aReservation({ id: 'after', startMs: T0 + 3 * HOUR, endMs: T0 + 4 * HOUR })],
            T0,
            null,
          );
        });
        assert.deepEqual(await live(store), ['after', 'res_1']);
        assert.notEqual(await store.read((r) => r.events.byKey('cal_1', 'evt_1')), undefined);
      });

      it('a batch overlapping itself conflicts', async (store) => {
        await assert.rejects(
          store.transaction((r) =>
            r.reservations.insertAll(
              [aReservation({ id: 'a' }), aReservation({ id: 'b', startMs: T0 + 30 * 60_000 })],
              T0,
              null,
            ),
          ),
          ReservationConflictError,
        );
        assert.deepEqual(await live(store), []);
      });

      it('touching intervals and other participants do not conflict', async (store) => {
        await store.transaction((r) => r.reservations.insertAll([aReservation()], T0, null));
        await store.transaction((r) =>
          r.reservations.insertAll(
            [
              aReservation({ id: 'before', startMs: T0 - HOUR, endMs: T0 }),
              aReservation({ id: 'after', startMs: T0 + HOUR, endMs: T0 + 2 * HOUR }),
              aReservation({ id: 'same-time-other-account', accountId: 'acc_2' }),
            ],
            T0,
            null,
          ),
        );
        assert.deepEqual(await live(store), ['after', 'before', 'res_1', 'same-time-other-account']);
      });

      it('unexpired holds conflict; expired holds do not, and are gone afterwards', async (store) => {
        const hold = aReservation({
          id: 'hold',
          kind: 'hold',
          expiresAt: T0 + 60_000,
          holderKey: 'session_1',
        });
        await store.transaction((r) => r.reservations.insertAll([hold], T0, null));
        await assert.rejects(
          store.transaction((r) => r.reservations.insertAll([aReservation()], T0 + 59_999, null)),
          ReservationConflictError,
        );
        // expiresAt is exclusive: at T0+60s the hold has expired.
        assert.deepEqual(await live(store, T0 + 59_999), ['hold']);
        assert.deepEqual(await live(store, T0 + 60_000), []);
        await store.transaction((r) => r.reservations.insertAll([aReservation()], T0 + 60_000, null));
        assert.deepEqual(await live(store, T0 + 60_000), ['res_1']);
        assert.deepEqual(await live(store, 0), ['res_1'], 'the expired hold was removed, not just ignored');
      });

      it('the same holder replaces its own holds (on any account); another holder cannot', async (store) => {
        const holds = [
          aReservation({ id: 'h1', kind: 'hold', expiresAt: T0 + HOUR, holderKey: 'session_1' }),
          aReservation({
            id: 'h2',
            accountId: 'acc_2',
            kind: 'hold',
            expiresAt: T0 + HOUR,
            holderKey: 'session_1',
          }),
        ];
        await store.transaction((r) => r.reservations.insertAll(holds, T0, null));
        await assert.rejects(
          store.transaction((r) => r.reservations.insertAll([aReservation({ id: 'b1' })], T0, 'session_2')),
          ReservationConflictError,
        );
        assert.deepEqual(await live(store), ['h1', 'h2']);
        await store.transaction((r) =>
          r.reservations.insertAll([aReservation({ id: 'b1', startMs: T0 + 30 * 60_000 })], T0, 'session_1'),
        );
        assert.deepEqual(await live(store), ['b1']);
      });

      it('releaseLink drops the given kinds of one link only; a released time can be taken again', async (store) => {
        const rows = [
          aReservation({ id: 'b1' }),
          aReservation({ id: 'b2', accountId: 'acc_2' }),
          aReservation({
            id: 'h1',
            startMs: T0 + 2 * HOUR,
            endMs: T0 + 3 * HOUR,
            kind: 'hold',
            expiresAt: T0 + HOUR,
            holderKey: 'k',
          }),
          aReservation({ id: 'other', linkId: 'seq_2', startMs: T0 + 4 * HOUR, endMs: T0 + 5 * HOUR }),
        ];
        await store.transaction((r) => r.reservations.insertAll(rows, T0, null));
        await store.transaction(async (r) => {
          await r.reservations.releaseLink('seq_1', ['booking']);
          // In the same transaction the released time is free again (a reschedule's one step).
          await r.reservations.insertAll(
            [aReservation({ id: 'moved', startMs: T0 + 30 * 60_000, endMs: T0 + 90 * 60_000 })],
            T0,
            null,
          );
        });
        assert.deepEqual(await live(store), ['h1', 'moved', 'other']);
        await store.transaction((r) => r.reservations.releaseLink('seq_1', ['booking', 'hold']));
        assert.deepEqual(await live(store), ['other']);
      });

      it('liveIn filters by account, half-open window and expiry; releaseHolds drops one holder on one link', async (store) => {
        const rows = [
          aReservation({ id: 'booking' }),
          aReservation({
            id: 'hold-live',
            startMs: T0 + 2 * HOUR,
            endMs: T0 + 3 * HOUR,
            kind: 'hold',
            expiresAt: T0 + 1,
            holderKey: 'k1',
          }),
          aReservation({
            id: 'hold-other-link',
            linkId: 'seq_2',
            startMs: T0 + 4 * HOUR,
            endMs: T0 + 5 * HOUR,
            kind: 'hold',
            expiresAt: T0 + 1,
            holderKey: 'k1',
          }),
          aReservation({
            id: 'hold-other-holder',
            startMs: T0 + 6 * HOUR,
            endMs: T0 + 7 * HOUR,
            kind: 'hold',
            expiresAt: T0 + 1,
            holderKey: 'k2',
          }),
          aReservation({
            id: 'hold-expired',
            startMs: T0 + 8 * HOUR,
            endMs: T0 + 9 * HOUR,
            kind: 'hold',
            expiresAt: T0,
            holderKey: 'k1',
          }),
        ];
        await store.transaction((r) => r.reservations.insertAll(rows, T0 - 1, null));
        await store.read(async (r) => {
          const ids = async (accountIds: string[], start: number, end: number): Promise<string[]> =>
            (await r.reservations.liveIn(accountIds, { start, end }, T0)).map((x) => x.id).sort();
          assert.deepEqual(await ids(['acc_1'], window.start, window.end), [
            'booking',
            'hold-live',
            'hold-other-holder',
            'hold-other-link',
          ]);
          assert.deepEqual(await ids(['acc_2'], window.start, window.end), []);
          assert.deepEqual(await ids([], window.start, window.end), []);
          assert.deepEqual(await ids(['acc_1'], T0 + HOUR, T0 + 2 * HOUR), []);
          assert.deepEqual(await ids(['acc_1'], T0 + HOUR - 1, T0 + 2 * HOUR + 1), ['booking', 'hold-live']);
        });
        await store.transaction((r) => r.reservations.releaseHolds('seq_1', 'k1'));
        assert.deepEqual(await live(store, T0 - 1), ['booking', 'hold-other-holder', 'hold-other-link']);
      });
    });

    describe('outbox', () => {
      it('backlog counts pending items and dates the oldest (delivered and failed ones do not count)', async (store) => {
        assert.deepEqual(await store.read((r) => r.outbox.backlog()), { pending: 0, oldestCreatedAt: null });
        await store.transaction(async (r) => {
          await r.outbox.insert(anOutboxItem({ id: 'p1', deliveryId: 'd1', createdAt: T0 - 5 * HOUR }));
          await r.outbox.insert(anOutboxItem({ id: 'p2', deliveryId: 'd2', createdAt: T0 - HOUR }));
          await r.outbox.insert(
            anOutboxItem({ id: 'x1', deliveryId: 'd3', status: 'delivered', createdAt: T0 - 9 * HOUR }),
          );
          await r.outbox.insert(
            anOutboxItem({ id: 'x2', deliveryId: 'd4', status: 'failed', createdAt: T0 - 8 * HOUR }),
          );
        });
        assert.deepEqual(await store.read((r) => r.outbox.backlog()), {
          pending: 2,
          oldestCreatedAt: T0 - 5 * HOUR,
        });
      });

      it('insert and byId round-trip every field; list filters and orders', async (store) => {
        const item = anOutboxItem();
        const done = anOutboxItem({
          id: 'out_2',
          deliveryId: 'del_2',
          kind: 'caldav_write',
          status: 'delivered',
          attempts: 2,
          leaseUntil: T0 + 5,
          leaseOwner: 'w',
          lastError: 'timeout',
          createdAt: T0 - 2 * HOUR,
          finishedAt: T0 + 9,
        });
        const foreign = anOutboxItem({
          id: 'out_3',
          deliveryId: 'del_3',
          applicationId: 'app_b',
          createdAt: T0,
        });
        await store.transaction(async (r) => {
          for (const o of [item, done, foreign]) await r.outbox.insert(o);
        });
        await store.read(async (r) => {
          assert.deepEqual(await r.outbox.byId('out_1'), item);
          assert.deepEqual(await r.outbox.byId('out_2'), done);
          assert.equal(await r.outbox.byId('nope'), undefined);
          assert.deepEqual(
            (await r.outbox.list({ limit: 10 })).map((o) => o.id),
            ['out_2', 'out_1', 'out_3'],
          );
          assert.deepEqual(
            (await r.outbox.list({ limit: 2 })).map((o) => o.id),
            ['out_2', 'out_1'],
          );
          assert.deepEqual(
            (await r.outbox.list({ applicationId: 'app_a', limit: 10 })).map((o) => o.id),
            ['out_2', 'out_1'],
          );
          assert.deepEqual(
            (await r.outbox.list({ status: 'pending', limit: 10 })).map((o) => o.id),
            ['out_1', 'out_3'],
          );
          assert.deepEqual(
            (await r.outbox.list({ applicationId: 'app_b', status: 'delivered', limit: 10 })).map(
              (o) => o.id,
            ),
            [],
          );
        });
      });

      it('claimDue takes due pending items in order, up to the limit, and leases them', async (store) => {
        await store.transaction(async (r) => {
          await r.outbox.insert(anOutboxItem({ id: 'o3', deliveryId: 'd3', nextAttemptAt: T0 - 1 }));
          await r.outbox.insert(anOutboxItem({ id: 'o1', deliveryId: 'd1', nextAttemptAt: T0 - 3 }));
          await r.outbox.insert(anOutboxItem({ id: 'o2', deliveryId: 'd2', nextAttemptAt: T0 - 2 }));
          await r.outbox.insert(anOutboxItem({ id: 'future', deliveryId: 'df', nextAttemptAt: T0 + 1 }));
          await r.outbox.insert(
            anOutboxItem({ id: 'failed', deliveryId: 'dx', status: 'failed', nextAttemptAt: 0 }),
          );
          await r.outbox.insert(
            anOutboxItem({ id: 'delivered', deliveryId: 'dy', status: 'delivered', nextAttemptAt: 0 }),
          );
        });
        const first = await store.transaction((r) => r.outbox.claimDue('w1', T0, T0 + 30_000, 2));
        // RETURNING does not promise an order: compare as a set.
        assert.deepEqual(
          [...first].sort((a, b) => (a.id < b.id ? -1 : 1)),
          [
            anOutboxItem({
              id: 'o1',
              deliveryId: 'd1',
              nextAttemptAt: T0 - 3,
              leaseOwner: 'w1',
              leaseUntil: T0 + 30_000,
            }),
            anOutboxItem({
              id: 'o2',
              deliveryId: 'd2',
              nextAttemptAt: T0 - 2,
              leaseOwner: 'w1',
              leaseUntil: T0 + 30_000,
            }),
          ],
        );
        const second = await store.transaction((r) => r.outbox.claimDue('w2', T0, T0 + 30_000, 10));
        assert.deepEqual(
          second.map((o) => o.id),
          ['o3'],
        );
        assert.deepEqual(await store.transaction((r) => r.outbox.claimDue('w3', T0, T0 + 30_000, 10)), []);
      });

      it('an expired lease makes an item claimable again, and only the lease owner may finish it', async (store) => {
        await store.transaction((r) => r.outbox.insert(anOutboxItem()));
        const [claimed] = await store.transaction((r) => r.outbox.claimDue('w1', T0, T0 + 1_000, 5));
        assert.equal(claimed?.leaseOwner, 'w1');
        assert.deepEqual(
          await store.transaction((r) => r.outbox.claimDue('w2', T0 + 999, T0 + 2_000, 5)),
          [],
        );
        const [reclaimed] = await store.transaction((r) =>
          r.outbox.claimDue('w2', T0 + 1_000, T0 + 2_000, 5),
        );
        assert.deepEqual(reclaimed, anOutboxItem({ leaseOwner: 'w2', leaseUntil: T0 + 2_000 }));

        const result = {
          attempt: anAttempt(),
          status: 'pending' as const,
          nextAttemptAt: T0 + 60_000,
          lastError: 'HTTP 500',
          finishedAt: null,
        };
        await store.transaction(async (r) => {
          assert.equal(await r.outbox.finishAttempt('out_1', 'w1', result), false, 'w1 lost its lease');
          assert.equal(await r.outbox.finishAttempt('out_1', 'w2', result), true);
          assert.equal(await r.outbox.finishAttempt('out_1', 'w2', result), false, 'the lease ended');
        });
        await store.read(async (r) => {
          assert.deepEqual(
            await r.outbox.byId('out_1'),
            anOutboxItem({ attempts: 1, nextAttemptAt: T0 + 60_000, lastError: 'HTTP 500' }),
          );
          assert.deepEqual(await r.outbox.attempts('out_1'), [anAttempt()]);
        });
      });

      it('attempts are recorded in order; a final success stops further claims', async (store) => {
        await store.transaction((r) => r.outbox.insert(anOutboxItem()));
        const second = anAttempt({
          attempt: 2,
          at: T0 + 61_000,
          statusCode: null,
          error: 'ECONNRESET',
          durationMs: 10_000,
        });
        const third = anAttempt({
          attempt: 3,
          at: T0 + 200_000,
          statusCode: 204,
          error: null,
          durationMs: 35,
        });
        const steps = [
          {
            now: T0,
            attempt: anAttempt(),
            status: 'pending' as const,
            next: T0 + 60_000,
            error: 'HTTP 500',
            finished: null,
          },
          {
            now: T0 + 61_000,
            attempt: second,
            status: 'pending' as const,
            next: T0 + 200_000,
            error: 'ECONNRESET',
            finished: null,
          },
          {
            now: T0 + 200_000,
            attempt: third,
            status: 'delivered' as const,
            next: T0 + 200_000,
            error: null,
            finished: T0 + 200_035,
          },
        ];
        for (const step of steps) {
          const claimed = await store.transaction((r) =>
            r.outbox.claimDue('w', step.now, step.now + 30_000, 1),
          );
          assert.deepEqual(
            claimed.map((o) => o.id),
            ['out_1'],
          );
          assert.equal(
            await store.transaction((r) =>
              r.outbox.finishAttempt('out_1', 'w', {
                attempt: step.attempt,
                status: step.status,
                nextAttemptAt: step.next,
                lastError: step.error,
                finishedAt: step.finished,
              }),
            ),
            true,
          );
        }
        await store.read(async (r) => {
          assert.deepEqual(await r.outbox.attempts('out_1'), [anAttempt(), second, third]);
          assert.deepEqual(await r.outbox.attempts('nope'), []);
          assert.deepEqual(
            await r.outbox.byId('out_1'),
            anOutboxItem({
              status: 'delivered',
              attempts: 3,
              nextAttemptAt: T0 + 200_000,
              finishedAt: T0 + 200_035,
            }),
          );
        });
        assert.deepEqual(await store.transaction((r) => r.outbox.claimDue('w', T0 * 2, T0 * 2, 5)), []);
      });

      it('release gives a claimed item back, but only for its owner', async (store) => {
        await store.transaction((r) => r.outbox.insert(anOutboxItem()));
        await store.transaction((r) => r.outbox.claimDue('w1', T0, T0 + 60_000, 1));
        await store.transaction((r) => r.outbox.release('out_1', 'w2'));
        assert.deepEqual(await store.transaction((r) => r.outbox.claimDue('w2', T0, T0 + 60_000, 1)), []);
        await store.transaction((r) => r.outbox.release('out_1', 'w1'));
        assert.deepEqual(await store.read((r) => r.outbox.byId('out_1')), anOutboxItem());
        assert.equal((await store.transaction((r) => r.outbox.claimDue('w2', T0, T0 + 60_000, 1))).length, 1);
      });

      it('replay makes failed and pending items due now, scoped to the application; never delivered ones', async (store) => {
        await store.transaction(async (r) => {
          await r.outbox.insert(
            anOutboxItem({
              status: 'failed',
              attempts: 9,
              nextAttemptAt: T0 + HOUR,
              lastError: 'HTTP 410',
              finishedAt: T0,
            }),
          );
          await r.outbox.insert(
            anOutboxItem({ id: 'out_2', deliveryId: 'del_2', status: 'delivered', finishedAt: T0 }),
          );
          await r.outbox.insert(anOutboxItem({ id: 'out_3', deliveryId: 'del_3', nextAttemptAt: T0 + HOUR }));
        });
        await store.transaction(async (r) => {
          assert.equal(await r.outbox.replay('out_1', T0 + 5, 'app_b'), false);
          assert.equal(await r.outbox.replay('out_1', T0 + 5, 'app_a'), true);
          assert.equal(await r.outbox.replay('out_2', T0 + 5), false);
          assert.equal(await r.outbox.replay('out_3', T0 + 5), true);
          assert.equal(await r.outbox.replay('nope', T0 + 5), false);
        });
        await store.read(async (r) => {
          assert.deepEqual(
            await r.outbox.byId('out_1'),
            anOutboxItem({ attempts: 9, nextAttemptAt: T0 + 5, lastError: 'HTTP 410' }),
          );
          assert.equal((await r.outbox.byId('out_2'))?.status, 'delivered');
        });
        const claimed = await store.transaction((r) => r.outbox.claimDue('w', T0 + 5, T0 + 60_000, 10));
        assert.deepEqual(claimed.map((o) => o.id).sort(), ['out_1', 'out_3']);
      });

      it('two concurrent claimers never get the same item (20 rounds of 60 items)', async (store) => {
        for (let round = 0; round < 20; round += 1) {
          assertDisjointCover(await drainConcurrently([store, store], 60, 1 + (round % 7), round), 60);
        }
      });
    });

    channelsContract(it);
    syncContract(it);

    describe('retention', () => {
      it('pruneEndedBefore deletes only reservations that ended before the bound, at most limit', async (store) => {
        await store.transaction(async (r) => {
          for (let i = 0; i < 5; i += 1) {
            const startMs = T0 + i * HOUR;
            await r.reservations.insertAll(
              [aReservation({ id: `res_${i}`, startMs, endMs: startMs + HOUR })],
              T0,
              null,
            );
          }
        });
        // res_0 ends at T0+1h, res_1 at T0+2h, …: a bound of T0+3h covers res_0 and res_1 (res_2 ends on it).
        assert.equal(await store.transaction((r) => r.reservations.pruneEndedBefore(T0 + 3 * HOUR, 1)), 1);
        assert.equal(await store.transaction((r) => r.reservations.pruneEndedBefore(T0 + 3 * HOUR, 10)), 1);
        assert.equal(await store.transaction((r) => r.reservations.pruneEndedBefore(T0 + 3 * HOUR, 10)), 0);
        const left = await store.read((r) => r.reservations.liveIn(['acc_1'], { start: 0, end: T0 * 2 }, T0));
        assert.deepEqual(left.map((x) => x.id).sort(), ['res_2', 'res_3', 'res_4']);
      });

      it('pruneDeliveredBefore deletes old delivered items with their attempts, never failed or pending ones', async (store) => {
        await store.transaction(async (r) => {
          await r.outbox.insert(anOutboxItem({ id: 'out_1', deliveryId: 'd1' }));
          await r.outbox.insert(
            anOutboxItem({ id: 'out_2', deliveryId: 'd2', status: 'failed', finishedAt: T0 }),
          );
          await r.outbox.insert(anOutboxItem({ id: 'out_3', deliveryId: 'd3', status: 'pending' }));
          await r.outbox.insert(
            anOutboxItem({ id: 'out_4', deliveryId: 'd4', status: 'delivered', finishedAt: T0 + 2 * HOUR }),
          );
        });
        await store.transaction(async (r) => {
          await r.outbox.claimDue('w', T0, T0 + 60_000, 10);
          await r.outbox.finishAttempt('out_1', 'w', {
            status: 'delivered',
            nextAttemptAt: T0,
            lastError: null,
            finishedAt: T0,
            attempt: anAttempt({ statusCode: 200, error: null }),
          });
        });
        assert.equal((await store.read((r) => r.outbox.attempts('out_1'))).length, 1);
        assert.equal(await store.transaction((r) => r.outbox.pruneDeliveredBefore(T0 + HOUR, 10)), 1);
        const ids = (await store.read((r) => r.outbox.list({ limit: 10 }))).map((o) => o.id).sort();
        assert.deepEqual(ids, ['out_2', 'out_3', 'out_4']);
        assert.deepEqual(await store.read((r) => r.outbox.attempts('out_1')), []);
      });
    });

    loadLimitsContract(it, parallel);

    describe('concurrency', () => {
      it('50 concurrent transactions reserving overlapping times for one participant: exactly one wins', async (store) => {
        const { ok, errors } = await raceForOneSlot([store], 50, parallel);
        assert.equal(ok, 1);
        assert.equal(errors.length, 49);
        for (const error of errors) assert.ok(error instanceof ReservationConflictError, String(error));
        assert.equal(
          (await store.read((r) => r.reservations.liveIn(['acc_1'], { start: 0, end: T0 * 2 }, T0))).length,
          1,
        );
      });
    });
  });
}
