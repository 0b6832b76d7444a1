/** Moving some steps of a booked sequence (SPEC 6.6): pinned fixed steps, one option per start. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { at, group, hhmm, member, sequenceQuery, span, step } from './builders.test-support.ts';
import { findMovedSequences, pinFixedSteps } from './moved.ts';
import { findSequences } from './sequence.ts';

const starts = (options: { steps: readonly { index: number; start: number }[] }[]) =>
  options.map((o) => o.steps.map((s) => `${s.index}@${hhmm(s.start)}`).join(' '));

describe('findMovedSequences', () => {
  const a = member('a');
  const b = member('b', [span('13:00', '14:00')]);
  const query = sequenceQuery([
    step(0, [group([a])], { ordinal: 1 }),
    step(1, [group([b])], { ordinal: 2 }),
    step(2, [group([a])], { ordinal: 3 }),
  ]);
  const booked = [
    { index: 0, start: at('09:00'), end: at('10:00'), participants: ['a'] },
    { index: 1, start: at('10:00'), end: at('11:00'), participants: ['b'] },
    { index: 2, start: at('11:00'), end: at('12:00'), participants: ['a'] },
  ];

  test('every step moving is the plain search', () => {
    assert.deepEqual(findMovedSequences(query, [0, 1, 2]), findSequences(query));
  });

  test('one step moving: one option per start of it, the others at their booked times, gaps kept', () => {
    const pinned = pinFixedSteps(
      query,
      booked.filter((s) => s.index !== 1),
    );
    // Step 1 must lie between the fixed steps 0 (ends 10:00) and 2 (starts 11:00).
    assert.deepEqual(starts(findMovedSequences(pinned, [1])), ['0@09:00 1@10:00 2@11:00']);
  });

  test('the last step moving: every later start, the fixed ones unchanged, busy time respected', () => {
    const pinned = pinFixedSteps(
      query,
      booked.filter((s) => s.index !== 2),
    );
    assert.deepEqual(starts(findMovedSequences(pinned, [2])), [
      '0@09:00 1@10:00 2@11:00',
      '0@09:00 1@10:00 2@12:00',
      '0@09:00 1@10:00 2@13:00',
      '0@09:00 1@10:00 2@14:00',
      '0@09:00 1@10:00 2@15:00',
      '0@09:00 1@10:00 2@16:00',
    ]);
  });

  test('two steps moving: keyed by the earliest moving start, the canonical completion for each', () => {
    const pinned = pinFixedSteps(
      query,
      booked.filter((s) => s.index === 0),
    );
    const options = findMovedSequences(pinned, [1, 2]);
    // b is busy 13:00-14:00: step 1 cannot start at 13:00.
    assert.deepEqual(starts(options), [
      '0@09:00 1@10:00 2@11:00',
      '0@09:00 1@11:00 2@12:00',
      '0@09:00 1@12:00 2@13:00',
      '0@09:00 1@14:00 2@15:00',
      '0@09:00 1@15:00 2@16:00',
    ]);
  });

  test('a fixed step in the past stays; minimum notice applies to the moving steps only', () => {
    const late = { ...query, now: at('10:30'), minimumNoticeMs: 60 * 60_000 };
    const pinned = pinFixedSteps(
      late,
      booked.filter((s) => s.index !== 2),
    );
    assert.deepEqual(starts(findMovedSequences(pinned, [2])).slice(0, 1), ['0@09:00 1@10:00 2@12:00']);
  });

  test('fixed participants are the booked ones, whatever their calendars say now', () => {
    const busyNow = sequenceQuery([
      step(0, [group([member('a', [span('09:00', '10:00')])])], { ordinal: 1 }),
      step(1, [group([b])], { ordinal: 2 }),
    ]);
    const pinned = pinFixedSteps(busyNow, [booked[0]!]);
    const [first] = findMovedSequences(pinned, [1]);
    assert.deepEqual(first?.steps[0], {
      index: 0,
      start: at('09:00'),
      end: at('10:00'),
      participants: ['a'],
    });
  });
});
