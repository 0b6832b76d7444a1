import assert from 'node:assert/strict';
import { test } from 'node:test';
import { findAvailability } from './availability.ts';
import { at, availabilityQuery, group, HOUR, hhmm, MINUTE, member, span } from './builders.test-support.ts';
import { isSlotStillAvailable, recheckSlot } from './recheck.ts';
import type { AvailableSlot } from './types.ts';

const show = (slots: AvailableSlot[]) =>
  slots.map((s) => `${hhmm(s.start)}-${hhmm(s.end)} ${s.participants.join(',')}`);

test('5.1 busy time blocks a slot; buffers extend the check around the slot', () => {
  const ann = member('ann', [span('11:00', '12:00')]);
  const base = {
    groups: [group([ann])],
    format: 'overlapping_slots' as const,
    queryPeriods: [span('09:00', '14:00')],
  };
  assert.deepEqual(show(findAvailability(availabilityQuery({ ...base }))), [
    '09:00-10:00 ann',
    '09:15-10:15 ann',
    '09:30-10:30 ann',
    '09:45-10:45 ann',
    '10:00-11:00 ann',
    '12:00-13:00 ann',
    '12:15-13:15 ann',
    '12:30-13:30 ann',
    '12:45-13:45 ann',
    '13:00-14:00 ann',
  ]);
  const buffered = findAvailability(
    availabilityQuery({ ...base, bufferBeforeMs: 30 * MINUTE, bufferAfterMs: 15 * MINUTE }),
  );
  // After-buffer 15: a slot must end by 10:45. Before-buffer 30: a slot may start at 12:30.
  assert.deepEqual(
    buffered.map((s) => hhmm(s.start)),
    ['09:00', '09:15', '09:30', '09:45', '12:30', '12:45', '13:00'],
  );
});

test('5.1 buffers look only at busy time: they may reach outside the query periods and open(m)', () => {
  const ann = member('ann', [], [span('09:00', '10:00')]);
  const slots = findAvailability(
    availabilityQuery({
      groups: [group([ann])],
      queryPeriods: [span('09:00', '10:00')],
      bufferBeforeMs: HOUR,
      bufferAfterMs: HOUR,
      format: 'slots',
    }),
  );
  assert.deepEqual(show(slots), ['09:00-10:00 ann']);
});

test('5.1 the engine counts every busy interval it is given (tentative/transparent filtering happens before)', () => {
  const slots = findAvailability(
    availabilityQuery({ groups: [group([member('ann', [span('09:00', '16:30')])])], format: 'slots' }),
  );
  assert.deepEqual(slots, []);
});

test('5.1 a slot must lie inside one interval of open(m); touching open intervals merge', () => {
  const ann = member('ann', [], [span('09:00', '09:30'), span('09:30', '10:00'), span('10:15', '11:30')]);
  const slots = findAvailability(availabilityQuery({ groups: [group([ann])], format: 'overlapping_slots' }));
  assert.deepEqual(show(slots), ['09:00-10:00 ann', '10:15-11:15 ann', '10:30-11:30 ann']);
});

test('5.2 k-of-n: a group is satisfied when at least `required` members are free', () => {
  const ann = member('ann', [span('09:00', '10:00')]);
  const bob = member('bob', [span('09:00', '11:00')]);
  const cat = member('cat', [span('10:00', '12:00')]);
  const slots = findAvailability(
    availabilityQuery({
      groups: [group([ann, bob, cat], 2)],
      queryPeriods: [span('09:00', '13:00')],
      startIntervalMinutes: 60,
      format: 'slots',
    }),
  );
  // 09:00 and 10:00 have a single free member each.
  assert.deepEqual(show(slots), ['11:00-12:00 ann,bob', '12:00-13:00 ann,bob,cat']);
});

test('5.2 every group must be satisfied', () => {
  const slots = findAvailability(
    availabilityQuery({
      groups: [group([member('ann')]), group([member('bob', [span('09:00', '16:00')])])],
      format: 'slots',
    }),
  );
  assert.deepEqual(show(slots), ['16:00-17:00 ann,bob']);
});

