/**
 * The in-memory busy cache is never stale: a write through any connection (another process on the
 * same database) bumps the calendar version, and the next query reads the events again.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { queryAvailability } from '../../src/app/availability/availability.ts';
import type { AppContext } from '../../src/app/context.ts';
import type { EventRecord } from '../../src/ports/store.ts';
import { makeTestContext } from '../support/context.ts';
import { seedScenario } from '../support/scenario.ts';

const HOUR = 3_600_000;
const DAY_START = Date.UTC(2026, 0, 6);

function busyEvent(calendarId: string, eventId: string, startHour: number): EventRecord {
  return {
    calendarId,
    eventId,
    eventUid: `uid-${eventId}`,
    summary: 'Busy',
    startMs: DAY_START + startHour * HOUR,
    endMs: DAY_START + (startHour + 1) * HOUR,
    allDay: false,
    transparency: 'opaque',
    status: 'confirmed',
    deleted: false,
    data: {},
    createdAt: 0,
    updatedAt: 0,
  };
}

async function freeStarts(
  ctx: AppContext,
  sub: string,
  application: Parameters<typeof queryAvailability>[1],
) {
  const { slots } = await queryAvailability(ctx, application, {
    groups: [
      {
        path: 'participants[0]',
        required: null,
        members: [
          {
            sub,
            path: 'm',
            calendarIds: null,
            availablePeriods: null,
            managedAvailability: false,
            availabilityRuleIds: null,
          },
        ],
      },
    ],
    durationMinutes: 60,
    startIntervalMinutes: 60,
    bufferBeforeMinutes: 0,
    bufferAfterMinutes: 0,
    queryPeriods: [{ start: DAY_START + 9 * HOUR, end: DAY_START + 13 * HOUR }],
    format: 'overlapping_slots',
    maxResults: 512,
    tzid: null,
    minimumNoticeMinutes: 0,
  });
  return slots.map((s) => (s.start - DAY_START) / HOUR);
}

test('a write from another connection invalidates the cached busy time at once', async () => {
  const first = await makeTestContext();
  const second = await makeTestContext({ database: first.databaseEnv });
  try {
    const s = await seedScenario(first.ctx);
    const caller = { kind: 'application' as const, application: s.application };
    assert.deepEqual(await freeStarts(first.ctx, s.recruiter.sub, caller), [9, 10, 11, 12]);
    await second.ctx.store.transaction((r) => r.events.upsert(busyEvent(s.recruiter.calendarId, 'x', 10)));
    assert.deepEqual(await freeStarts(first.ctx, s.recruiter.sub, caller), [9, 11, 12]);
    await second.ctx.store.transaction((r) => r.events.markDeleted(s.recruiter.calendarId, 'x', 1));
    assert.deepEqual(await freeStarts(first.ctx, s.recruiter.sub, caller), [9, 10, 11, 12]);
    await first.ctx.store.transaction((r) => r.events.upsert(busyEvent(s.recruiter.calendarId, 'y', 12)));
    assert.deepEqual(await freeStarts(first.ctx, s.recruiter.sub, caller), [9, 10, 11]);
  } finally {
    await second.dispose();
    await first.dispose();
  }
});
