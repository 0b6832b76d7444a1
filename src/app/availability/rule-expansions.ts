/**
 * Weekly availability rules expanded once and kept (issue 13): the occurrences of a rule over a
 * span of local dates, keyed by what the expansion depends on (the rule's zone and weekly periods,
 * never its id), so a changed rule has a new key and a stale expansion cannot be served; rules are
 * read from the store on every request as before, only the wall-clock work is reused. Identical
 * rules of different accounts share one entry.
 *
 * Lives on the main thread (app/availability/participants.ts builds open time there; only the engine runs in
 * the compute workers), one per process, injected through AppContext like BusyCache.
 */
import type { Interval } from '../../domain/time/intervals.ts';
import {
  localDatesAround,
  occurrencesOnDates,
  type RuleOccurrences,
  type WeeklyRule,
} from '../../domain/time/weekly-rules.ts';

const DAY_MS = 86_400_000;

type Entry = {
  /** `Date.UTC` of the first and last local dates expanded. */
  firstDate: number;
  lastDate: number;
  /** Every occurrence of those dates, sorted by start. */
  occurrences: Interval[];
  /** The longest occurrence: how far before a window's start one that meets it may begin. */
  longestMs: number;
};

export type RuleExpansionLimits = {
  /** Occurrences kept in all (about 100 bytes each with their entry's share), oldest rule out first. */
  readonly maxOccurrences?: number;
  /** Rules (distinct zone and weekly periods) kept. */
  readonly maxRules?: number;
  /**
   * Local dates one rule keeps at most: a request far from what is kept replaces it rather than
   * filling the years between.
   */
  readonly maxDaysPerRule?: number;
};

function keyOf(rule: WeeklyRule): string {
  return JSON.stringify([rule.tzid, rule.weeklyPeriods.map((p) => [p.day, p.startTime, p.endTime])]);
}

function longest(occurrences: readonly Interval[]): number {
  let most = 0;
  for (const o of occurrences) most = Math.max(most, o.end - o.start);
  return most;
}

/** First index in `sorted` (by start) whose start is at least `at`. */
function firstStartingAt(sorted: readonly Interval[], at: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]!.start < at) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export class RuleExpansions {
  /** Insertion order is use order: a used entry is moved to the end. */
  readonly #entries = new Map<string, Entry>();
  readonly #maxOccurrences: number;
  readonly #maxRules: number;
  readonly #maxDays: number;
  #occurrences = 0;
  /** Expansions computed (a date span of a rule), for tests and measurements. */
  expanded = 0;

  constructor(limits: RuleExpansionLimits = {}) {
    this.#maxOccurrences = limits.maxOccurrences ?? 500_000;
    this.#maxRules = limits.maxRules ?? 10_000;
    this.#maxDays = limits.maxDaysPerRule ?? 1_000;
  }

  /** Occurrences kept now. */
  get size(): number {
    return this.#occurrences;
  }

  /** Rules kept now. */
  get rules(): number {
    return this.#entries.size;
  }

  /** `RuleOccurrences` answered from the kept expansions (pass to expandWeeklyRules). */
  readonly occurrences: RuleOccurrences = (rule, window) => {
    if (!(window.start < window.end)) return [];
    const dates = localDatesAround(rule.tzid, window);
    const entry = this.#covering(rule, dates.first, dates.last);
    const list = entry.occurrences;
    const from = firstStartingAt(list, window.start - entry.longestMs);
    const to = firstStartingAt(list, window.end);
    const out: Interval[] = [];
    for (let i = from; i < to; i++) {
      const o = list[i]!;
      if (o.end > window.start) out.push(o);
    }
    return out;
  };

  /** The rule's entry, expanded to cover the local dates `first` to `last`. */
  #covering(rule: WeeklyRule, first: number, last: number): Entry {
    const key = keyOf(rule);
    let entry = this.#entries.get(key);
    if (entry !== undefined) {
      this.#entries.delete(key);
      this.#occurrences -= entry.occurrences.length;
    }
    const fits =
      entry !== undefined &&
      (Math.max(last, entry.lastDate) - Math.min(first, entry.firstDate)) / DAY_MS < this.#maxDays;
    if (entry === undefined || !fits) {
      const occurrences = occurrencesOnDates(rule, first, last);
      this.expanded += 1;
      entry = { firstDate: first, lastDate: last, occurrences, longestMs: longest(occurrences) };
    } else if (first < entry.firstDate || last > entry.lastDate) {
      const before = first < entry.firstDate ? occurrencesOnDates(rule, first, entry.firstDate - DAY_MS) : [];
      const after = last > entry.lastDate ? occurrencesOnDates(rule, entry.lastDate + DAY_MS, last) : [];
      this.expanded += 1;
      entry = {
        firstDate: Math.min(first, entry.firstDate),
        lastDate: Math.max(last, entry.lastDate),
        // Kept sorted whatever a zone's transitions do (joining sorted runs sorts in linear time).
        occurrences: [...before, ...entry.occurrences, ...after].sort((a, b) => a.start - b.start),
        longestMs: Math.max(entry.longestMs, longest(before), longest(after)),
      };
    }
    this.#entries.set(key, entry);
    this.#occurrences += entry.occurrences.length;
    this.#fit();
    return entry;
  }

  /**
   * Drops the least recently used rules until both bounds hold; the one just used goes last, and
   * only when it alone is over the budget (its caller still gets its occurrences).
   */
  #fit(): void {
    for (const [key, entry] of this.#entries) {
      if (this.#occurrences <= this.#maxOccurrences && this.#entries.size <= this.#maxRules) return;
      this.#entries.delete(key);
      this.#occurrences -= entry.occurrences.length;
    }
  }
}