test('5.4 participants list every free member of every group in listed order, each sub once', () => {
  const ann = member('ann');
  const bob = member('bob');
  const cat = member('cat', [span('09:00', '12:00')]);
  const slots = findAvailability(
    availabilityQuery({
      groups: [group([bob, ann], 1), group([cat, ann, member('dan')], 1)],
      queryPeriods: [span('09:00', '10:00')],
      format: 'slots',
    }),
  );
  assert.deepEqual(show(slots), ['09:00-10:00 bob,ann,dan']);
});

test('5.3 no slot starts before now + minimum notice', () => {
  const slots = findAvailability(
    availabilityQuery({
      groups: [group([member('ann')])],
      now: at('09:07'),
      minimumNoticeMs: 60 * MINUTE,
      queryPeriods: [span('09:00', '12:00')],
      format: 'overlapping_slots',
      startIntervalMinutes: 30,
    }),
  );
  assert.deepEqual(
    slots.map((s) => hhmm(s.start)),
    ['10:30', '11:00'],
  );
});

test('5.3 touching and overlapping query periods merge, so a slot may span them', () => {
  const slots = findAvailability(
    availabilityQuery({
      groups: [group([member('ann')])],
      queryPeriods: [
        span('10:00', '10:30'),
        span('09:00', '10:00'),
        span('10:15', '11:00'),
        span('12:00', '12:45'),
      ],
      durationMs: 2 * HOUR,
      format: 'slots',
    }),
  );
  assert.deepEqual(show(slots), ['09:00-11:00 ann']);
});

test('5.3 alignment uses the wall clock of the zone: Asia/Kolkata hours start at :30 UTC', () => {
  const slots = findAvailability(
    availabilityQuery({
      groups: [group([member('ann')])],
      alignmentZone: 'Asia/Kolkata',
      startIntervalMinutes: 60,
      queryPeriods: [span('09:00', '12:00')],
      format: 'overlapping_slots',
    }),
  );
  assert.deepEqual(
    slots.map((s) => hhmm(s.start)),
    ['09:30', '10:30'],
  );
});

test('5.3 slots on the America/New_York fall-back day include both 01:30 starts', () => {
  const day = Date.UTC(2026, 10, 1);
  const slots = findAvailability(
    availabilityQuery({
      groups: [group([member('ann')])],
      alignmentZone: 'America/New_York',
      startIntervalMinutes: 30,
      durationMs: 30 * MINUTE,
      queryPeriods: [{ start: day + 5 * HOUR, end: day + 7 * HOUR }],
      now: day,
      format: 'overlapping_slots',
    }),
  );
  assert.deepEqual(
    slots.map((s) => new Date(s.start).toISOString().slice(11, 16)),
    ['05:00', '05:30', '06:00', '06:30'],
  );
});

test('5.4 slots: walk the available starts and keep one only when it starts at or after the last kept end', () => {
  const ann = member('ann', [span('10:15', '10:30')]);
  const slots = findAvailability(
    availabilityQuery({
      groups: [group([ann])],
      queryPeriods: [span('09:00', '12:00')],
      durationMs: 45 * MINUTE,
      startIntervalMinutes: 15,
      format: 'slots',
    }),
  );
  assert.deepEqual(
    slots.map((s) => hhmm(s.start)),
    ['09:00', '10:30', '11:15'],
  );
});

test('5.4 slots format defaults to a 15-minute start interval', () => {
  const slots = findAvailability(
    availabilityQuery({
      groups: [group([member('ann')])],
      queryPeriods: [span('09:05', '10:00')],
      durationMs: 15 * MINUTE,
      format: 'overlapping_slots',
    }),
  );
  assert.deepEqual(
    slots.map((s) => hhmm(s.start)),
    ['09:15', '09:30', '09:45'],
  );
});

test('5.4 periods: maximal intervals with a constant set of free members, split where the set changes', () => {
  const ann = member('ann', [span('11:00', '12:00')]);
  const bob = member('bob');
  const periods = findAvailability(availabilityQuery({ groups: [group([ann, bob], 1)] }));
  assert.deepEqual(show(periods), ['09:00-11:00 ann,bob', '11:00-12:00 bob', '12:00-17:00 ann,bob']);
});

