/**
 * "Why are there no times?" (SPEC 5.7) for the API, the link status and the CLI: runs the engine's
 * explanation beside the answer (in the compute job when the port can), then words it. The page
 * never uses this: the reasons name other people's calendars.
 */
import { findAvailability } from '../../domain/engine/availability.ts';
import {
  type ExplainedReason,
  type Explanation,
  explainAvailability,
  explainSequences,
  type UnavailableSource,
} from '../../domain/engine/explain.ts';
import { findSequences } from '../../domain/engine/sequence.ts';
import type {
  AvailabilityQuery,
  AvailableSlot,
  SequenceOption,
  SequenceQuery,
} from '../../domain/engine/types.ts';
import type { SourceFailure } from '../../ports/busy-source.ts';
import type { AvailabilityCompute, ExplainRequest } from '../../ports/compute.ts';

/** The first failure of each member whose external source could not be read. */
export function explainRequest(
  failures: readonly (SourceFailure & { readonly sub: string })[],
): ExplainRequest {
  const unavailable = new Map<string, UnavailableSource>();
  for (const failure of failures) {
    if (!unavailable.has(failure.sub)) {
      unavailable.set(failure.sub, { calendarId: failure.calendarId, reason: failure.reason });
    }
  }
  return { unavailable };
}

/** The answer with its explanation, in one compute job when the port offers it. */
export function availabilityExplained(
  compute: AvailabilityCompute | undefined,
  query: AvailabilityQuery,
  explain: ExplainRequest,
): Promise<{ slots: AvailableSlot[]; explanation: Explanation }> {
  if (compute?.explainAvailability !== undefined) return compute.explainAvailability(query, explain);
  const slots = findAvailability(query);
  return Promise.resolve({ slots, explanation: explainAvailability(query, slots.length, explain) });
}

export function sequencesExplained(
  compute: AvailabilityCompute | undefined,
  query: SequenceQuery,
  explain: ExplainRequest,
): Promise<{ options: SequenceOption[]; explanation: Explanation }> {
  if (compute?.explainSequences !== undefined) return compute.explainSequences(query, explain);
  const options = findSequences(query);
  return Promise.resolve({ options, explanation: explainSequences(query, options.length, explain) });
}

/** What the words need about each step (or the one slot shape of a query). */
export type StepWording = {
  /** The step's `sequence_id`; null for `/v1/availability` and Real-Time Scheduling. */
  readonly sequenceId: string | number | null;
  readonly durationMinutes: number;
  readonly beforeMinutes: number;
  readonly afterMinutes: number;
};

export type ExplanationDocument = {
  summary: string;
  reasons: { code: string; description: string; subs: string[]; sequence_id?: string | number }[];
  members: {
    sub: string;
    sequence_id?: string | number;
    open_minutes: number;
    free_minutes: number;
    unavailable_source?: { calendar_id: string; reason: string };
  }[];
};

/** An account's display name by sub (undefined when unknown or the same as the sub). */
export type NameOf = (sub: string) => string | undefined;

function names(subs: readonly string[], nameOf: NameOf): string {
  const labels = subs.map((sub) => {
    const name = nameOf(sub)?.trim();
    return name === undefined || name === '' || name === sub ? sub : `${name} (${sub})`;
  });
  if (labels.length <= 1) return labels[0] ?? 'nobody';
  return `${labels.slice(0, -1).join(', ')} and ${labels[labels.length - 1]}`;
}

const verb = (subs: readonly string[], one: string, many: string) => (subs.length === 1 ? one : many);

function inStep(step: StepWording | undefined): string {
  return step === undefined || step.sequenceId === null ? '' : ` in step ${String(step.sequenceId)}`;
}

function buffers(step: StepWording): string {
  if (step.beforeMinutes === 0 && step.afterMinutes === 0) return '';
  return ` (with ${step.beforeMinutes} minutes before and ${step.afterMinutes} after kept clear)`;
}

