import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { startOfLocalDay, wallMs, wallToInstant, zonedWallToInstant, zoneOffsetAt } from './wall-clock.ts';
import { localParts } from './zones.ts';

const iso = (t: number) => new Date(t).toISOString().replace('.000', '');
const at = (zone: string, year: number, month: number, day: number, hour: number, minute: number) =>
  iso(zonedWallToInstant(zone, { year, month, day, hour, minute, second: 0 }));

test('5.1 a wall time skipped by spring-forward takes the offset in force before the change', () => {
  assert.equal(at('America/New_York', 2027, 3, 14, 2, 30), '2027-03-14T07:30:00Z');
  assert.equal(at('America/New_York', 2026, 3, 8, 2, 0), '2026-03-08T07:00:00Z');
  assert.equal(at('Europe/London', 2026, 3, 29, 1, 15), '2026-03-29T01:15:00Z');
  // Lord Howe moves 30 minutes: 02:00 → 02:30 local (+10:30 → +11:00) on 2026-10-04.
  assert.equal(at('Australia/Lord_Howe', 2026, 10, 4, 2, 15), '2026-10-03T15:45:00Z');
});

test('5.1 a wall time repeated by fall-back is its first occurrence', () => {
  assert.equal(at('America/New_York', 2026, 11, 1, 1, 30), '2026-11-01T05:30:00Z');
  assert.equal(at('Europe/London', 2026, 10, 25, 1, 15), '2026-10-25T00:15:00Z');
  // Lord Howe repeats 01:30-02:00 local (+11:00 → +10:30) on 2026-04-05.
  assert.equal(at('Australia/Lord_Howe', 2026, 4, 5, 1, 45), '2026-04-04T14:45:00Z');
  assert.equal(at('Asia/Kolkata', 2026, 6, 10, 9, 0), '2026-06-10T03:30:00Z');
});

test('startOfLocalDay is local midnight, or the transition when midnight is skipped', () => {
  assert.equal(iso(startOfLocalDay('America/New_York', Date.UTC(2026, 2, 8, 20))), '2026-03-08T05:00:00Z');
  assert.equal(iso(startOfLocalDay('Asia/Kathmandu', Date.UTC(2026, 5, 10, 20))), '2026-06-10T18:15:00Z');
  // America/Santiago and America/Havana jump from 23:59:59 straight to 01:00 on these dates.
  assert.equal(iso(startOfLocalDay('America/Santiago', Date.UTC(2026, 8, 6, 12))), '2026-09-06T04:00:00Z');
  assert.equal(iso(startOfLocalDay('America/Havana', Date.UTC(2026, 2, 8, 12))), '2026-03-08T05:00:00Z');
});

test('property: every instant reads back to itself unless it is the second occurrence of a wall time', () => {
  const zones = [
    'America/New_York',
    'Europe/London',
    'Australia/Lord_Howe',
    'Asia/Kolkata',
    'America/Santiago',
  ];
  fc.assert(
    fc.property(
      fc.constantFrom(...zones),
      fc.integer({ min: Date.UTC(2020, 0, 1) / 60_000, max: Date.UTC(2030, 0, 1) / 60_000 }),
      (zone, minute) => {
        const instant = minute * 60_000;
        const p = localParts(zone, instant);
        const back = wallToInstant(wallMs({ ...p }), zoneOffsetAt(zone)!);
        if (back === instant) return;
        // Only a repeated wall time may read back elsewhere, and then to its earlier occurrence.
        assert.ok(back < instant, `${zone} ${iso(instant)} read back as ${iso(back)}`);
        const q = localParts(zone, back);
        assert.deepEqual(
          [q.year, q.month, q.day, q.hour, q.minute],
          [p.year, p.month, p.day, p.hour, p.minute],
        );
      },
    ),
    { numRuns: 2000 },
  );
});
