/**
 * `rtseq links explain ID` (SPEC 5.7) through the real binary: a link whose face-to-face engineer
 * is busy all day is explained readably and, with --json, as the API's `explanation`.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { after, before, test } from 'node:test';
import { makeTestContext, type TestContext } from '../support/context.ts';
import { createTestLink, type Scenario, seedScenario, twoStepLinkBody } from '../support/scenario.ts';

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

test('links explain prints the reasons and each member’s minutes; --json the API shape', async () => {
  const day = Math.floor(Date.now() / (24 * HOUR)) * 24 * HOUR + 24 * HOUR;
  const iso = (ms: number) => new Date(ms).toISOString();
  await t.ctx.store.transaction((repos) =>
    repos.events.upsert({
      calendarId: s.engineer.calendarId,
      eventId: 'all-day-busy',
      eventUid: 'evt_all_day_busy',
      summary: 'Offsite',
      startMs: day + 8 * HOUR,
      endMs: day + 18 * HOUR,
      allDay: false,
      transparency: 'opaque',
      status: 'confirmed',
      deleted: false,
      data: {},
      createdAt: Date.now(),
      updatedAt: Date.now(),
    }),
  );
  const link = await createTestLink(
    t.ctx,
    s,
    twoStepLinkBody(s, {
      availability: {
        ...(twoStepLinkBody(s).availability as Record<string, unknown>),
        query_periods: [{ start: iso(day + 9 * HOUR), end: iso(day + 17 * HOUR) }],
      },
    }),
  );

  const text = rtseq(['links', 'explain', link.id]);
  assert.equal(text.code, 0, text.stderr);
  assert.match(text.stdout, new RegExp(`^${link.id}: No times: `));
  assert.match(text.stdout, new RegExp(`fully_busy \\(step 42\\): ${s.engineer.sub}\\n`));
  assert.match(text.stdout, new RegExp(`${s.recruiter.sub} \\(step pre\\): open 480, free 480`));
  assert.match(text.stdout, new RegExp(`${s.engineer.sub} \\(step 42\\): open 480, free 0`));

  const json = rtseq(['links', 'explain', '--id', link.id, '--json']);
  assert.equal(json.code, 0, json.stderr);
  const { explanation } = JSON.parse(json.stdout);
  assert.deepEqual(
    explanation.reasons.map((r: { code: string; subs: string[]; sequence_id: unknown }) => [
      r.code,
      r.subs,
      r.sequence_id,
    ]),
    [['fully_busy', [s.engineer.sub], 42]],
  );

  const missing = rtseq(['links', 'explain', 'seq_nope']);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /No link seq_nope/);
  const noId = rtseq(['links', 'explain']);
  assert.equal(noId.code, 1);
  assert.match(noId.stderr, /--id is required/);
});
