/** Compact builders for the engine's table tests. Times are `HH:MM` on DAY (UTC) unless noted. */
import type { Interval } from '../time/intervals.ts';
import type {
  AvailabilityQuery,
  GapBound,
  Group,
  MemberAvailability,
  SequenceQuery,
  SequenceStep,
} from './types.ts';

export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;
export const DAY = Date.UTC(2026, 10, 24);

/** `'09:30'` on DAY; `'+1 09:30'` on the next day. */
export function at(time: string): number {
  const match = /^(?:\+(\d+) )?(\d\d):(\d\d)$/.exec(time);
  if (match === null) throw new Error(`bad time ${time}`);
  return DAY + Number(match[1] ?? 0) * 24 * HOUR + Number(match[2]) * HOUR + Number(match[3]) * MINUTE;
}

export function span(from: string, to: string): Interval {
  return { start: at(from), end: at(to) };
}

export function member(
  sub: string,
  busy: Interval[] = [],
  open: Interval[] | null = null,
): MemberAvailability {
  return { sub, busy, open };
}

export function group(members: MemberAvailability[], required = members.length): Group {
  return { members, required };
}

export function hhmm(t: number): string {
  const dayOffset = Math.floor((t - DAY) / (24 * HOUR));
  const time = new Date(t).toISOString().slice(11, 16);
  return dayOffset === 0 ? time : `+${dayOffset} ${time}`;
}

export function availabilityQuery(overrides: Partial<AvailabilityQuery>): AvailabilityQuery {
  return {
    groups: [],
    durationMs: 60 * MINUTE,
    startIntervalMinutes: null,
    alignmentZone: 'UTC',
    queryPeriods: [span('09:00', '17:00')],
    now: at('00:00'),
    minimumNoticeMs: 0,
    bufferBeforeMs: 0,
    bufferAfterMs: 0,
    format: 'periods',
    maxResults: 512,
    ...overrides,
  };
}

export const NO_GAP: GapBound = { minMs: 0, maxMs: null };

export function step(index: number, groups: Group[], overrides: Partial<SequenceStep> = {}): SequenceStep {
  return {
    index,
    ordinal: null,
    groups,
    durationMs: 60 * MINUTE,
    startIntervalMinutes: 60,
    before: NO_GAP,
    after: NO_GAP,
    stepPeriods: null,
    ...overrides,
  };
}

export function sequenceQuery(steps: SequenceStep[], overrides: Partial<SequenceQuery> = {}): SequenceQuery {
  return {
    steps,
    queryPeriods: [span('09:00', '17:00')],
    alignmentZone: 'UTC',
    now: at('00:00'),
    minimumNoticeMs: 0,
    maxResults: 256,
    ...overrides,
  };
}
