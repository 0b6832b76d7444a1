/**
 * Availability constraints where the engine looks for start times (SPEC 5.1): no slot of a member
 * may start in one of its full constraint periods. Split from free-time.ts, which calls these.
 */
import type { PackedIntervals } from '../time/intervals.ts';
import { packedIntersects } from '../time/intervals.ts';
import { lowerBound } from './bounds.ts';
import { type EngineCache, packCached } from './engine-cache.ts';
import type { MemberAvailability } from './types.ts';

/**
 * Whether `start` lies in one of the member's full constraint periods (SPEC 5.1 availability
 * constraints): no further slot of the member may start there.
 */
export function startsInFullPeriod(member: MemberAvailability, start: number, cache: EngineCache): boolean {
  const load = member.load;
  if (load === undefined || load === null || load.full.length === 0) return false;
  return packedIntersects(packCached(load.full, cache), start, start + 1);
}

/** The member's full constraint periods, packed; `null` when it has none (the common case). */
export function fullPeriods(member: MemberAvailability, cache: EngineCache): PackedIntervals | null {
  const load = member.load;
  if (load === undefined || load === null || load.full.length === 0) return null;
  return packCached(load.full, cache);
}

/**
 * Marks the candidate run `[first, past)` minus the blocked index runs (`blocked` holds sorted,
 * disjoint `[from, to)` pairs). Runs arrive in ascending order, so the blocked cursor only moves
 * forward; returns it.
 */
export function markAround(
  diff: Int32Array,
  first: number,
  past: number,
  blocked: Int32Array,
  from: number,
): number {
  let at = from;
  while (at < blocked.length && blocked[at + 1]! <= first) at += 2;
  let piece = first;
  for (let k = at; k < blocked.length && blocked[k]! < past; k += 2) {
    if (blocked[k]! > piece) {
      diff[piece]!++;
      diff[blocked[k]!]!--;
    }
    piece = Math.max(piece, blocked[k + 1]!);
  }
  if (piece < past) {
    diff[piece]!++;
    diff[past]!--;
  }
  return at;
}

/** Candidate index runs `[from, to)` whose starts lie in the member's full constraint periods. */
export function blockedCandidates(candidates: Float64Array, full: PackedIntervals): Int32Array {
  const out: number[] = [];
  let from = 0;
  for (let i = 0; i < full.length; i += 2) {
    const first = lowerBound(candidates, full[i]!, from);
    const past = lowerBound(candidates, full[i + 1]!, first);
    if (past > first) out.push(first, past);
    from = past;
  }
  return Int32Array.from(out);
}
