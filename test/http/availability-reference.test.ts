/**
 * `POST /v1/availability` over HTTP against the domain's brute-force reference, on random managed
 * availability worlds (weekly rules across DST gaps and overlaps, stored periods in and far out of
 * the window, accounts with nothing configured, subs shared by groups, now with milliseconds). Every
 * rule, period and busy event goes through the API and the database, so the load step
 * (app/availability/participants.ts) is checked along with the domain.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { type RawAccount, referenceMember } from '../../src/domain/engine/managed-reference.test-support.ts';
import {
  MANAGED_SUBS,
  type ManagedQuery,
  managedQueryArb,
} from '../../src/domain/engine/managed-scenarios.test-support.ts';
import { referenceAvailability, referenceSequences } from '../../src/domain/engine/reference.test-support.ts';
import type { Group } from '../../src/domain/engine/types.ts';
import type { Interval } from '../../src/domain/time/intervals.ts';
import { startTestServer, type TestAccount, type TestServer } from '../support/server.ts';

const MINUTE = 60_000;
const iso = (t: number) => new Date(t).toISOString().replace('.000Z', 'Z');
const nonEmpty = (list: readonly Interval[]) => list.filter((i) => i.start < i.end);
const wirePeriods = (list: readonly Interval[]) =>
  list.map((i) => ({ start: iso(i.start), end: iso(i.end) }));

function rotated<T>(list: readonly T[], k: number): T[] {
  const shift = k % list.length;
  return [...list.slice(shift), ...list.slice(0, shift)];
}

/** The generated query with only what the wire accepts (no empty periods). */
function wireable(q: ManagedQuery): ManagedQuery | null {
  const queryPeriods = nonEmpty(q.queryPeriods);
  if (queryPeriods.length === 0) return null;
  const world = {
    ...q.world,
    busy: new Map([...q.world.busy].map(([sub, busy]) => [sub, nonEmpty(busy)])),
  };
  const groups = q.groups.map((group) => ({
    ...group,
    members: group.members.map((m) => ({
      ...m,
      busy: world.busy.get(m.sub)!,
      requestPeriods: m.requestPeriods === null ? null : nonEmpty(m.requestPeriods),
    })),
  }));
  return { ...q, world, groups, queryPeriods };
}

