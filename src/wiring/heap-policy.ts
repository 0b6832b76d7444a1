/**
 * How much memory the V8 heaps may hold on to (issue 28, item 3; docs/deployment.md, "Memory").
 * Measured on the scale bench (4,000 page views after availability, bookings and loading): RSS 376-
 * 385 MB with V8's defaults, 265-272 MB with this policy, with no change in the latencies measured.
 *
 * - The young generation. V8 sizes the new space from the machine's memory and doubles it whenever
 *   much survives a scavenge: a server with requests in flight grows it to 2 × 64 MB, which stays
 *   resident. `--max-semi-space-size` fixes a ceiling but only as a start-up flag, which
 *   `node src/main.ts`, `npm start` and most launchers do not pass. The growth factor, though, is
 *   read at every resize: it is 2 while the new space is below 4 MB and 1 from there. The check
 *   runs after collections, asynchronously, so growth stops a doubling or two late: the new space
 *   ends at about 8 MB, at most 16 (heap-policy.test.ts). The program's modules load with the
 *   factor at 1.
 * - The old generation. V8 lets it grow to up to 4× what survived the last full collection before
 *   collecting again; with a live heap of about 25 MB the server kept 70-85 MB of old space, most
 *   of it garbage. `--heap-growing-percent` (also read at every collection) makes that 1.5×.
 *
 * The flags are process-wide, so worker threads follow them too (their young generation has its
 * own ceiling: adapters/worker-pool.ts). An operator's own flags win: with `--max-semi-space-size`
 * in NODE_OPTIONS or on the command line the young generation is left alone, and with
 * `--heap-growing-percent` on the command line the old one.
 */
import { PerformanceObserver } from 'node:perf_hooks';
import { getHeapSpaceStatistics, setFlagsFromString } from 'node:v8';

const MB = 1024 * 1024;

export const HEAP_POLICY = { freezeNewSpaceMb: 4, oldGrowingPercent: 50 } as const;

function flagGiven(name: string): boolean {
  const args = [...process.execArgv, ...(process.env.NODE_OPTIONS ?? '').split(/\s+/)];
  return args.some((arg) => arg === name || arg.startsWith(`${name}=`));
}

function newSpaceBytes(): number {
  return getHeapSpaceStatistics().find((space) => space.space_name === 'new_space')?.space_size ?? 0;
}

/** Applies the policy from now on; call it before the program's modules load. */
export function applyHeapPolicy(policy: typeof HEAP_POLICY = HEAP_POLICY): void {
  if (!flagGiven('--heap-growing-percent')) {
    setFlagsFromString(`--heap-growing-percent=${policy.oldGrowingPercent}`);
  }
  if (flagGiven('--max-semi-space-size')) return;
  const limit = policy.freezeNewSpaceMb * MB;
  let frozen = true;
  setFlagsFromString('--semi-space-growth-factor=1');
  const observer = new PerformanceObserver(() => {
    const atCap = newSpaceBytes() >= limit;
    if (atCap === frozen) return;
    frozen = atCap;
    setFlagsFromString(`--semi-space-growth-factor=${atCap ? 1 : 2}`);
  });
  observer.observe({ entryTypes: ['gc'] });
}
