/**
 * Members' free time and the available start times of one slot shape (SPEC 5.1 to 5.3), shared by
 * `findAvailability`, `findSequences` and the booking re-checks.
 */

import type { Interval } from '../time/intervals.ts';
import {
  EMPTY_PACKED,
  expandPacked,
  intersectPacked,
  type PackedIntervals,
  packedContains,
  packedIntersects,
  subtractPacked,
} from '../time/intervals.ts';
import { alignedStarts } from '../time/zones.ts';
import { lowerBound, upperBound } from './bounds.ts';
import { blockedCandidates, fullPeriods, markAround, startsInFullPeriod } from './constraint-starts.ts';
import { type EngineCache, packCached } from './engine-cache.ts';
import type { Group, MemberAvailability } from './types.ts';

export { lowerBound, upperBound } from './bounds.ts';
// The engine's other modules and tests reach these through free-time.ts.
export { createEngineCache, type EngineCache, packCached } from './engine-cache.ts';

/**
 * Busy time grown so that a slot is free exactly when it avoids it: busy `[b, c)` blocks every slot
 * `[s, e)` with `b < e + after` and `c > s - before`, that is every slot meeting
 * `[b - after, c + before)`.
 */
function blockedTime(member: MemberAvailability, beforeMs: number, afterMs: number, cache: EngineCache) {
  const busy = packCached(member.busy, cache);
  if (busy.length === 0 || (beforeMs === 0 && afterMs === 0)) return busy;
  let byBuffers = cache.expanded.get(busy);
  if (byBuffers === undefined) {
    byBuffers = new Map();
    cache.expanded.set(busy, byBuffers);
  }
  const key = `${beforeMs}/${afterMs}`;
  let blocked = byBuffers.get(key);
  if (blocked === undefined) {
    blocked = expandPacked(busy, afterMs, beforeMs);
    byBuffers.set(key, blocked);
  }
  return blocked;
}

/**
 * The instants at which `member` is free in the pointwise sense: inside `window` and open(m), and
 * not within the buffers of a busy interval. A slot is free for the member (SPEC 5.1) exactly when
 * it lies inside one interval of this set and inside one interval of `window`.
 */
export function memberFreeTime(
  member: MemberAvailability,
  window: PackedIntervals,
  beforeMs: number,
  afterMs: number,
  cache: EngineCache,
): PackedIntervals {
  const openWindow = member.open === null ? window : intersectPacked(window, packCached(member.open, cache));
  const free = subtractPacked(openWindow, blockedTime(member, beforeMs, afterMs, cache));
  // The periods format judges instants, not slots: a member is not free during its full
  // constraint periods (docs/engine.md, interpretation 22).
  const full = fullPeriods(member, cache);
  return full === null ? free : subtractPacked(free, full);
}

/** SPEC 5.1 literally for one slot (`window` = the merged query periods the slot must lie in). */
export function isMemberFree(
  member: MemberAvailability,
  window: PackedIntervals,
  start: number,
  end: number,
  beforeMs: number,
  afterMs: number,
  cache: EngineCache,
): boolean {
  if (!(start < end) || !packedContains(window, start, end)) return false;
  if (member.open !== null && !packedContains(packCached(member.open, cache), start, end)) return false;
  if (startsInFullPeriod(member, start, cache)) return false;
  return !packedIntersects(packCached(member.busy, cache), start - beforeMs, end + afterMs);
}

/**
 * A group that requires all its members, in a slot known to satisfy every group: each member is
 * free there, so no member needs checking (most of the cost of listing members of many results).
 */
function allFree(group: Group, known: boolean): boolean {
  return known && group.required >= group.members.length;
}

/**
 * Every free member of every group, in listed order, each `sub` once (first appearance). `known`:
 * the slot is one of the engine's available starts (every group satisfied).
 */
export function listFreeMembers(
  groups: readonly Group[],
  window: PackedIntervals,
  start: number,
  end: number,
  beforeMs: number,
  afterMs: number,
  cache: EngineCache,
  known = false,
): string[] {
  const seen = new Set<string>();
  for (const group of groups) {
    const free = allFree(group, known);
    for (const member of group.members) {
      if (seen.has(member.sub)) continue;
      if (free || isMemberFree(member, window, start, end, beforeMs, afterMs, cache)) {
        seen.add(member.sub);
      }
    }
  }
  return [...seen];
}

/**
 * SPEC 5.2 selection: the first `required` free members of each group in listed order, groups
 * concatenated in listed order, a `sub` selected twice kept once (first). `null` when a group is
 * not satisfied. `known`: the slot is one of the engine's available starts.
 */
