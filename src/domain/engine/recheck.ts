/**
 * Re-verification of one specific slot or sequence option, for bookings (SPEC 6.3): the same rules
 * as the search, evaluated for the given instants only, so it costs a few binary searches per
 * member instead of a whole search.
 */

import type { Interval } from '../time/intervals.ts';
import { packIntervals } from '../time/intervals.ts';
import { isAlignedStart } from '../time/zones.ts';
import { DEFAULT_START_INTERVAL_MINUTES } from './availability.ts';
import {
  createEngineCache,
  listFreeMembers,
  listSelectedMembers,
  noticeBound,
  packCached,
  slotWindow,
} from './free-time.ts';
import { anyLoad, optionFitsLoads } from './option-load.ts';
import { maximumGapMs, minimumGapMs, runningBlocks, sortedSteps } from './sequence.ts';
import type {
  AvailabilityQuery,
  AvailableSlot,
  Group,
  ScheduledStep,
  SequenceOption,
  SequenceQuery,
} from './types.ts';

/** Buffers of SPEC 5.1, in ms (both default to 0). */
export type ParticipantBuffers = { readonly beforeMs?: number; readonly afterMs?: number };

/**
 * SPEC 5.2 selection for one slot: the first `required` free members of each group in listed
 * order, groups concatenated, each `sub` once (first). `null` when some group is not satisfied.
 * `queryPeriods` (merged) must contain the slot when given; `null` means unrestricted.
 */
export function selectMembers(
  groups: readonly Group[],
  slot: Interval,
  buffers: ParticipantBuffers = {},
  queryPeriods: readonly Interval[] | null = null,
): string[] | null {
  const cache = createEngineCache();
  const window = packIntervals(queryPeriods ?? [{ start: -Infinity, end: Infinity }]);
  return listSelectedMembers(
    groups,
    window,
    slot.start,
    slot.end,
    Math.max(0, buffers.beforeMs ?? 0),
    Math.max(0, buffers.afterMs ?? 0),
    cache,
  );
}

/** Every member free for `slot` (SPEC 5.1), in listed order, each `sub` once (first appearance). */
export function freeMembersAt(
  groups: readonly Group[],
  slot: Interval,
  buffers: ParticipantBuffers = {},
  queryPeriods: readonly Interval[] | null = null,
): string[] {
  const cache = createEngineCache();
  const window = packIntervals(queryPeriods ?? [{ start: -Infinity, end: Infinity }]);
  return listFreeMembers(
    groups,
    window,
    slot.start,
    slot.end,
    Math.max(0, buffers.beforeMs ?? 0),
    Math.max(0, buffers.afterMs ?? 0),
    cache,
  );
}

/**
 * The slot `[start, start + durationMs)` as `findAvailability` would describe it now, or `null` when
 * it is no longer available. Alignment is required when the query's format aligns starts (the slot
 * formats always, `periods` only with a start interval). `end`, when given, must match the duration.
 */
export function recheckSlot(
  query: AvailabilityQuery,
  slot: { readonly start: number; readonly end?: number },
): AvailableSlot | null {
  const start = slot.start;
  const end = start + query.durationMs;
  if (slot.end !== undefined && slot.end !== end) return null;
  if (start < noticeBound(query.now, query.minimumNoticeMs)) return null;
  const interval =
    query.format === 'periods'
      ? query.startIntervalMinutes
      : (query.startIntervalMinutes ?? DEFAULT_START_INTERVAL_MINUTES);
  if (interval !== null && !isAlignedStart(query.alignmentZone, interval, start)) return null;
  const cache = createEngineCache();
  const window = packCached(query.queryPeriods, cache);
  const beforeMs = Math.max(0, query.bufferBeforeMs);
  const afterMs = Math.max(0, query.bufferAfterMs);
  if (listSelectedMembers(query.groups, window, start, end, beforeMs, afterMs, cache) === null) return null;
  return {
    start,
    end,
    participants: listFreeMembers(query.groups, window, start, end, beforeMs, afterMs, cache),
  };
}

export function isSlotStillAvailable(
  query: AvailabilityQuery,
  slot: { readonly start: number; readonly end?: number },
): boolean {
  return recheckSlot(query, slot) !== null;
}

/** What a booking knows of the chosen option: its steps in running order. */
export type ChosenOption = {
  readonly steps: readonly { readonly index: number; readonly start: number; readonly end?: number }[];
};

/**
 * The given option (same running order, same starts) with its participants selected now, or
 * `null` when it is no longer valid under SPEC 5.5. The option need not be canonical: any valid
 * option may be booked.
 */
export function recheckSequenceOption(query: SequenceQuery, option: ChosenOption): SequenceOption | null {
  const steps = sortedSteps(query);
  if (option.steps.length !== steps.length || steps.length === 0) return null;
  const positionByIndex = new Map(steps.map((step, position) => [step.index, position]));
  const blockOf = new Int32Array(steps.length);
  runningBlocks(steps).forEach((block, b) => {
    for (const position of block) blockOf[position] = b;
  });
  const seen = new Set<number>();
  const cache = createEngineCache();
  const notBefore = noticeBound(query.now, query.minimumNoticeMs);
  const out: ScheduledStep[] = [];
  let previousPosition = -1;
  let previousEnd = 0;
  for (const chosen of option.steps) {
    const position = positionByIndex.get(chosen.index);
    if (position === undefined || seen.has(position)) return null;
    seen.add(position);
    const step = steps[position]!;
    const start = chosen.start;
    const end = start + step.durationMs;
    if (chosen.end !== undefined && chosen.end !== end) return null;
    if (start < notBefore || !isAlignedStart(query.alignmentZone, step.startIntervalMinutes, start))
      return null;
    if (previousPosition >= 0) {
      const previous = steps[previousPosition]!;
      if (blockOf[position]! < blockOf[previousPosition]!) return null;
      const gap = start - previousEnd;
      if (gap < minimumGapMs(previous, step) || gap > maximumGapMs(previous, step)) return null;
    }
    const window = slotWindow(query.queryPeriods, step.stepPeriods, cache);
    const participants = listSelectedMembers(
      step.groups,
      window,
      start,
      end,
      Math.max(0, step.before.minMs),
      Math.max(0, step.after.minMs),
      cache,
    );
    if (participants === null) return null;
    out.push({ index: step.index, start, end, participants });
    previousPosition = position;
    previousEnd = end;
  }
  if (anyLoad(steps) && !optionFitsLoads(new Map(steps.map((step) => [step.index, step])), out)) return null;
  return { steps: out };
}

export function isOptionStillAvailable(query: SequenceQuery, option: ChosenOption): boolean {
  return recheckSequenceOption(query, option) !== null;
}
