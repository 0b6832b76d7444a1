/** Constraint periods and prepared loads (SPEC 5.1), on days worked out by hand. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { constraintPeriodAt, constraintPeriodsCovering, fitsLoad, prepareMemberLoad } from './constraints.ts';

const iso = (ms: number) => new Date(ms).toISOString().replace('.000', '');
const period = (p: 'day' | 'week' | 'month', zone: string, at: string) => {
  const found = constraintPeriodAt(p, zone, Date.parse(at));
  return [iso(found.start), iso(found.end)];
};

test('days, ISO weeks and months run from local midnight, in zones far from UTC and across DST', () => {
  assert.deepEqual(period('day', 'UTC', '2026-03-04T09:00:00Z'), [
    '2026-03-04T00:00:00Z',
    '2026-03-05T00:00:00Z',
  ]);
  assert.deepEqual(period('day', 'Pacific/Kiritimati', '2026-03-04T09:00:00Z'), [
    '2026-03-03T10:00:00Z',
    '2026-03-04T10:00:00Z',
  ]);
  assert.deepEqual(period('day', 'Pacific/Pago_Pago', '2026-03-04T09:00:00Z'), [
    '2026-03-03T11:00:00Z',
    '2026-03-04T11:00:00Z',
  ]);
  assert.deepEqual(period('day', 'Asia/Kolkata', '2026-03-04T19:00:00Z'), [
    '2026-03-04T18:30:00Z',
    '2026-03-05T18:30:00Z',
  ]);
  // New York's spring-forward day has 23 hours, its fall-back day 25.
  assert.deepEqual(period('day', 'America/New_York', '2026-03-08T12:00:00Z'), [
    '2026-03-08T05:00:00Z',
    '2026-03-09T04:00:00Z',
  ]);
  assert.deepEqual(period('day', 'America/New_York', '2026-11-01T12:00:00Z'), [
    '2026-11-01T04:00:00Z',
    '2026-11-02T05:00:00Z',
  ]);
  // The ISO week of Sunday 2026-03-08 in New York: Monday 2 March 00:00 EST to Monday 9 March 00:00 EDT.
  assert.deepEqual(period('week', 'America/New_York', '2026-03-09T03:30:00Z'), [
    '2026-03-02T05:00:00Z',
    '2026-03-09T04:00:00Z',
  ]);
  assert.deepEqual(period('month', 'Europe/London', '2026-03-31T23:30:00Z'), [
    '2026-03-31T23:00:00Z',
    '2026-04-30T23:00:00Z',
  ]);
  assert.deepEqual(period('month', 'UTC', '2026-12-15T00:00:00Z'), [
    '2026-12-01T00:00:00Z',
    '2027-01-01T00:00:00Z',
  ]);
});

test('covering periods touch and span the window; prepared loads count by start and by tag', () => {
  const window = { start: Date.parse('2026-03-04T12:00:00Z'), end: Date.parse('2026-03-07T12:00:00Z') };
  const days = constraintPeriodsCovering('day', 'UTC', window);
  assert.equal(days.length, 4);
  for (let i = 1; i < days.length; i++) assert.equal(days[i]!.start, days[i - 1]!.end);
  const load = prepareMemberLoad(
    [{ limit: 2, period: 'day', tzid: 'UTC', tags: ['interview'] }],
    [
      { startMs: Date.parse('2026-03-04T01:00:00Z'), tags: ['interview'] },
      { startMs: Date.parse('2026-03-04T02:00:00Z'), tags: ['interview', 'x'] },
      { startMs: Date.parse('2026-03-05T02:00:00Z'), tags: ['interview'] },
      { startMs: Date.parse('2026-03-05T03:00:00Z'), tags: [] },
    ],
    window,
  )!;
  assert.deepEqual(
    load.constraints[0]!.periods.map((p) => p.remaining),
    [0, 1, 2, 2],
  );
  assert.deepEqual(
    load.full.map((p) => [iso(p.start), iso(p.end)]),
    [['2026-03-04T00:00:00Z', '2026-03-05T00:00:00Z']],
  );
  const at = (t: string) => Date.parse(t);
  assert.equal(fitsLoad(load, [at('2026-03-05T10:00:00Z')]), true);
  assert.equal(fitsLoad(load, [at('2026-03-05T10:00:00Z'), at('2026-03-05T11:00:00Z')]), false);
  assert.equal(fitsLoad(load, [at('2026-03-05T10:00:00Z'), at('2026-03-06T11:00:00Z')]), true);
  assert.equal(prepareMemberLoad([], [], window), null);
});
