/**
 * `query_slots` (SPEC 5.4): which of the requested candidate slots are available. Each slot is
 * `[start, start + durationMs)`; it is available when every rule of 5.1 and 5.2 and the minimum
 * notice hold. No walk and no alignment: every available requested slot is returned, overlapping or
 * not, ordered by start. Pure.
 */
import type { PackedIntervals } from '../time/intervals.ts';
import { availableStarts, createEngineCache, listFreeMembers, noticeBound, packCached } from './free-time.ts';
import type { AvailabilityQuery, AvailableSlot } from './types.ts';

export function findRequestedSlots(query: AvailabilityQuery, slotStarts: readonly number[]): AvailableSlot[] {
  if (query.maxResults <= 0 || query.groups.length === 0) return [];
  const cache = createEngineCache();
  const notBefore = noticeBound(query.now, query.minimumNoticeMs);
  const starts = [...new Set(slotStarts)].filter((s) => s >= notBefore).sort((a, b) => a - b);
  if (starts.length === 0) return [];
  // The slots themselves are the query periods: each is checked only inside itself.
  const window: PackedIntervals = packCached(
    starts.map((start) => ({ start, end: start + query.durationMs })),
    cache,
  );
  const beforeMs = Math.max(0, query.bufferBeforeMs);
  const afterMs = Math.max(0, query.bufferAfterMs);
  const available = availableStarts(
    Float64Array.from(starts),
    query.groups,
    query.durationMs,
    window,
    beforeMs,
    afterMs,
    cache,
  );
  const results: AvailableSlot[] = [];
  for (const start of available) {
    if (results.length >= query.maxResults) break;
    const end = start + query.durationMs;
    results.push({
      start,
      end,
      participants: listFreeMembers(query.groups, window, start, end, beforeMs, afterMs, cache),
    });
  }
  return results;
}
