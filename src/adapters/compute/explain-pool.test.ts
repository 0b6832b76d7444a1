/**
 * SPEC 5.7 explanations in the compute pool: one job answers and explains, equal to the engine's
 * inline answer and explanation (failed sources crossing with the job), and an explanation is
 * stopped by the budget like any other engine work.
 */
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
import { explainAvailability, explainSequences } from '../../domain/engine/explain.ts';
import { findSequences } from '../../domain/engine/sequence.ts';
import { ComputeBudgetError, type ExplainRequest } from '../../ports/compute.ts';
import { WorkerPoolCompute } from './pool.ts';

const explain: ExplainRequest = {
  unavailable: new Map([['carol', { calendarId: 'cal_feed', reason: 'the feed timed out' }]]),
};

test('the pool answers and explains exactly as the engine does inline', async (t) => {
  const pool = new WorkerPoolCompute({ workers: 1, budgetMs: 60_000 });
  t.after(() => pool.close());
  const alice = member('alice', [span('09:00', '10:30')]);
  const bob = member('bob', [span('10:30', '17:00')]);
  const carol = member('carol', [], []);
  const dave = member('dave', []);

  const query = availabilityQuery({ groups: [group([alice, bob])], queryPeriods: [span('09:00', '12:00')] });
  const answered = await pool.explainAvailability(query, explain);
  assert.deepEqual(answered.slots, []);
  assert.deepEqual(answered.explanation, explainAvailability(query, 0, explain));
  assert.deepEqual(answered.explanation.reasons, [
    { code: 'no_common_time', subs: ['alice', 'bob'], step: null },
  ]);

  const sequence = sequenceQuery([step(0, [group([alice])]), step(1, [group([carol, dave], 1)])]);
  const options = findSequences(sequence);
  const both = await pool.explainSequences(sequence, explain);
  assert.deepEqual(both.options, options);
  assert.deepEqual(both.explanation, explainSequences(sequence, options.length, explain));
  assert.deepEqual(both.explanation.reasons, []);
  assert.deepEqual(
    both.explanation.members.find((m) => m.sub === 'carol'),
    {
      sub: 'carol',
      step: 1,
      openMinutes: 0,
      freeMinutes: 0,
      unavailableSource: explain.unavailable.get('carol'),
    },
  );

  const withTimes = availabilityQuery({ groups: [group([alice])] });
  const found = await pool.explainAvailability(withTimes, explain);
  assert.deepEqual(found.slots, findAvailability(withTimes));
  assert.deepEqual(found.explanation.reasons, []);
});

test('an explanation runs within the compute budget like the answer', async (t) => {
  // Minute starts for 60 members over 30 days: far over a 5 ms budget even on an idle machine.
  const members = Array.from({ length: 60 }, (_, i) =>
    member(
      `m${i}`,
      Array.from({ length: 30 * 24 }, (_, h) => ({
        start: at('00:00') + h * HOUR + i * MINUTE,
        end: at('00:00') + h * HOUR + (i + 20) * MINUTE,
      })),
    ),
  );
  const heavy = sequenceQuery(
    Array.from({ length: 10 }, (_, i) =>
      step(i, [group(members.slice(i, i + 20), 10)], { startIntervalMinutes: 1, durationMs: 15 * MINUTE }),
    ),
    { queryPeriods: [{ start: at('00:00'), end: at('00:00') + 30 * 24 * HOUR }] },
  );
  const pool = new WorkerPoolCompute({ workers: 1, budgetMs: 5 });
  t.after(() => pool.close());
  await assert.rejects(pool.explainSequences(heavy, explain), ComputeBudgetError);
});
