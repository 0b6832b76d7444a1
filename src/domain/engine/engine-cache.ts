/** The engine's per-call memo (free-time.ts, constraint-starts.ts). */
import type { Interval } from '../time/intervals.ts';
import { EVERYWHERE, PackedArena, type PackedIntervals, packIntervals } from '../time/intervals.ts';

/**
 * Per-call memo: the same member (same `busy` array) is usually listed in several steps, and the
 * same start grid is shared by steps with the same interval. Never kept across calls.
 */
export type EngineCache = {
  readonly packed: Map<readonly Interval[], PackedIntervals>;
  readonly expanded: Map<PackedIntervals, Map<string, PackedIntervals>>;
  readonly grids: Map<string, Float64Array>;
  /** A slot window narrowed to one open list: by open list, then by window. */
  readonly narrowed: Map<PackedIntervals, Map<PackedIntervals, PackedIntervals>>;
  /** Each candidate grid's even spacing, or 0 (see `uniformStep`). */
  readonly gridSteps: Map<Float64Array, number>;
  /** Where packed busy and open lists of this call are kept. */
  readonly arena: PackedArena;
  /** The only span this call reads lists in (see `packIntervals`); everywhere by default. */
  readonly within: Interval;
};

export function createEngineCache(within: Interval = EVERYWHERE, arena = new PackedArena()): EngineCache {
  return {
    within,
    packed: new Map(),
    expanded: new Map(),
    grids: new Map(),
    narrowed: new Map(),
    gridSteps: new Map(),
    arena,
  };
}

export function packCached(intervals: readonly Interval[], cache: EngineCache): PackedIntervals {
  let packed = cache.packed.get(intervals);
  if (packed === undefined) {
    packed = packIntervals(intervals, cache.arena, cache.within);
    cache.packed.set(intervals, packed);
  }
  return packed;
}

/**
 * Runs one computation with a cache on the arena the last one gave back, and gives it back after.
 * Only for computations whose answer holds no packed list (plain numbers and strings).
 */
export function withEngineCache<T>(compute: (cache: EngineCache) => T, within: Interval = EVERYWHERE): T {
  const arena = PackedArena.take();
  try {
    return compute(createEngineCache(within, arena));
  } finally {
    arena.giveBack();
  }
}
