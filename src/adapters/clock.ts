import type { Clock } from '../ports/runtime.ts';

/** The only place that reads the wall clock. */
export const systemClock: Clock = { now: () => Date.now() };