test('5.4 periods are shortened by the buffers around a counted member’s busy time', () => {
  const ann = member('ann', [span('11:00', '12:00')]);
  const periods = findAvailability(
    availabilityQuery({ groups: [group([ann])], bufferBeforeMs: 15 * MINUTE, bufferAfterMs: 30 * MINUTE }),
  );
  assert.deepEqual(show(periods), ['09:00-10:30 ann', '12:15-17:00 ann']);
});

test('5.4 periods shorter than the duration are dropped, and a slot spanning two member sets is not a period', () => {
  // ann 09:00-10:00, bob 09:30-11:00, one of them needed: sets {ann} {ann,bob} {bob} of 30 min each
  // around; with 60 min only {bob} 10:00-11:00 is long enough (SPEC 5.4 reads "constant set").
  const ann = member('ann', [], [span('09:00', '10:00')]);
  const bob = member('bob', [], [span('09:30', '11:00')]);
  const periods = findAvailability(availabilityQuery({ groups: [group([ann, bob], 1)] }));
  assert.deepEqual(show(periods), ['10:00-11:00 bob']);
});

test('5.4 periods are not aligned without a start interval; with one, each start rounds up', () => {
  const ann = member('ann', [span('09:00', '10:07')]);
  const plain = findAvailability(
    availabilityQuery({ groups: [group([ann])], queryPeriods: [span('09:00', '12:00')] }),
  );
  assert.deepEqual(show(plain), ['10:07-12:00 ann']);
  const aligned = findAvailability(
    availabilityQuery({
      groups: [group([ann])],
      queryPeriods: [span('09:00', '12:00')],
      startIntervalMinutes: 30,
    }),
  );
  assert.deepEqual(show(aligned), ['10:30-12:00 ann']);
  const tooShort = findAvailability(
    availabilityQuery({
      groups: [group([ann])],
      queryPeriods: [span('09:00', '11:10')],
      startIntervalMinutes: 30,
    }),
  );
  assert.deepEqual(tooShort, []);
});

test('5.4 periods start no earlier than now + minimum notice', () => {
  const periods = findAvailability(
    availabilityQuery({ groups: [group([member('ann')])], now: at('12:00'), minimumNoticeMs: 20 * MINUTE }),
  );
  assert.deepEqual(show(periods), ['12:20-17:00 ann']);
});

test('5.4 results are sorted by start and truncated to max_results in every format', () => {
  const groups = [group([member('ann', [span('10:00', '11:00'), span('12:00', '13:00')])])];
  for (const format of ['periods', 'slots', 'overlapping_slots'] as const) {
    const all = findAvailability(availabilityQuery({ groups, format }));
    const two = findAvailability(availabilityQuery({ groups, format, maxResults: 2 }));
    assert.ok(all.length > 2, format);
    assert.deepEqual(two, all.slice(0, 2), format);
    assert.deepEqual(
      all.map((s) => s.start),
      all.map((s) => s.start).sort((a, b) => a - b),
    );
  }
});

test('recheckSlot re-verifies one slot and reports its current participants', () => {
  const query = availabilityQuery({ groups: [group([member('ann'), member('bob')], 1)], format: 'slots' });
  assert.deepEqual(recheckSlot(query, { start: at('09:00') }), {
    start: at('09:00'),
    end: at('10:00'),
    participants: ['ann', 'bob'],
  });
  assert.equal(isSlotStillAvailable(query, { start: at('09:05') }), false); // not aligned
  assert.equal(isSlotStillAvailable(query, { start: at('16:30') }), false); // leaves the period
  const busy = availabilityQuery({
    ...query,
    groups: [group([member('ann', [span('09:30', '09:45')]), member('bob', [span('08:00', '09:01')])], 1)],
  });
  assert.equal(isSlotStillAvailable(busy, { start: at('09:00') }), false);
});
