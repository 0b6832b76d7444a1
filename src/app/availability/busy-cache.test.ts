import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Interval } from '../../domain/time/intervals.ts';
import type { CalendarRecord } from '../../ports/store.ts';
import { BusyCache, estimatedBytes } from './busy-cache.ts';

const calendar = (id: string, version: number): CalendarRecord => ({
  id,
  accountId: 'acc_1',
  name: id,
  kind: 'native',
  readOnly: false,
  primary: true,
  deleted: false,
  tzid: 'Etc/UTC',
  color: null,
  sourceSealed: null,
  createdAt: 0,
  version,
});
const window = (start: number, end: number): Interval => ({ start, end });
const busy = (start: number): Interval[] => [{ start, end: start + 10 }];

test('an entry of the calendar version it was read at serves that window and any window inside it', () => {
  const cache = new BusyCache();
  const stored = busy(100);
  cache.store(calendar('cal_a', 3), window(0, 1000), stored);
  assert.equal(cache.lookup(calendar('cal_a', 3), window(0, 1000)), stored);
  assert.equal(cache.lookup(calendar('cal_a', 3), window(200, 800)), stored);
  assert.equal(cache.lookup(calendar('cal_b', 3), window(0, 1000)), undefined, 'another calendar');
});

test('a write (a new calendar version) or a wider window misses', () => {
  const cache = new BusyCache();
  cache.store(calendar('cal_a', 3), window(0, 1000), busy(100));
  assert.equal(cache.lookup(calendar('cal_a', 4), window(0, 1000)), undefined, 'newer version');
  assert.equal(cache.lookup(calendar('cal_a', 2), window(0, 1000)), undefined, 'older version');
  assert.equal(cache.lookup(calendar('cal_a', 3), window(-1, 1000)), undefined, 'starts earlier');
  assert.equal(cache.lookup(calendar('cal_a', 3), window(0, 1001)), undefined, 'ends later');
  const fresh = busy(500);
  cache.store(calendar('cal_a', 4), window(0, 1000), fresh);
  assert.equal(cache.lookup(calendar('cal_a', 4), window(0, 1000)), fresh, 'the re-read replaces it');
  assert.equal(cache.lookup(calendar('cal_a', 3), window(0, 1000)), undefined);
});

test('over its size the least recently used calendar is evicted, and a hit counts as a use', () => {
  // Room for exactly two of these entries (one interval each).
  const cache = new BusyCache(2 * estimatedBytes(busy(1)));
  const [a, b, c] = [busy(1), busy(2), busy(3)];
  cache.store(calendar('cal_a', 1), window(0, 100), a);
  cache.store(calendar('cal_b', 1), window(0, 100), b);
  assert.equal(cache.lookup(calendar('cal_a', 1), window(0, 100)), a); // cal_b is now the oldest
  cache.store(calendar('cal_c', 1), window(0, 100), c);
  assert.equal(cache.lookup(calendar('cal_b', 1), window(0, 100)), undefined, 'evicted');
  assert.equal(cache.lookup(calendar('cal_a', 1), window(0, 100)), a);
  assert.equal(cache.lookup(calendar('cal_c', 1), window(0, 100)), c);
});

test('the cache never holds more estimated bytes than its bound, and a calendar over the bound is not cached', () => {
  const many = (n: number): Interval[] =>
    Array.from({ length: n }, (_, i) => ({ start: i * 20, end: i * 20 + 10 }));
  const bound = estimatedBytes(many(100)) * 3;
  const cache = new BusyCache(bound);
  for (let i = 0; i < 50; i += 1) {
    cache.store(calendar(`cal_${i}`, 1), window(0, 10_000), many(1 + ((i * 37) % 100)));
    assert.ok(cache.bytes <= bound, `after ${i + 1} stores: ${cache.bytes} > ${bound}`);
  }
  // The most recent store is always kept when it fits on its own.
  assert.ok(cache.lookup(calendar('cal_49', 1), window(0, 10_000)) !== undefined);
  const huge = many(400);
  cache.store(calendar('cal_huge', 1), window(0, 10_000), huge);
  assert.equal(cache.lookup(calendar('cal_huge', 1), window(0, 10_000)), undefined);
  assert.ok(cache.lookup(calendar('cal_49', 1), window(0, 10_000)) !== undefined, 'the rest stays');
  // Replacing an entry gives its bytes back.
  const before = cache.bytes;
  cache.store(calendar('cal_49', 2), window(0, 10_000), many(1 + ((49 * 37) % 100)));
  assert.equal(cache.bytes, before);
});
