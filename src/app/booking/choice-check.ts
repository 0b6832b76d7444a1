/**
 * A cheap first look at an option the page sent back (SPEC 6.2, 9): one that could never have been
 * offered (steps missing or repeated, a start outside the link's query periods or off the minute
 * grid) is refused before any calendar is read or any option computed, so anonymous input cannot
 * buy private heavy work. An option that passes is still re-checked against fresh data.
 */
import type { SequenceRequest } from '../availability/availability.ts';
import type { ChosenSteps } from './booking.ts';

const MINUTE = 60_000;

export function couldHaveBeenOffered(sequence: SequenceRequest, chosen: ChosenSteps): boolean {
  const steps = sequence.steps;
  if (chosen.length !== steps.length) return false;
  const seen = new Set<number>();
  let from = Number.POSITIVE_INFINITY;
  let to = Number.NEGATIVE_INFINITY;
  for (const period of sequence.queryPeriods) {
    from = Math.min(from, period.start);
    to = Math.max(to, period.end);
  }
  for (const { index, start } of chosen) {
    const step = steps[index];
    if (step === undefined || seen.has(index)) return false;
    seen.add(index);
    const end = start + step.durationMinutes * MINUTE;
    if (!Number.isSafeInteger(start) || start % MINUTE !== 0 || start < from || end > to) return false;
  }
  return true;
}
