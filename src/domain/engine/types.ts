/**
 * The availability engine's contract. Everything here is plain data: instants are epoch
 * milliseconds, intervals are half-open `[start, end)`. The engine reads no clock, no environment
 * and does no I/O: `now` and every calendar fact arrive as inputs (SPEC 5).
 */

import type { Interval } from '../time/intervals.ts';
import type { MemberLoad } from './constraints.ts';

/**
 * One member as the engine sees it: their busy time (already including holds and bookings) and,
 * when restricted, the intervals inside which a slot must lie (SPEC 5.1 open(m)).
 */
export type MemberAvailability = {
  readonly sub: string;
  /** Busy intervals in any order; they may overlap or touch. */
  readonly busy: readonly Interval[];
  /** `null` means unrestricted. Otherwise a slot must lie inside one interval of the union of these. */
  readonly open: readonly Interval[] | null;
  /**
   * Availability constraints (SPEC 5.1) prepared for the request's window by `prepareMemberLoad`;
   * absent or `null` means none. A slot may not start in `load.full`, and the slots of one option
   * the member takes part in must fit each period's remaining capacity.
   */
  readonly load?: MemberLoad | null;
};

/** A participant group: satisfied when at least `required` members are free (SPEC 5.2). */
export type Group = {
  readonly members: readonly MemberAvailability[];
  /** 1 ≤ required ≤ members.length (validated before the engine runs). */
  readonly required: number;
};

export type ResponseFormat = 'periods' | 'slots' | 'overlapping_slots';

/** `POST /v1/availability` after parsing (SPEC 5.4). */
export type AvailabilityQuery = {
  readonly groups: readonly Group[];
  readonly durationMs: number;
  /** `null` when the request gave none: periods are then unaligned, slots use 15 minutes. */
  readonly startIntervalMinutes: number | null;
  /** IANA zone whose wall clock aligns start times (SPEC 5.3); `'UTC'` when the request has no tzid. */
  readonly alignmentZone: string;
  /** Query periods in any order; touching or overlapping ones are merged by the engine. */
  readonly queryPeriods: readonly Interval[];
  readonly now: number;
  readonly minimumNoticeMs: number;
  /** Participant buffers (SPEC 5.1): busy time must stay this far from a slot. */
  readonly bufferBeforeMs: number;
  readonly bufferAfterMs: number;
  readonly format: ResponseFormat;
  readonly maxResults: number;
};

/** One result of an availability query: `participants` lists every free member, in listed order. */
export type AvailableSlot = {
  readonly start: number;
  readonly end: number;
  readonly participants: readonly string[];
};

/** A gap bound between consecutive steps (SPEC 5.5 buffers). `maxMs: null` means no upper bound. */
export type GapBound = { readonly minMs: number; readonly maxMs: number | null };

/** One step of a sequence after parsing. */
export type SequenceStep = {
  /** The step's position in the request array (0-based); used for tie-breaking and for output. */
  readonly index: number;
  /** `null` when the request gave no ordinals (then array order is the running order). */
  readonly ordinal: number | null;
  readonly groups: readonly Group[];
  readonly durationMs: number;
  /** Defaults to 15 when the step gave none. */
  readonly startIntervalMinutes: number;
  /** `before.minMs` / `after.minMs` are also the step's participant buffers (SPEC 5.1). */
  readonly before: GapBound;
  readonly after: GapBound;
  /** The step's own query periods; `null` (or empty) means no step-specific restriction. */
  readonly stepPeriods: readonly Interval[] | null;
};

/** `POST /v1/sequenced_availability` (and every RTSeq page) after parsing. */
export type SequenceQuery = {
  readonly steps: readonly SequenceStep[];
  readonly queryPeriods: readonly Interval[];
  readonly alignmentZone: string;
  readonly now: number;
  readonly minimumNoticeMs: number;
  readonly maxResults: number;
};

/** One step of one option: `participants` are the selected members (first r free, listed order). */
export type ScheduledStep = {
  readonly index: number;
  readonly start: number;
  readonly end: number;
  readonly participants: readonly string[];
};

/** One sequence option; `steps` are in the option's running order. */
export type SequenceOption = { readonly steps: readonly ScheduledStep[] };
