/**
 * Lowers the scheduling priority of the calling worker thread (Linux: `nice` is per thread), so
 * that on a machine with as many busy workers as cores the event loop thread still gets a core
 * when it needs one: `/healthz` and page views are answered between heavy computations instead of
 * waiting for a time slice (issue 13). Elsewhere, or where it is not allowed, nothing changes.
 */
import { readlinkSync } from 'node:fs';
import { getPriority, setPriority } from 'node:os';

/** The nice value of background threads: well behind the event loop, still ahead of idle work. */
export const BACKGROUND_NICE = 10;

/** The thread's own id from `/proc/thread-self` (`<pid>/task/<tid>`), or undefined off Linux. */
function threadId(): number | undefined {
  try {
    const tid = Number(readlinkSync('/proc/thread-self').split('/').at(-1));
    return Number.isInteger(tid) && tid > 0 ? tid : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Returns true when the thread now runs at `nice` or lower priority. Never raises a priority: a
 * process started already niced further keeps its own value.
 */
export function lowerThisThreadPriority(nice = BACKGROUND_NICE): boolean {
  const tid = threadId();
  if (tid === undefined) return false;
  try {
    if (getPriority(tid) < nice) setPriority(tid, nice);
    return true;
  } catch {
    return false;
  }
}
