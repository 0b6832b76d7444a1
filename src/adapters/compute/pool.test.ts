import assert from 'node:assert/strict';
import { test } from 'node:test';
import { findAvailability } from '../../domain/engine/availability.ts';
import {
  at,
  availabilityQuery,
  group,
  HOUR,
  MINUTE,
  member,
  sequenceQuery,
  span,
  step,
} from '../../domain/engine/builders.test-support.ts';
import { prepareMemberLoad } from '../../domain/engine/constraints.ts';
import { findSequences } from '../../domain/engine/sequence.ts';
import type { MemberAvailability, SequenceQuery } from '../../domain/engine/types.ts';
import type { Interval } from '../../domain/time/intervals.ts';
import { ComputeBudgetError } from '../../ports/compute.ts';
import { WorkerPoolCompute } from './pool.ts';

const DAY_MS = 24 * HOUR;

/** Busy every `every` minutes for `length` minutes, over `days` days from DAY. */
function busyGrid(days: number, every: number, length: number, offset = 0): Interval[] {
  const busy: Interval[] = [];
  for (let t = at('00:00') + offset * MINUTE; t < at('00:00') + days * DAY_MS; t += every * MINUTE) {
    busy.push({ start: t, end: t + length * MINUTE });
  }
  return busy;
}

function ordinaryQuery(): SequenceQuery {
  const alice = member('alice', busyGrid(3, 180, 45));
  const bob = member('bob', busyGrid(3, 240, 30, 20), [span('08:00', '+2 18:00')]);
  const carol = member('carol', busyGrid(3, 300, 60, 10));
  return sequenceQuery(
    [
      step(0, [group([alice, bob], 1), group([carol])], { startIntervalMinutes: 15 }),
      step(1, [group([bob, carol], 2)], { durationMs: 30 * MINUTE, startIntervalMinutes: 15 }),
    ],
    { queryPeriods: [span('08:00', '18:00'), span('+1 08:00', '+1 18:00'), span('+2 08:00', '+2 18:00')] },
  );
}

/** Many steps, minute starts, dense calendars over a month: far more than a few milliseconds of work. */
function heavyQuery(): SequenceQuery {
  const members: MemberAvailability[] = Array.from({ length: 30 }, (_, i) =>
    member(`m${i}`, busyGrid(30, 97 + i, 20, i)),
  );
  const steps = Array.from({ length: 20 }, (_, i) =>
    step(i, [group(members.slice(i, i + 10), 5)], { startIntervalMinutes: 1, durationMs: 15 * MINUTE }),
  );
  return sequenceQuery(steps, { queryPeriods: [{ start: at('00:00'), end: at('00:00') + 30 * DAY_MS }] });
}

test('the pool answers exactly what the engine answers inline, with members shared between groups', async (t) => {
  const pool = new WorkerPoolCompute({ workers: 2, budgetMs: 60_000 });
  t.after(() => pool.close());
  const query = ordinaryQuery();
  const expected = findSequences(query);
  assert.ok(expected.length > 0, 'the fixture has options');
  assert.deepEqual(await pool.findSequences(query), expected);
  const slots = availabilityQuery({
    groups: query.steps[0]!.groups,
    format: 'overlapping_slots',
    startIntervalMinutes: 15,
    queryPeriods: query.queryPeriods,
  });
  assert.deepEqual(await pool.findAvailability(slots), findAvailability(slots));
  // The caller's query is untouched: only copies of its intervals were moved to the worker.
  assert.deepEqual(findSequences(query), expected);
});

test('more jobs than workers are queued and every one is answered', async (t) => {
  const pool = new WorkerPoolCompute({ workers: 2, budgetMs: 60_000 });
  t.after(() => pool.close());
  const expected = findSequences(ordinaryQuery());
  const answers = await Promise.all(Array.from({ length: 7 }, () => pool.findSequences(ordinaryQuery())));
  for (const answer of answers) assert.deepEqual(answer, expected);
});

test('work over budget is stopped with ComputeBudgetError, and the pool goes on answering', async (t) => {
  // The heavy query takes over 100 ms even on an idle machine, far above a 5 ms budget; the
  // ordinary one then runs under a budget far above anything it could need.
  const pool = new WorkerPoolCompute({ workers: 1, budgetMs: 5 });
  t.after(() => pool.close());
  await assert.rejects(pool.findSequences(heavyQuery()), (error: unknown) => {
    assert.ok(error instanceof ComputeBudgetError, String(error));
    assert.equal(error.budgetMs, 5);
    return true;
  });
  assert.equal(pool.replaced, 1, 'the worker that ran over was replaced');
  pool.budgetMs = 60_000;
  assert.deepEqual(await pool.findSequences(ordinaryQuery()), findSequences(ordinaryQuery()));
});

test('a worker that dies (out of memory) fails only its job; the pool replaces it', async (t) => {
  const pool = new WorkerPoolCompute({
    workers: 1,
    budgetMs: 60_000,
    resourceLimits: { maxOldGenerationSizeMb: 16, maxYoungGenerationSizeMb: 4 },
  });
  t.after(() => pool.close());
  const grid = busyGrid(90, 1, 1);
  const huge = member('huge', Array.from({ length: 6 }, () => grid).flat());
  const query = sequenceQuery([step(0, [group([huge])])]);
  await assert.rejects(pool.findSequences(query), (error: unknown) => {
    assert.ok(error instanceof Error && !(error instanceof ComputeBudgetError), String(error));
    return true;
  });
  assert.equal(pool.replaced, 1);
  assert.deepEqual(await pool.findSequences(ordinaryQuery()), findSequences(ordinaryQuery()));
});

test('members’ availability constraints travel to the worker: the pool answers what the engine does', async (t) => {
  const pool = new WorkerPoolCompute({ workers: 1, budgetMs: 60_000 });
  t.after(() => pool.close());
  const query = ordinaryQuery();
  const window = { start: at('00:00'), end: at('00:00') + 3 * DAY_MS };
  // alice is full on the first day (one a day, one already there): she takes nothing that day.
  const load = prepareMemberLoad(
    [{ limit: 1, period: 'day', tzid: 'UTC', tags: null }],
    [{ startMs: at('07:00'), tags: [] }],
    window,
  );
  const limited: SequenceQuery = {
    ...query,
    steps: query.steps.map((s) => ({
      ...s,
      groups: s.groups.map((g) => ({
        ...g,
        members: g.members.map((m) => (m.sub === 'alice' ? { ...m, load } : m)),
      })),
    })),
  };
  const expected = findSequences(limited);
  assert.notDeepEqual(expected, findSequences(query), 'the constraint changes the answer');
  assert.deepEqual(await pool.findSequences(limited), expected);
});
