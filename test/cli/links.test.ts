/**
 * `rtseq links reschedule|cancel --id …` (SPEC 6.6) through the real binary, on the database a
 * test context booked a link in.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { after, before, test } from 'node:test';
import { makeTestContext, type TestContext } from '../support/context.ts';
import { bookFirstOption, createTestLink, type Scenario, seedScenario } from '../support/scenario.ts';

const BIN = new URL('../../bin/rtseq.js', import.meta.url).pathname;
const HOUR = 3_600_000;

let t: TestContext;
let s: Scenario;

before(async () => {
  // The binary reads the real clock: the context starts now and the link is for tomorrow.
  t = await makeTestContext({ start: Date.now() });
  s = await seedScenario(t.ctx);
});
after(async () => {
  await t.dispose();
});

function rtseq(args: string[]) {
  const result = spawnSync(process.execPath, [BIN, ...args], {
    env: { ...process.env, LOG_LEVEL: 'silent', ...t.databaseEnv },
    encoding: 'utf8',
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

async function bookedLink(eventId: string) {
  const day = Math.floor(Date.now() / (24 * HOUR)) * 24 * HOUR + 24 * HOUR;
  const iso = (ms: number) => new Date(ms).toISOString();
  const link = await createTestLink(t.ctx, s, {
    oauth: { redirect_uri: 'https://app.example/done' },
    event: { event_id: eventId, summary: 'Interview' },
    availability: {
      sequence: [
        {
          sequence_id: 'pre',
          ordinal: 1,
          participants: [{ members: [{ sub: s.recruiter.sub }] }],
          required_duration: { minutes: 60 },
          event: { event_id: `${eventId}-pre` },
        },
        {
          sequence_id: 42,
          ordinal: 2,
          participants: [{ members: [{ sub: s.engineer.sub }] }],
          required_duration: { minutes: 60 },
          event: { event_id: `${eventId}-f2f` },
        },
      ],
      query_periods: [{ start: iso(day + 9 * HOUR), end: iso(day + 17 * HOUR) }],
    },
    target_calendars: [
      { sub: s.recruiter.sub, calendar_id: s.recruiter.calendarId },
      { sub: s.engineer.sub, calendar_id: s.engineer.calendarId },
    ],
  });
  return link;
}

test('links reschedule (one step) and links cancel act on the stored link; errors are clear', async () => {
  const link = await bookedLink('cli-loop');
  const open = rtseq(['links', 'reschedule', '--id', link.id]);
  assert.equal(open.code, 1);
  assert.match(open.stderr, /status: the link is open/);

  await bookFirstOption(t.ctx, link.token);
  const unknown = rtseq(['links', 'reschedule', '--id', link.id, '--steps', 'nope']);
  assert.equal(unknown.code, 1);
  assert.match(unknown.stderr, /steps\[0\]: nope is not a sequence_id of this link/);

  const moved = rtseq(['links', 'reschedule', '--id', link.id, '--steps', '42', '--json']);
  assert.equal(moved.code, 0, moved.stderr);
  const document = JSON.parse(moved.stdout) as Record<string, unknown>;
  assert.equal(document.real_time_sequencing_id, link.id);
  assert.equal(document.status, 'rescheduling');
  const stored = await t.ctx.store.read((r) => r.links.byId(s.application.id, link.id));
  assert.equal(stored?.status, 'rescheduling');
  assert.deepEqual(stored?.rescheduleSteps, [1]);

  const cancelled = rtseq(['links', 'cancel', '--id', link.id, '--reason', 'Role filled']);
  assert.equal(cancelled.code, 0, cancelled.stderr);
  assert.match(cancelled.stdout, /is cancelled/);
  const after = await t.ctx.store.read((r) => r.links.byId(s.application.id, link.id));
  assert.equal(after?.status, 'cancelled');
  assert.equal(after?.cancelReason, 'Role filled');
  assert.deepEqual(await t.ctx.store.read((r) => r.reservations.byLink(link.id)), []);
  assert.equal(rtseq(['links', 'cancel', '--id', link.id]).code, 0, 'cancelling twice is harmless');

  const missing = rtseq(['links', 'cancel', '--id', 'seq_nope']);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /No link seq_nope/);
  const noId = rtseq(['links', 'cancel']);
  assert.equal(noId.code, 1);
  assert.match(noId.stderr, /--id is required/);
});
