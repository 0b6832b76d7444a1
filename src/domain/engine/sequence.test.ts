import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  at,
  group,
  HOUR,
  hhmm,
  MINUTE,
  member,
  NO_GAP,
  sequenceQuery,
  span,
  step,
} from './builders.test-support.ts';
import { createEngineCache } from './engine-cache.ts';
import { isOptionStillAvailable, recheckSequenceOption } from './recheck.ts';
import { referenceSequences } from './reference.test-support.ts';
import {
  findSequences,
  planSteps,
  runningBlocks,
  SequenceTooComplexError,
  sequenceWork,
  sortedSteps,
} from './sequence.ts';
import type { SequenceOption } from './types.ts';

/** `'0@09:00 1@10:00'` per option: step index @ start, in running order. */
const show = (options: SequenceOption[]) =>
  options.map((option) => option.steps.map((s) => `${s.index}@${hhmm(s.start)}`).join(' '));

const free = (sub: string) => group([member(sub)]);

test('5.5 without ordinals the array order is the running order', () => {
  const options = findSequences(
    sequenceQuery([step(0, [free('ann')]), step(1, [free('bob')])], {
      queryPeriods: [span('09:00', '12:00')],
    }),
  );
  assert.deepEqual(show(options), ['0@09:00 1@10:00', '0@10:00 1@11:00']);
});

test('5.5 distinct ordinals run ascending whatever the array order', () => {
  const options = findSequences(
    sequenceQuery([step(0, [free('ann')], { ordinal: 2 }), step(1, [free('bob')], { ordinal: 1 })], {
      queryPeriods: [span('09:00', '12:00')],
    }),
  );
  assert.deepEqual(show(options), ['1@09:00 0@10:00', '1@10:00 0@11:00']);
});

test('5.5 shared ordinals run in any order; equal ends go to the order with the smaller array position first', () => {
  const ann = member('ann', [span('10:00', '11:00')]);
  const options = findSequences(
    sequenceQuery([step(0, [group([ann])], { ordinal: 1 }), step(1, [free('bob')], { ordinal: 1 })], {
      queryPeriods: [span('09:00', '13:00')],
    }),
  );
  // From 10:00 only step 1 can go first. From 09:00 and 11:00 both orders end equally: 0 first.
  assert.deepEqual(show(options), ['0@09:00 1@10:00', '1@10:00 0@11:00', '0@11:00 1@12:00']);
});

test('5.5 steps never overlap and the gap minimum is max(p.after.min, q.before.min, 0)', () => {
  const options = findSequences(
    sequenceQuery(
      [
        step(0, [free('ann')], { after: { minMs: 15 * MINUTE, maxMs: null }, startIntervalMinutes: 15 }),
        step(1, [free('bob')], { before: { minMs: 30 * MINUTE, maxMs: null }, startIntervalMinutes: 15 }),
      ],
      { queryPeriods: [span('09:00', '11:30')], maxResults: 1 },
    ),
  );
  assert.deepEqual(show(options), ['0@09:00 1@10:30']);
});

test('5.5 a gap maximum of 0 means back to back; the maximum is min(p.after.max, q.before.max)', () => {
  const bob = member('bob', [span('10:00', '10:30')]);
  const steps = [
    step(0, [free('ann')], { after: { minMs: 0, maxMs: 0 }, startIntervalMinutes: 30 }),
    step(1, [group([bob])], { before: { minMs: 0, maxMs: HOUR }, startIntervalMinutes: 30 }),
  ];
  const options = findSequences(sequenceQuery(steps, { queryPeriods: [span('09:00', '12:00')] }));
  // 0@09:00 would need 1@10:00 (busy); 0@09:30 → 1@10:30.
  assert.deepEqual(show(options), ['0@09:30 1@10:30', '0@10:00 1@11:00']);
});

test('5.5 the minimums are also the participant buffers of 5.1', () => {
  const bob = member('bob', [span('11:00', '12:00')]);
  const steps = [
    step(0, [free('ann')]),
    step(1, [group([bob])], {
      before: { minMs: 0, maxMs: null },
      after: { minMs: 30 * MINUTE, maxMs: null },
    }),
  ];
  const options = findSequences(sequenceQuery(steps, { queryPeriods: [span('09:00', '11:00')] }));
  // bob's 10:00-11:00 would end right at his busy 11:00, inside the 30-minute after-buffer.
  assert.deepEqual(show(options), []);
  const looser = findSequences(sequenceQuery(steps, { queryPeriods: [span('08:00', '11:00')] }));
  assert.deepEqual(show(looser), ['0@08:00 1@09:00']);
});

test('5.5 each step lies inside one query period and inside its own step periods', () => {
  const steps = [
    step(0, [free('ann')], { stepPeriods: [span('09:00', '10:00'), span('13:00', '14:00')] }),
    step(1, [free('bob')], { stepPeriods: [] }),
  ];
  const options = findSequences(
    sequenceQuery(steps, { queryPeriods: [span('09:00', '11:00'), span('13:00', '17:00')] }),
  );
  assert.deepEqual(show(options), ['0@09:00 1@10:00', '0@13:00 1@14:00']);
});

