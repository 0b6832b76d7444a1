/**
 * Old rows still decode: a database at migration 0007 holding a link written by the previous
 * version (format 1: the wire reader's types with their error paths) is migrated and read.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { after, it } from 'node:test';
import { loadMigrations } from '../../src/adapters/storage/sql/migrations.ts';
import { SqliteStore } from '../../src/adapters/storage/sqlite/sqlite-store.ts';
import { decodeLink, statusOf } from '../../src/app/links/link-model.ts';

const dir = mkdtempSync(join(tmpdir(), 'rtseq-format-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const T = Date.UTC(2030, 0, 7, 9);

/** Exactly what version 1 stored for a one-step link (the JSON of `{format: 1, ...LinkRequest}`). */
const FORMAT_1_REQUEST = JSON.stringify({
  format: 1,
  kind: 'scheduling',
  redirectUri: 'https://app.example/done',
  state: null,
  event: { event_id: 'call', summary: 'Call' },
  sequence: {
    steps: [
      {
        path: 'availability',
        sequenceId: 'default',
        ordinal: null,
        groups: [
          {
            path: 'availability.participants[0]',
            members: [
              {
                sub: 'acc_1',
                path: 'availability.participants[0].members[0]',
                calendarIds: null,
                availablePeriods: null,
                managedAvailability: false,
                availabilityRuleIds: null,
              },
            ],
            required: null,
          },
        ],
        durationMinutes: 30,
        startIntervalMinutes: null,
        before: { minMinutes: 0, maxMinutes: null },
        after: { minMinutes: 0, maxMinutes: null },
        stepPeriods: null,
        event: null,
      },
    ],
    queryPeriods: [{ start: T, end: T + 86_400_000 }],
    tzid: null,
    minimumNoticeMinutes: 0,
    maxResults: 512,
  },
  targetCalendars: [{ sub: 'acc_1', calendarId: 'cal_1' }],
  completedCallbackUrl: null,
  noTimesSuitableUrl: null,
  redirectCompletedUrl: null,
  selectionMode: 'no_confirm',
  hourFormat: null,
  locale: null,
  organizer: null,
  inviteeActions: { reschedule: true, cancel: true },
  inviteeActionCutoffMinutes: 1440,
});
const FORMAT_1_BOOKED = JSON.stringify({
  format: 1,
  steps: [
    {
      index: 0,
      sequenceId: 'default',
      start: T,
      end: T + 1_800_000,
      participants: ['acc_1'],
      eventId: 'call',
      summary: 'Call',
    },
  ],
});

it('a link stored before migration 0008 is read after it, with version 0 and no rescheduler', async () => {
  const path = join(dir, 'old.db');
  const db = new DatabaseSync(path);
  db.exec('CREATE TABLE schema_migrations (name TEXT PRIMARY KEY, applied_at INTEGER NOT NULL)');
  for (const migration of loadMigrations('sqlite').filter((m) => m.name < '0008')) {
    db.exec(migration.sql);
    db.prepare('INSERT INTO schema_migrations (name, applied_at) VALUES (?, ?)').run(migration.name, 0);
  }
  db.prepare(
    "INSERT INTO applications (id, client_id, name, created_at) VALUES ('app_1', 'c', 'A', 0)",
  ).run();
  db.prepare(
    `INSERT INTO links (id, application_id, kind, token_hash, token_sealed, status, request, created_at,
       expires_at, completed_at, booked, display_message, reschedule_steps, cancelled_at, cancel_reason)
     VALUES ('sch_1', 'app_1', 'scheduling', 'h', 's', 'rescheduling', ?, 0, ?, 1, ?, NULL, NULL, NULL, NULL)`,
  ).run(FORMAT_1_REQUEST, T + 86_400_000, FORMAT_1_BOOKED);
  db.close();

  const store = new SqliteStore(path);
  try {
    const applied = await store.migrate();
    assert.ok(
      applied.some((name) => name.startsWith('0008')),
      `applied ${applied.join(', ')}`,
    );
    const record = await store.read((r) => r.links.byId('app_1', 'sch_1'));
    assert.ok(record !== undefined);
    assert.equal(record.version, 0);
    assert.equal(record.rescheduleBy, null);
    const link = decodeLink(record);
    assert.equal(link.request.sequence.steps[0]!.durationMinutes, 30);
    assert.equal(
      link.request.sequence.steps[0]!.groups[0]!.members[0]!.path,
      'availability.participants[0].members[0]',
    );
    assert.deepEqual(
      link.booked?.steps.map((s) => s.start),
      [T],
    );
    // A reschedule stored before anyone recorded who started it counts as the application's.
    assert.equal(statusOf(link, T - 25 * 3_600_000), 'rescheduling');
  } finally {
    await store.close();
  }
});
