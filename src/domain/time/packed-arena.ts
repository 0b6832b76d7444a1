/** Storage for the packed lists of one engine computation (intervals.ts, engine/engine-cache.ts). */
const ARENA_FIRST_BLOCK = 1_024;
const ARENA_MAX_BLOCK = 65_536;

/**
 * Copies of packed results kept for one computation, cut from shared blocks: one allocation per
 * block instead of one per result. A result is a view into its block, valid as long as the arena.
 * Blocks start small and double up to a cap: a small request must not pay for zeroing a large
 * block it never fills (a fixed 512 KB first block was over half of a 2-member query's time).
 * A computation whose results hold no view may hand its arena back when it ends (`giveBack`) for
 * the next one to `take`: allocating a block was a quarter of a one-day, one-member query's time.
 */
export class PackedArena {
  #block = new Float64Array(0);
  #used = 0;

  /** The arena the last finished computation gave back (emptied), or a new one. */
  static take(): PackedArena {
    const arena = spareArena ?? new PackedArena();
    spareArena = null;
    arena.#used = 0;
    return arena;
  }

  /** Hands the arena to the next computation: nothing may read a view cut from it any more. */
  giveBack(): void {
    spareArena = this;
  }

  /** A copy of `source[0, length)` in the arena. */
  copy(source: Float64Array, length: number): Float64Array {
    const view = this.alloc(length);
    view.set(source.subarray(0, length));
    return view;
  }

  /** `length` numbers of the arena to write (what they hold before is unspecified). */
  alloc(length: number): Float64Array {
    if (this.#used + length > this.#block.length) {
      const grown = Math.min(Math.max(ARENA_FIRST_BLOCK, this.#block.length * 2), ARENA_MAX_BLOCK);
      this.#block = new Float64Array(Math.max(length, grown));
      this.#used = 0;
    }
    const view = this.#block.subarray(this.#used, this.#used + length);
    this.#used += length;
    return view;
  }
}

/** At most one arena waits between computations (the engine is synchronous). */
let spareArena: PackedArena | null = null;