export function listSelectedMembers(
  groups: readonly Group[],
  window: PackedIntervals,
  start: number,
  end: number,
  beforeMs: number,
  afterMs: number,
  cache: EngineCache,
  known = false,
): string[] | null {
  const selected = new Set<string>();
  for (const group of groups) {
    let taken = 0;
    const free = allFree(group, known);
    for (const member of group.members) {
      if (taken === group.required) break;
      if (free || isMemberFree(member, window, start, end, beforeMs, afterMs, cache)) {
        selected.add(member.sub);
        taken++;
      }
    }
    if (taken < group.required) return null;
  }
  return [...selected];
}

/**
 * The first instant a slot may start (SPEC 5.3): `now + minimumNotice` rounded **up** to the whole
 * second, so a period cut by the bound starts on a whole second at or after it.
 */
export function noticeBound(now: number, minimumNoticeMs: number): number {
  return Math.ceil((now + minimumNoticeMs) / 1000) * 1000;
}

/**
 * Aligned start candidates (SPEC 5.3) inside the merged query periods and at or after `notBefore`,
 * ascending. Generated per query period, so a long span with few periods stays cheap.
 */
export function candidateStarts(
  zone: string,
  intervalMinutes: number,
  queryPeriods: PackedIntervals,
  notBefore: number,
  cache: EngineCache,
): Float64Array {
  const key = `${zone}|${intervalMinutes}|${notBefore}`;
  const cached = cache.grids.get(key);
  if (cached !== undefined) return cached;
  const parts: Float64Array[] = [];
  let total = 0;
  for (let i = 0; i < queryPeriods.length; i += 2) {
    const from = Math.max(queryPeriods[i]!, notBefore);
    const to = queryPeriods[i + 1]!;
    if (!(from < to)) continue;
    const starts = alignedStarts(zone, intervalMinutes, from, to, cache.arena);
    parts.push(starts);
    total += starts.length;
  }
  // One query period (the usual case) is its own grid, without a copy.
  const grid = parts.length === 1 ? parts[0]! : new Float64Array(total);
  if (parts.length !== 1) {
    let offset = 0;
    for (const part of parts) {
      grid.set(part, offset);
      offset += part.length;
    }
  }
  cache.grids.set(key, grid);
  return grid;
}

/**
 * The common difference of `candidates` when they are evenly spaced whole milliseconds (one query
 * period, an interval that divides every offset change of the zone), else 0. Memoised per grid:
 * it lets `markFreeStarts` find candidate indices by arithmetic instead of searching.
 */
function uniformStep(candidates: Float64Array, cache: EngineCache): number {
  let step = cache.gridSteps.get(candidates);
  if (step !== undefined) return step;
  step = evenSpacing(candidates);
  cache.gridSteps.set(candidates, step);
  return step;
}

function evenSpacing(candidates: Float64Array): number {
  if (candidates.length < 2) return 0;
  const step = candidates[1]! - candidates[0]!;
  if (!(step > 0 && Number.isInteger(step) && Number.isInteger(candidates[0]!))) return 0;
  for (let i = 2; i < candidates.length; i++) {
    if (candidates[i]! - candidates[i - 1]! !== step) return 0;
  }
  return step;
}

/** On an evenly spaced grid: the first index whose candidate is after `t`, within [0, n]. */
function indexAfter(candidates: Float64Array, step: number, t: number): number {
  const index = Math.floor((t - candidates[0]!) / step) + 1;
  return index <= 0 ? 0 : Math.min(index, candidates.length);
}

/** On an evenly spaced grid: the first index whose candidate is at or after `t`, within [0, n]. */
function indexAtOrAfter(candidates: Float64Array, step: number, t: number): number {
  const index = Math.ceil((t - candidates[0]!) / step);
  return index <= 0 ? 0 : Math.min(index, candidates.length);
}

/** The window narrowed to the member's open time, memoised per (open list, window). */
function openWindowOf(
  member: MemberAvailability,
  window: PackedIntervals,
  cache: EngineCache,
): PackedIntervals {
  const open = packCached(member.open!, cache);
  let byWindow = cache.narrowed.get(open);
  if (byWindow === undefined) {
    byWindow = new Map();
    cache.narrowed.set(open, byWindow);
  }
  let narrowed = byWindow.get(window);
  if (narrowed === undefined) {
    narrowed = intersectPacked(window, open);
    byWindow.set(window, narrowed);
  }
  return narrowed;
}

/**
 * Adds +1 over every run of candidate indices `i` at which `[candidates[i], candidates[i] +
 * durationMs)` is free for one member: inside `allowed` and clear of every busy interval grown by
 * the buffers. Walks the gaps between consecutive busy intervals directly (busy is sorted and
 * disjoint, so grown intervals keep their order and gap `k` is `[end(k-1) + before, start(k) -
 * after)`), so nothing is allocated per member. O(busy + allowed pieces + runs × log candidates).
 */
