/**
 * Availability constraints across the steps of one sequence option (SPEC 5.1: "the slots of the
 * same option that m takes part in and that start in that period" count together). Each step's
 * own availability already keeps a member out of its full periods; this checks the option as a
 * whole for members who take part in several steps.
 */
import { fitsLoad } from './constraints.ts';
import type { MemberAvailability, ScheduledStep, SequenceStep } from './types.ts';

/** Whether any member of any step carries constraints (the check is skipped otherwise). */
export function anyLoad(steps: readonly SequenceStep[]): boolean {
  for (const step of steps) {
    for (const group of step.groups) {
      for (const member of group.members) if (member.load !== undefined && member.load !== null) return true;
    }
  }
  return false;
}

/** The listing of `sub` in a step that selection used: its first listing in listed order. */
function listingOf(step: SequenceStep, sub: string): MemberAvailability | undefined {
  for (const group of step.groups) {
    for (const member of group.members) if (member.sub === sub) return member;
  }
  return undefined;
}

/**
 * Whether every selected participant of the option stays within its constraints when all the
 * option's slots it takes part in are counted together. `stepsByIndex` maps a step's `index` to
 * the step. A member listed with different constraints in different steps is judged by each
 * step's own listing, counting all of the option's slots of that sub.
 */
export function optionFitsLoads(
  stepsByIndex: ReadonlyMap<number, SequenceStep>,
  option: readonly ScheduledStep[],
): boolean {
  const startsBySub = new Map<string, number[]>();
  for (const scheduled of option) {
    for (const sub of scheduled.participants) {
      const starts = startsBySub.get(sub);
      if (starts === undefined) startsBySub.set(sub, [scheduled.start]);
      else starts.push(scheduled.start);
    }
  }
  for (const scheduled of option) {
    const step = stepsByIndex.get(scheduled.index);
    if (step === undefined) continue;
    for (const sub of scheduled.participants) {
      const starts = startsBySub.get(sub)!;
      if (starts.length < 2) continue; // one slot: the step's own availability already checked it
      const load = listingOf(step, sub)?.load;
      if (load !== undefined && load !== null && !fitsLoad(load, starts)) return false;
    }
  }
  return true;
}