/** One reason in words: what is wrong and what would change it. */
function describe(reason: ExplainedReason, step: StepWording | undefined, nameOf: NameOf): string {
  const who = names(reason.subs, nameOf);
  const where = inStep(step);
  switch (reason.code) {
    case 'in_the_past':
      return 'Every query period ends before now plus the minimum notice, so no time can start in it; query later periods.';
    case 'source_unavailable':
      return `A calendar of ${who} could not be read, so ${verb(reason.subs, 'this member counts', 'these members count')} as unavailable${where}; fix or reconnect the calendar.`;
    case 'no_open_time':
      return `${who} ${verb(reason.subs, 'has', 'have')} no open time in the query periods${where}: availability rules, available periods or member-level available_periods exclude the whole window.`;
    case 'constraint_limit':
      return `${who}'s open time${where} lies only in periods whose availability constraint limit is already reached; raise the limit or query other periods.`;
    case 'fully_busy':
      return `${who} ${verb(reason.subs, 'is', 'are')} busy (events or holds) for all of the open time in the query periods${where}; free some time or widen the query periods.`;
    case 'too_short':
      return `${who} ${verb(reason.subs, 'has', 'have')} free time${where}, but no free stretch of ${step?.durationMinutes ?? 0} minutes${step === undefined ? '' : buffers(step)}; shorten the duration or the buffers, or free a longer stretch.`;
    case 'no_common_time':
      return `Everyone needed${where} has free time of the required length, but not at the same allowed start time: ${who} never ${verb(reason.subs, 'is', 'are')} free together as the groups require.`;
    case 'sequence_gaps':
      return 'Every step has times on its own, but no order of the steps fits them together within the allowed gaps; loosen the buffers between steps or widen the query periods.';
  }
}

/** The codes whose description opens with an ordinary word rather than the members' names. */
const SENTENCE_CODES: readonly string[] = [
  'in_the_past',
  'source_unavailable',
  'no_common_time',
  'sequence_gaps',
];

/** A query-wide reason of `/v1/availability` is worded with the query's one slot shape. */
const stepOf = (reason: ExplainedReason, steps: readonly StepWording[]) => steps[reason.step ?? 0];

function summary(explanation: Explanation, steps: readonly StepWording[], nameOf: NameOf): string {
  const first = explanation.reasons[0];
  if (first === undefined) return 'There are available times; nothing stands in the way.';
  const rest = explanation.reasons.length - 1;
  const more = rest === 0 ? '' : ` (${rest} more ${rest === 1 ? 'reason' : 'reasons'} below)`;
  const text = describe(first, stepOf(first, steps), nameOf);
  // Descriptions that open with a member's name keep its capital; the others open with a word.
  const opensWithName = !SENTENCE_CODES.includes(first.code);
  const start = opensWithName ? text.charAt(0) : text.charAt(0).toLowerCase();
  return `No times: ${start}${text.slice(1, -1)}${more}.`;
}

/**
 * The `explanation` of SPEC 5.7 on the wire; `steps` by request position (one for a query). The
 * words name members by their account name when they have one (the application's own data).
 */
export function explanationDocument(
  explanation: Explanation,
  steps: readonly StepWording[],
  nameOf: NameOf = () => undefined,
): ExplanationDocument {
  const idOf = (step: number | null) => (step === null ? null : (steps[step]?.sequenceId ?? null));
  const withId = <T extends object>(value: T, step: number | null) => {
    const id = idOf(step);
    return id === null ? value : { ...value, sequence_id: id };
  };
  return {
    summary: summary(explanation, steps, nameOf),
    reasons: explanation.reasons.map((reason) =>
      withId(
        {
          code: reason.code,
          description: describe(reason, stepOf(reason, steps), nameOf),
          subs: [...reason.subs],
        },
        reason.step,
      ),
    ),
    members: explanation.members.map((member) => {
      const entry = withId(
        { sub: member.sub, open_minutes: member.openMinutes, free_minutes: member.freeMinutes },
        member.step,
      );
      const source = member.unavailableSource;
      return source === null
        ? entry
        : { ...entry, unavailable_source: { calendar_id: source.calendarId, reason: source.reason } };
    }),
  };
}