test('5.5 an option may span days and query periods when the gaps allow it', () => {
  const steps = [step(0, [free('ann')]), step(1, [free('bob')], { durationMs: 2 * HOUR })];
  const options = findSequences(
    sequenceQuery(steps, {
      queryPeriods: [span('16:00', '17:00'), span('+1 09:00', '+1 10:00'), span('+1 12:00', '+1 14:00')],
    }),
  );
  assert.deepEqual(show(options), ['0@16:00 1@+1 12:00', '0@+1 09:00 1@+1 12:00']);
  const capped = findSequences(
    sequenceQuery([step(0, [free('ann')], { after: { minMs: 0, maxMs: 2 * HOUR } }), steps[1]!], {
      queryPeriods: [span('16:00', '17:00'), span('+1 09:00', '+1 10:00'), span('+1 12:00', '+1 14:00')],
    }),
  );
  assert.deepEqual(show(capped), ['0@+1 09:00 1@+1 12:00']);
});

test('5.5 no step starts before now + minimum notice', () => {
  const options = findSequences(
    sequenceQuery([step(0, [free('ann')]), step(1, [free('bob')])], {
      queryPeriods: [span('09:00', '13:00')],
      now: at('09:30'),
      minimumNoticeMs: 30 * MINUTE,
    }),
  );
  assert.deepEqual(show(options), ['0@10:00 1@11:00', '0@11:00 1@12:00']);
});

test('5.5 canonical option: the earliest end of the last step wins over an earlier second step', () => {
  const bob = member('bob', [span('11:00', '12:00')]);
  const steps = [
    step(0, [free('ann')], { ordinal: 1 }),
    step(1, [group([bob])], { ordinal: 2, durationMs: 30 * MINUTE, startIntervalMinutes: 30 }),
    step(2, [free('cat')], { ordinal: 2, durationMs: 30 * MINUTE, startIntervalMinutes: 30 }),
  ];
  const options = findSequences(
    sequenceQuery(steps, { queryPeriods: [span('09:00', '12:00')], maxResults: 1 }),
  );
  assert.deepEqual(show(options), ['0@09:00 1@10:00 2@10:30']);
});

test('5.5 canonical tie-break on the running order is decided before the later starts', () => {
  // A(ord 1), B(ord 2), C and D (ord 3). From A@09:00, B may start 10:00 or 10:30; both complete
  // by 12:00: B@10:00 only as A,B,D,C (C is busy 10:30-11:00, D must wait 30 min after itself),
  // B@10:30 as A,B,C,D. The order A,B,C,D comes first, so the later B start is canonical.
  const half = { durationMs: 30 * MINUTE, startIntervalMinutes: 30 };
  const cat = member('cat', [span('10:30', '11:00')]);
  const steps = [
    step(0, [free('ann')], { ...half, ordinal: 1 }),
    step(1, [free('bob')], { ...half, ordinal: 2, after: { minMs: 0, maxMs: 0 } }),
    step(2, [group([cat])], { ...half, ordinal: 3 }),
    step(3, [free('dan')], { ...half, ordinal: 3, after: { minMs: 30 * MINUTE, maxMs: null } }),
  ];
  const query = sequenceQuery(steps, { queryPeriods: [span('09:00', '12:00')], maxResults: 1 });
  const options = findSequences({
    ...query,
    steps: query.steps.map((s, k) => (k === 0 ? { ...s, durationMs: HOUR } : s)),
  });
  assert.deepEqual(show(options), ['0@09:00 1@10:30 2@11:00 3@11:30']);
  assert.deepEqual(
    options,
    referenceSequences({
      ...query,
      steps: query.steps.map((s, k) => (k === 0 ? { ...s, durationMs: HOUR } : s)),
    }),
  );
});

test('5.5 canonical tie-break then prefers the earliest start of the second step', () => {
  const steps = [
    step(0, [free('ann')], { durationMs: 30 * MINUTE, startIntervalMinutes: 30 }),
    step(1, [free('bob')], {
      durationMs: 30 * MINUTE,
      startIntervalMinutes: 30,
      after: { minMs: 0, maxMs: 60 * MINUTE },
    }),
    step(2, [group([member('cat', [span('09:00', '11:00')])])], {
      durationMs: 30 * MINUTE,
      startIntervalMinutes: 30,
    }),
  ];
  const options = findSequences(
    sequenceQuery(steps, { queryPeriods: [span('09:00', '12:00')], maxResults: 1 }),
  );
  // Ends at 11:30 at the earliest; step 1 may then be at 09:30, 10:00 or 10:30: the earliest is kept.
  assert.deepEqual(show(options), ['0@09:00 1@09:30 2@11:00']);
});

test('5.5 selected participants: the first r free members of each group in listed order, each sub once', () => {
  const ann = member('ann', [span('09:00', '10:00')]);
  const steps = [
    step(0, [group([ann, member('bob'), member('cat'), member('dan')], 2), group([member('cat')])]),
  ];
  const options = findSequences(sequenceQuery(steps, { queryPeriods: [span('09:00', '11:00')] }));
  assert.deepEqual(
    options.map((o) => o.steps[0]!.participants),
    [
      ['bob', 'cat'],
      ['ann', 'bob', 'cat'],
    ],
  );
});

