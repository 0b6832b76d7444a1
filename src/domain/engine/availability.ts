/**
 * `findAvailability`: SPEC 5.1 to 5.4 (`POST /v1/availability`). Pure: `now` and every calendar
 * fact are inputs. See docs/engine.md for the algorithm and the interpretations made.
 */
import type { Interval, PackedIntervals } from '../time/intervals.ts';
import { firstAlignedStartIn } from '../time/zones.ts';
import { withEngineCache } from './engine-cache.ts';
import {
  availableStarts,
  candidateStarts,
  type EngineCache,
  listFreeMembers,
  memberFreeTime,
  noticeBound,
  packCached,
} from './free-time.ts';
import type { AvailabilityQuery, AvailableSlot, MemberAvailability } from './types.ts';

/** Start interval used by the slot formats when the request gave none (SPEC 5.3 default). */
export const DEFAULT_START_INTERVAL_MINUTES = 15;

/**
 * Available time for a group query, in the requested format, sorted by start and truncated to
 * `maxResults`. `participants` lists every free member of every group in listed order; a `sub`
 * listed in several groups appears once, at its first appearance.
 */
export function findAvailability(query: AvailabilityQuery): AvailableSlot[] {
  if (query.maxResults <= 0 || query.groups.length === 0) return [];
  const beforeMs = Math.max(0, query.bufferBeforeMs);
  const afterMs = Math.max(0, query.bufferAfterMs);
  // Every answer lies in the query periods, and a busy or open interval counts only where it
  // overlaps a slot widened by the buffers: lists are packed within that span alone.
  return withEngineCache(
    (cache) => answer(query, beforeMs, afterMs, cache),
    readSpan(query.queryPeriods, beforeMs, afterMs),
  );
}

function answer(
  query: AvailabilityQuery,
  beforeMs: number,
  afterMs: number,
  cache: EngineCache,
): AvailableSlot[] {
  const window = packCached(query.queryPeriods, cache);
  if (window.length === 0) return [];
  if (query.format === 'periods') return findPeriods(query, window, beforeMs, afterMs, cache);

  const interval = query.startIntervalMinutes ?? DEFAULT_START_INTERVAL_MINUTES;
  const notBefore = noticeBound(query.now, query.minimumNoticeMs);
  const candidates = candidateStarts(query.alignmentZone, interval, window, notBefore, cache);
  const starts = availableStarts(
    candidates,
    query.groups,
    query.durationMs,
    window,
    beforeMs,
    afterMs,
    cache,
  );
  const results: AvailableSlot[] = [];
  let lastEnd = -Infinity;
  for (let i = 0; i < starts.length && results.length < query.maxResults; i++) {
    const start = starts[i]!;
    if (query.format === 'slots' && start < lastEnd) continue;
    const end = start + query.durationMs;
    lastEnd = end;
    const participants = listFreeMembers(query.groups, window, start, end, beforeMs, afterMs, cache, true);
    results.push({ start, end, participants });
  }
  return results;
}

function readSpan(periods: readonly Interval[], beforeMs: number, afterMs: number): Interval {
  let start = Number.POSITIVE_INFINITY;
  let end = Number.NEGATIVE_INFINITY;
  for (const period of periods) {
    if (!(period.start < period.end)) continue;
    if (period.start < start) start = period.start;
    if (period.end > end) end = period.end;
  }
  return { start: start - beforeMs, end: end + afterMs };
}

type Entry = { readonly member: MemberAvailability; readonly group: number };

/**
 * Periods: sweep the boundaries of every member's pointwise free time (already shortened by the
 * buffers), tracking per-group free counts. A period runs while every group is satisfied and the
 * list of free subs is unchanged; then notice clips its start, alignment rounds it up, and it is
 * kept when still at least `durationMs` long.
 */
function findPeriods(
  query: AvailabilityQuery,
  window: PackedIntervals,
  beforeMs: number,
  afterMs: number,
  cache: EngineCache,
): AvailableSlot[] {
  const entries: Entry[] = [];
  query.groups.forEach((group, g) => {
    for (const member of group.members) entries.push({ member, group: g });
  });
  const frees = entries.map((entry) => memberFreeTime(entry.member, window, beforeMs, afterMs, cache));
  let eventCount = 0;
  for (const free of frees) eventCount += free.length;
  const times = new Float64Array(eventCount);
  const codes = new Int32Array(eventCount); // entry * 2 + (1 when the entry stops being free)
  let k = 0;
  frees.forEach((free, e) => {
    for (let i = 0; i < free.length; i++) {
      times[k] = free[i]!;
      codes[k] = e * 2 + (i & 1);
      k++;
    }
  });
  const order = Array.from({ length: eventCount }, (_, i) => i).sort((a, b) => times[a]! - times[b]!);

  const freeCount = new Int32Array(query.groups.length);
  const isFree = new Uint8Array(entries.length);
  let unsatisfied = query.groups.filter((group) => group.required > 0).length;
  const notBefore = noticeBound(query.now, query.minimumNoticeMs);
  const results: AvailableSlot[] = [];
  let openStart = 0;
  let openKey: string | null = null;
  let openParticipants: string[] = [];

  const close = (end: number): void => {
    if (openKey === null) return;
    let start = Math.max(openStart, notBefore);
    if (end - start >= query.durationMs && query.startIntervalMinutes !== null) {
      const aligned = firstAlignedStartIn(
        query.alignmentZone,
        query.startIntervalMinutes,
        start,
        end - query.durationMs + 1,
      );
      start = aligned ?? end;
    }
    if (end - start >= query.durationMs) results.push({ start, end, participants: openParticipants });
    openKey = null;
  };

  for (let x = 0; x < eventCount && results.length < query.maxResults; ) {
    const t = times[order[x]!]!;
    for (; x < eventCount && times[order[x]!]! === t; x++) {
      const code = codes[order[x]!]!;
      const e = code >> 1;
      const g = entries[e]!.group;
      const required = query.groups[g]!.required;
      const before = freeCount[g]!;
      const after = code & 1 ? before - 1 : before + 1;
      freeCount[g] = after;
      isFree[e] = code & 1 ? 0 : 1;
      if (before >= required && after < required) unsatisfied++;
      else if (before < required && after >= required) unsatisfied--;
    }
    if (unsatisfied > 0) {
      close(t);
      continue;
    }
    const participants = freeSubs(entries, isFree);
    const key = participants.join('\u0000');
    if (key === openKey) continue;
    close(t);
    openStart = t;
    openKey = key;
    openParticipants = participants;
  }
  return results.slice(0, query.maxResults);
}

function freeSubs(entries: readonly Entry[], isFree: Uint8Array): string[] {
  const seen = new Set<string>();
  for (let e = 0; e < entries.length; e++) if (isFree[e] === 1) seen.add(entries[e]!.member.sub);
  return [...seen];
}
