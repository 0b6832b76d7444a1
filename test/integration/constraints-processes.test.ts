/**
 * Availability constraints across two rtseq processes on one PostgreSQL database (SPEC 5.1, 6.3):
 * 50 bookings fired at once through the pages of both processes, over 25 links that each offer a
 * different time and share one member limited to one booking a day. No two of the times overlap,
 * so only the constraint can refuse them: exactly one booking succeeds.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { makeTestContext, type TestContext } from '../support/context.ts';
import { createTestDatabase, postgresSkipReason, type TestDatabase } from '../support/postgres.ts';
import { type ServerProcess, startServerProcess } from '../support/process.ts';
import { createTestLink, type Scenario, seedScenario, twoStepLinkBody } from '../support/scenario.ts';
import { csrfOf, optionKeysOf } from '../web/fixtures.ts';

const DAY = 86_400_000;
const SECRET_KEY = 'constraint-processes-share-this-secret-key-0123';

let database: TestDatabase | null = null;
let t: TestContext;
let scenario: Scenario;
let processes: ServerProcess[] = [];

before(async () => {
  database = await createTestDatabase();
  if (database === null) return;
  t = await makeTestContext({
    start: Date.now(),
    env: { SECRET_KEY },
    database: { DATABASE_URL: database.url },
  });
  scenario = await seedScenario(t.ctx);
  const env = {
    DATABASE_URL: database.url,
    SECRET_KEY,
    ALLOW_PRIVATE_CALLBACKS: 'true',
    PAGE_RATE_LIMIT_PER_SECOND: '100000',
  };
  processes = await Promise.all([startServerProcess(env), startServerProcess(env)]);
});

after(async () => {
  for (const p of processes) await p.stop();
  await t?.dispose();
  await database?.drop();
});

/** A one-step link for the recruiter (one a day, UTC) over 10 minutes of tomorrow at slot `i`. */
function linkBody(i: number): Record<string, unknown> {
  const start = Math.floor(Date.now() / DAY) * DAY + DAY + 9 * 3_600_000 + i * 10 * 60_000;
  return twoStepLinkBody(scenario, {
    event: { event_id: `limit-${i}`, summary: 'Interview' },
    availability: {
      sequence: [
        {
          sequence_id: 'only',
          participants: [
            {
              members: [
                { sub: scenario.recruiter.sub, availability_constraints: [{ limit: 1, period: 'day' }] },
              ],
            },
          ],
          required_duration: { minutes: 10 },
          start_interval: { minutes: 10 },
        },
      ],
      query_periods: [
        { start: new Date(start).toISOString(), end: new Date(start + 10 * 60_000).toISOString() },
      ],
    },
  });
}

type Visit = { base: string; path: string; cookie: string; csrf: string; option: string };

async function openPage(base: string, path: string): Promise<Visit> {
  const response = await fetch(`${base}${path}`);
  const body = await response.text();
  assert.equal(response.status, 200, body.slice(0, 300));
  const cookie = response.headers.getSetCookie()[0]?.split(';')[0] ?? '';
  const option = optionKeysOf(body)[0];
  assert.ok(option !== undefined, 'the page offers its time');
  return { base, path, cookie, csrf: csrfOf(body), option };
}

function choose(visit: Visit): Promise<Response> {
  return fetch(`${visit.base}${visit.path}/choose`, {
    method: 'POST',
    redirect: 'manual',
    headers: { cookie: visit.cookie, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ csrf: visit.csrf, option: visit.option, tz: 'UTC' }).toString(),
  });
}

test('50 bookings across two processes over links sharing a member limited to one a day: exactly one', async (context) => {
  if (database === null) {
    context.skip(postgresSkipReason());
    return;
  }
  const links = [];
  for (let i = 0; i < 25; i++) links.push(await createTestLink(t.ctx, scenario, linkBody(i)));
  const visits: Visit[] = [];
  for (const [i, link] of links.entries()) {
    for (let j = 0; j < 2; j++) {
      visits.push(await openPage(processes[(i * 2 + j) % 2]!.url, new URL(link.url).pathname));
    }
  }
  assert.equal(new Set(visits.map((v) => v.option)).size, 25, 'each link offers its own time');

  const responses = await Promise.all(visits.map(choose));
  const outcomes = responses.map((r) => {
    const location = r.headers.get('location') ?? '';
    if (r.status === 303) return location.includes('taken=') ? 'taken' : 'booked';
    return r.status === 409 ? 'taken' : `status ${r.status}`;
  });
  assert.equal(outcomes.filter((o) => o === 'booked').length, 1, `outcomes: ${JSON.stringify(outcomes)}`);
  assert.equal(outcomes.filter((o) => o === 'taken').length, 49);
  const bookings = await t.ctx.store.read((r) =>
    r.reservations.liveIn([scenario.recruiter.sub], { start: 0, end: Number.MAX_SAFE_INTEGER }, Date.now()),
  );
  assert.equal(bookings.filter((b) => b.kind === 'booking').length, 1);
});