function markFreeStarts(
  candidates: Float64Array,
  diff: Int32Array,
  allowed: PackedIntervals,
  busy: PackedIntervals,
  gridStep: number,
  durationMs: number,
  beforeMs: number,
  afterMs: number,
  blocked: Int32Array | null,
): void {
  const n = candidates.length;
  const busyCount = busy.length;
  let cursor = 0;
  let b = 0;
  let blockedAt = 0;
  for (let a = 0; a < allowed.length && cursor < n; a += 2) {
    const allowedStart = allowed[a]!;
    const allowedEnd = allowed[a + 1]!;
    // Skip to the first busy interval whose grown end passes the allowed interval's start; every
    // earlier one ends (grown) at or before it, so the first gap starts at the allowed start.
    while (b < busyCount && busy[b + 1]! + beforeMs <= allowedStart) b += 2;
    let gapStart = allowedStart;
    for (let k = b; ; k += 2) {
      const gapEnd = k < busyCount ? Math.min(allowedEnd, busy[k]! - afterMs) : allowedEnd;
      const lastStart = gapEnd - durationMs;
      if (lastStart >= gapStart) {
        const first =
          gridStep > 0
            ? Math.max(cursor, indexAtOrAfter(candidates, gridStep, gapStart))
            : lowerBound(candidates, gapStart, cursor);
        const past =
          gridStep > 0
            ? Math.max(first, indexAfter(candidates, gridStep, lastStart))
            : upperBound(candidates, lastStart, first);
        if (past > first) {
          if (blocked === null) {
            diff[first]!++;
            diff[past]!--;
          } else blockedAt = markAround(diff, first, past, blocked, blockedAt);
        }
        cursor = past;
      }
      if (k >= busyCount || gapEnd >= allowedEnd || cursor >= n) break;
      gapStart = Math.max(gapStart, busy[k + 1]! + beforeMs);
      if (gapStart >= allowedEnd) break;
    }
  }
}

/**
 * The candidates `s` at which `[s, s + durationMs)` is available (SPEC 5.1 to 5.3): inside one
 * interval of `window` and every group has at least `required` members free. Cost per group:
 * O(Σ members' free pieces × log candidates + candidates), via a difference array over candidate
 * indices instead of testing each member at each candidate.
 */
export function availableStarts(
  candidates: Float64Array,
  groups: readonly Group[],
  durationMs: number,
  window: PackedIntervals,
  beforeMs: number,
  afterMs: number,
  cache: EngineCache,
): Float64Array {
  const n = candidates.length;
  if (n === 0 || window.length === 0) return new Float64Array(0);
  const gridStep = uniformStep(candidates, cache);
  const { ok, diff } = startScratch(n);
  ok.fill(1, 0, n);
  for (const group of groups) {
    diff.fill(0, 0, n + 1);
    for (const member of group.members) {
      const allowed = member.open === null ? window : openWindowOf(member, window, cache);
      const busy = packCached(member.busy, cache);
      const full = fullPeriods(member, cache);
      const blocked = full === null ? null : blockedCandidates(candidates, full);
      markFreeStarts(candidates, diff, allowed, busy, gridStep, durationMs, beforeMs, afterMs, blocked);
    }
    let running = 0;
    let any = false;
    for (let i = 0; i < n; i++) {
      running += diff[i]!;
      if (running < group.required) ok[i] = 0;
      else if (ok[i] === 1) any = true;
    }
    if (!any) return new Float64Array(0);
  }
  let count = 0;
  for (let i = 0; i < n; i++) count += ok[i]!;
  const out = cache.arena.alloc(count);
  let k = 0;
  for (let i = 0; i < n; i++) if (ok[i] === 1) out[k++] = candidates[i]!;
  return out;
}

/**
 * `availableStarts`' per-candidate flags and difference array, reused across calls (a fresh pair of
 * typed arrays per call was a visible share of a small request); grown on demand. Safe to share:
 * the engine is synchronous and `availableStarts` calls nothing that calls it again.
 */
let startFlags = new Uint8Array(1024);
let startDiffs = new Int32Array(1025);
function startScratch(n: number): { ok: Uint8Array; diff: Int32Array } {
  if (startFlags.length < n) {
    startFlags = new Uint8Array(n);
    startDiffs = new Int32Array(n + 1);
  }
  return { ok: startFlags, diff: startDiffs };
}

/** Merged query periods, optionally narrowed by a step's own (non-empty) periods. */
export function slotWindow(
  queryPeriods: readonly Interval[],
  stepPeriods: readonly Interval[] | null,
  cache: EngineCache,
): PackedIntervals {
  const query = packCached(queryPeriods, cache);
  if (stepPeriods === null || stepPeriods.length === 0) return query;
  const step = packCached(stepPeriods, cache);
  return step.length === 0 ? EMPTY_PACKED : intersectPacked(query, step);
}
