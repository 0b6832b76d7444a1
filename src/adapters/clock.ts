import type { Clock } from '../ports/runtime.ts';

/** The only place that reads the wall clock: everything else asks a Clock (this one, or a test's). */
export const systemClock: Clock = { now: () => Date.now() };