test('5.5 options are sorted by first start and truncated to max_results', () => {
  const steps = [
    step(0, [free('ann')], { startIntervalMinutes: 30 }),
    step(1, [free('bob')], { ordinal: null }),
  ];
  const all = findSequences(sequenceQuery(steps));
  assert.equal(all.length, 13);
  assert.deepEqual(findSequences(sequenceQuery(steps, { maxResults: 3 })), all.slice(0, 3));
});

test('5.5 alignment per step in the query zone, across the Europe/London fall-back', () => {
  const day = Date.UTC(2026, 9, 25);
  const steps = [
    step(0, [free('ann')], { durationMs: 30 * MINUTE, startIntervalMinutes: 60 }),
    step(1, [free('bob')], { durationMs: 30 * MINUTE, startIntervalMinutes: 60 }),
  ];
  const options = findSequences(
    sequenceQuery(steps, {
      alignmentZone: 'Europe/London',
      queryPeriods: [{ start: day - HOUR, end: day + 3 * HOUR }],
      now: day - 2 * HOUR,
    }),
  );
  const iso = (t: number) => new Date(t).toISOString().slice(11, 16);
  // 23:00Z = 00:00 BST, 00:00Z = 01:00 BST, 01:00Z = 01:00 GMT, 02:00Z = 02:00 GMT.
  assert.deepEqual(
    options.map((o) => o.steps.map((s) => iso(s.start)).join(' ')),
    ['23:00 00:00', '00:00 01:00', '01:00 02:00'],
  );
});

test('recheckSequenceOption re-verifies the exact option and rejects changed facts or orders', () => {
  const query = sequenceQuery([
    step(0, [free('ann')], { ordinal: 1 }),
    step(1, [free('bob')], { ordinal: 2 }),
  ]);
  const [first] = findSequences(query);
  assert.ok(first !== undefined);
  assert.deepEqual(recheckSequenceOption(query, first), first);
  const swapped = { steps: [first.steps[1]!, first.steps[0]!] };
  assert.equal(isOptionStillAvailable(query, swapped), false);
  const busy = sequenceQuery([
    step(0, [group([member('ann', [span('09:30', '09:45')])])], { ordinal: 1 }),
    query.steps[1]!,
  ]);
  assert.equal(isOptionStillAvailable(busy, first), false);
  assert.equal(
    isOptionStillAvailable(query, { steps: [{ ...first.steps[0]!, start: at('09:10') }, first.steps[1]!] }),
    false,
  );
});

test('20 steps with distinct ordinals over 90 days: the work grows linearly with the steps', () => {
  const steps = Array.from({ length: 20 }, (_, k) =>
    step(k, [free(`m${k}`)], {
      ordinal: k,
      durationMs: 30 * MINUTE,
      startIntervalMinutes: 15,
      after: { minMs: 0, maxMs: HOUR },
    }),
  );
  const query = sequenceQuery(steps, {
    queryPeriods: [{ start: at('00:00'), end: at('00:00') + 90 * 24 * HOUR }],
  });
  assert.equal(findSequences(query).length, 256);
  // Counted, not timed (the time is bench/engine.ts's): one block a step, each state transition
  // once per start, far below what a shared-ordinal block of 20 would need.
  const sorted = sortedSteps(query);
  const plans = planSteps(query, sorted, createEngineCache());
  const blocks = runningBlocks(sorted);
  assert.equal(blocks.length, 20);
  const maxStarts = Math.max(...plans.map((plan) => plan.starts.length));
  const { work } = sequenceWork(blocks, plans);
  assert.ok(work <= 2 * steps.length * maxStarts, `work ${work}`);
});

test('a block of many shared ordinals over a long window is refused as too complex, not left to hang', () => {
  const steps = Array.from({ length: 20 }, (_, k) =>
    step(k, [free(`m${k}`)], { ordinal: 1, before: NO_GAP }),
  );
  assert.throws(
    () =>
      findSequences(
        sequenceQuery(steps, { queryPeriods: [{ start: at('00:00'), end: at('00:00') + 30 * 24 * HOUR }] }),
      ),
    SequenceTooComplexError,
  );
});

test('a block of 6 shared ordinals is solved exactly (agrees with the reference)', () => {
  const steps = Array.from({ length: 6 }, (_, k) =>
    step(
      k,
      [
        group([
          member(`m${k}`, [
            span(`${String(9 + k).padStart(2, '0')}:00`, `${String(10 + k).padStart(2, '0')}:00`),
          ]),
        ]),
      ],
      {
        ordinal: 1,
        durationMs: 30 * MINUTE,
        startIntervalMinutes: 30,
        after: { minMs: 0, maxMs: 30 * MINUTE },
      },
    ),
  );
  const query = sequenceQuery(steps, { queryPeriods: [span('09:00', '14:00')] });
  const options = findSequences(query);
  assert.ok(options.length > 0);
  assert.deepEqual(options, referenceSequences(query));
});