describe('POST /v1/availability equals the brute-force reference on managed availability', () => {
  let server: TestServer;
  let run = 0;

  before(async () => {
    server = await startTestServer();
  });
  after(() => server.close());

  async function store(account: TestAccount, raw: RawAccount, busy: readonly Interval[]): Promise<void> {
    const ok = (res: { status: number; text: string }, status: number) =>
      assert.equal(res.status, status, res.text);
    for (const rule of raw.rules) {
      const body = {
        availability_rule_id: rule.ruleId,
        tzid: rule.tzid,
        weekly_periods: rule.weeklyPeriods.map((p) => ({
          day: p.day,
          start_time: p.startTime,
          end_time: p.endTime,
        })),
      };
      ok(await server.call('POST', '/v1/availability_rules', { token: account.accessToken, body }), 200);
    }
    for (const [k, period] of raw.storedPeriods.entries()) {
      const body = { available_period_id: `p${k}`, start: iso(period.start), end: iso(period.end) };
      ok(await server.call('POST', '/v1/available_periods', { token: account.accessToken, body }), 202);
    }
    for (const [k, event] of busy.entries()) {
      const body = { event_id: `busy${k}`, summary: 'Busy', start: iso(event.start), end: iso(event.end) };
      const path = `/v1/calendars/${account.calendarId}/events`;
      ok(await server.call('POST', path, { token: account.accessToken, body }), 202);
    }
  }

  /** Fresh accounts for one case, with everything the world stores written through the API. */
  async function world(q: ManagedQuery) {
    run++;
    const accounts = new Map<string, TestAccount>();
    for (const name of MANAGED_SUBS) {
      const account = await server.createAccount(`ref-${run}-${name}`);
      accounts.set(name, account);
      await store(account, q.world.accounts.get(name)!, q.world.busy.get(name)!);
    }
    const nameOf = new Map([...accounts].map(([name, account]) => [account.sub, name]));
    return { accounts, nameOf };
  }

  const wireGroups = (q: ManagedQuery, accounts: ReadonlyMap<string, TestAccount>) =>
    q.groups.map((group) => ({
      required: group.required,
      members: group.members.map((m) => ({
        sub: accounts.get(m.sub)!.sub,
        managed_availability: m.managed,
        ...(m.ruleIds === null ? {} : { availability_rule_ids: m.ruleIds }),
        ...(m.requestPeriods === null ? {} : { available_periods: wirePeriods(m.requestPeriods) }),
      })),
    }));

  const referenceGroups = (q: ManagedQuery): Group[] => {
    const from = Math.min(...q.queryPeriods.map((p) => p.start));
    const to = Math.max(...q.queryPeriods.map((p) => p.end));
    return q.groups.map((group) => ({
      required: group.required,
      members: group.members.map((m) => referenceMember(m, q.world.accounts.get(m.sub)!, from, to)),
    }));
  };

  it('on random worlds (all three formats)', async () => {
    await fc.assert(
      fc.asyncProperty(managedQueryArb(), async (generated) => {
        const q = wireable(generated);
        if (q === null) return;
        const { accounts, nameOf } = await world(q);
        server.clock.set(q.now);
        const res = await server.call('POST', '/v1/availability', {
          token: server.clientSecret,
          body: {
            participants: wireGroups(q, accounts),
            required_duration: { minutes: q.durationMs / MINUTE },
            ...(q.startIntervalMinutes === null
              ? {}
              : { start_interval: { minutes: q.startIntervalMinutes } }),
            buffer: {
              before: { minutes: q.bufferBeforeMs / MINUTE },
              after: { minutes: q.bufferAfterMs / MINUTE },
            },
            minimum_notice: { minutes: q.minimumNoticeMs / MINUTE },
            tzid: q.world.zone,
            response_format: q.format,
            query_periods: wirePeriods(q.queryPeriods),
          },
        });
        assert.equal(res.status, 200, res.text);
        const key = q.format === 'periods' ? 'available_periods' : 'available_slots';
        const answered = (
          res.json[key] as { start: string; end: string; participants: { sub: string }[] }[]
        ).map((r) => ({
          start: r.start,
          end: r.end,
          participants: r.participants.map((p) => nameOf.get(p.sub)),
        }));
        const groups = referenceGroups(q);
        const expected = referenceAvailability({
          groups,
          durationMs: q.durationMs,
          startIntervalMinutes: q.startIntervalMinutes,
          alignmentZone: q.world.zone,
          queryPeriods: q.queryPeriods,
          now: q.now,
          minimumNoticeMs: q.minimumNoticeMs,
          bufferBeforeMs: q.bufferBeforeMs,
          bufferAfterMs: q.bufferAfterMs,
          format: q.format,
          maxResults: 512,
        }).map((r) => ({ start: iso(r.start), end: iso(r.end), participants: r.participants }));
        assert.deepEqual(answered, expected);
      }),
      { numRuns: 40 },
    );
  });

  it('on random worlds, as sequences of one or two steps (POST /v1/sequenced_availability)', async () => {
    await fc.assert(
      fc.asyncProperty(managedQueryArb(), fc.integer({ min: 1, max: 2 }), async (generated, stepCount) => {
        const q = wireable(generated);
        if (q === null) return;
        const { accounts, nameOf } = await world(q);
        server.clock.set(q.now);
        const interval = q.startIntervalMinutes ?? 30;
        const steps = Array.from({ length: stepCount }, (_, index) => index);
        const res = await server.call('POST', '/v1/sequenced_availability', {
          token: server.clientSecret,
          body: {
            sequence: steps.map((index) => ({
              sequence_id: `s${index}`,
              participants: rotated(wireGroups(q, accounts), index),
              required_duration: { minutes: q.durationMs / MINUTE },
              start_interval: { minutes: interval },
              buffer: {
                before: { minimum: { minutes: q.bufferBeforeMs / MINUTE } },
                after: {
                  minimum: { minutes: q.bufferAfterMs / MINUTE },
                  ...(index === 0 ? { maximum: { minutes: 180 } } : {}),
                },
              },
            })),
            minimum_notice: { minutes: q.minimumNoticeMs / MINUTE },
            tzid: q.world.zone,
            query_periods: wirePeriods(q.queryPeriods),
          },
        });
        assert.equal(res.status, 200, res.text);
        type WireStep = { sequence_id: string; start: string; end: string; participants: { sub: string }[] };
        const answered = (res.json.sequences as { sequence: WireStep[] }[]).map((option) =>
          option.sequence.map((step) => ({
            sequence_id: step.sequence_id,
            start: step.start,
            end: step.end,
            participants: step.participants.map((p) => nameOf.get(p.sub)),
          })),
        );
        const groups = referenceGroups(q);
        const expected = referenceSequences({
          steps: steps.map((index) => ({
            index,
            ordinal: null,
            groups: rotated(groups, index),
            durationMs: q.durationMs,
            startIntervalMinutes: interval,
            before: { minMs: q.bufferBeforeMs, maxMs: null },
            after: { minMs: q.bufferAfterMs, maxMs: index === 0 ? 180 * MINUTE : null },
            stepPeriods: null,
          })),
          queryPeriods: q.queryPeriods,
          alignmentZone: q.world.zone,
          now: q.now,
          minimumNoticeMs: q.minimumNoticeMs,
          maxResults: 256,
        }).map((option) =>
          option.steps.map((step) => ({
            sequence_id: `s${step.index}`,
            start: iso(step.start),
            end: iso(step.end),
            participants: step.participants,
          })),
        );
        assert.deepEqual(answered, expected);
      }),
      { numRuns: 25 },
    );
  });
});
