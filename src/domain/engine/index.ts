/** The availability engine's public surface (SPEC 5). Pure: no clock, no environment, no I/O. */
export { DEFAULT_START_INTERVAL_MINUTES, findAvailability } from './availability.ts';
export {
  type AvailabilityConstraint,
  CONSTRAINT_PERIODS,
  type ConstraintLoad,
  type ConstraintPeriod,
  type CountedEvent,
  constraintPeriodAt,
  constraintPeriodsCovering,
  countingWindow,
  countsFor,
  fitsLoad,
  type LoadPeriod,
  loadPeriodAt,
  type MemberLoad,
  prepareMemberLoad,
} from './constraints.ts';
export {
  type ExplainedReason,
  type ExplainFacts,
  type Explanation,
  explainAvailability,
  explainSequences,
  type MemberMinutes,
  REASON_CODES,
  type ReasonCode,
  type UnavailableSource,
} from './explain.ts';
export {
  type ChosenOption,
  freeMembersAt,
  isOptionStillAvailable,
  isSlotStillAvailable,
  type ParticipantBuffers,
  recheckSequenceOption,
  recheckSlot,
  selectMembers,
} from './recheck.ts';
export { findSequences, SEQUENCE_LIMITS, SequenceTooComplexError } from './sequence.ts';
export type * from './types.ts';
