/**
 * Two rtseq processes on one PostgreSQL database (issue: multi-process deployment): 50 bookings
 * fired at once, split across both, at overlapping options of 25 links sharing a participant —
 * exactly one wins, the database refusing the rest; the callback is delivered once; and a process
 * killed while delivering loses nothing: the other takes the job over when the lease expires.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { makeTestContext, type TestContext } from '../support/context.ts';
import { createTestDatabase, postgresSkipReason, type TestDatabase } from '../support/postgres.ts';
import { type ServerProcess, startServerProcess } from '../support/process.ts';
import { type Receiver, startReceiver } from '../support/receiver.ts';
import { createTestLink, type Scenario, seedScenario, twoStepLinkBody } from '../support/scenario.ts';
import { csrfOf, optionKeysOf } from '../web/fixtures.ts';

const DAY = 86_400_000;
const SECRET_KEY = 'two-processes-share-this-secret-key-0123456789';

let database: TestDatabase | null = null;
let t: TestContext;
let receiver: Receiver;
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
  receiver = await startReceiver();
  scenario = await seedScenario(t.ctx);
  const env = {
    DATABASE_URL: database.url,
    SECRET_KEY,
    ALLOW_PRIVATE_CALLBACKS: 'true',
    OUTBOX_POLL_MS: '100',
    OUTBOX_LEASE_SECONDS: '3',
    PAGE_RATE_LIMIT_PER_SECOND: '100000',
  };
  processes = await Promise.all([startServerProcess(env), startServerProcess(env)]);
});

after(async () => {
  for (const p of processes) await p.stop();
  await receiver?.close();
  await t?.dispose();
  await database?.drop();
});

/** A link over tomorrow 09:00–17:00 UTC (the server processes run on the real clock). */
function linkBody(eventId: string): Record<string, unknown> {
  const day = new Date(Math.floor(Date.now() / DAY) * DAY + DAY).toISOString().slice(0, 10);
  const body = twoStepLinkBody(scenario, { callback_url: receiver.url });
  (body.availability as Record<string, unknown>).query_periods = [
    { start: `${day}T09:00:00Z`, end: `${day}T17:00:00Z` },
  ];
  (body.event as Record<string, unknown>).event_id = eventId;
  for (const [i, step] of (
    body.availability as { sequence: { event: Record<string, unknown> }[] }
  ).sequence.entries()) {
    step.event.event_id = `${eventId}-${i}`;
  }
  return body;
}

type Visit = { base: string; path: string; cookie: string; csrf: string; option: string };

async function openPage(base: string, path: string): Promise<Visit> {
  const response = await fetch(`${base}${path}`);
  const body = await response.text();
  assert.equal(response.status, 200, body.slice(0, 300));
  const cookie = response.headers.getSetCookie()[0]?.split(';')[0] ?? '';
  return { base, path, cookie, csrf: csrfOf(body), option: optionKeysOf(body)[0]! };
}

function choose(visit: Visit): Promise<Response> {
  return fetch(`${visit.base}${visit.path}/choose`, {
    method: 'POST',
    redirect: 'manual',
    headers: { cookie: visit.cookie, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ csrf: visit.csrf, option: visit.option, tz: 'UTC' }).toString(),
  });
}

test('50 concurrent bookings across two processes: exactly one wins, one callback', async (context) => {
  if (database === null) {
    context.skip(postgresSkipReason());
    return;
  }
  const links = [];
  for (let i = 0; i < 25; i++) links.push(await createTestLink(t.ctx, scenario, linkBody(`race-${i}`)));
  const visits: Visit[] = [];
  for (const [i, link] of links.entries()) {
    for (let j = 0; j < 2; j++) {
      const server = processes[(i * 2 + j) % 2]!;
      visits.push(await openPage(server.url, new URL(link.url).pathname));
    }
  }
  assert.equal(
    new Set(visits.map((v) => v.option.split('-')[0])).size,
    1,
    'every page offers the same first start',
  );

  const responses = await Promise.all(visits.map(choose));
  // A loser on the winner's link sees the completed page (409); a loser on another link is sent
  // back to the fresh times (POST-redirect-GET, `taken=`); the winner to the completed page.
  const outcomes = responses.map((r) => {
    const location = r.headers.get('location') ?? '';
    if (r.status === 303) return location.includes('taken=') ? 'taken' : 'booked';
    return r.status === 409 ? 'taken' : `status ${r.status}`;
  });
  assert.equal(outcomes.filter((o) => o === 'booked').length, 1, `outcomes: ${JSON.stringify(outcomes)}`);
  assert.equal(outcomes.filter((o) => o === 'taken').length, 49);

  const completed = [];
  for (const link of links) {
    const stored = await t.ctx.store.read((r) => r.links.byId(scenario.application.id, link.id));
    if (stored?.status === 'completed') completed.push(stored);
  }
  assert.equal(completed.length, 1);
  const bookings = await t.ctx.store.read((r) =>
    r.reservations.liveIn([scenario.recruiter.sub], { start: 0, end: Number.MAX_SAFE_INTEGER }, Date.now()),
  );
  assert.equal(bookings.filter((b) => b.kind === 'booking').length, 1);
  const events = await t.ctx.store.read((r) =>
    r.events.page([scenario.recruiter.calendarId], null, { includeDeleted: false, offset: 0, limit: 100 }),
  );
  assert.equal(events.total, 1);

  await receiver.waitFor(1);
  // No sleep to prove there is no second call: another call would need another outbox row or a
  // retry of this one. Once the one row is recorded delivered at its first attempt, neither can come.
  const rows = await untilSettled(() => t.ctx.store.read((r) => r.outbox.list({ limit: 10 })));
  assert.equal(rows.length, 1, 'the one booking queues one callback');
  assert.equal(rows[0]!.status, 'delivered');
  assert.equal(rows[0]!.attempts, 1);
  assert.equal(receiver.requests.length, 1, 'the one booking is called back once');
});

/** Reads the outbox until no row is pending any more (the worker records a delivery after it). */
async function untilSettled<T extends { status: string }>(read: () => Promise<T[]>): Promise<T[]> {
  for (;;) {
    const rows = await read();
    if (rows.every((row) => row.status !== 'pending')) return rows;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

test('a process killed while delivering loses nothing: the other takes over after the lease', async (context) => {
  if (database === null) {
    context.skip(postgresSkipReason());
    return;
  }
  // Free the participants again: a fresh pair of people for this link.
  scenario = await seedScenario(t.ctx);
  const link = await createTestLink(t.ctx, scenario, linkBody('crash'));
  const before = receiver.requests.length;
  receiver.script(['hang'], 200);
  const visit = await openPage(processes[0]!.url, new URL(link.url).pathname);
  assert.equal((await choose(visit)).status, 303);
  await receiver.waitFor(before + 1);
  const item = (await t.ctx.store.read((r) => r.outbox.list({ status: 'pending', limit: 10 })))[0]!;
  const owner = item.leaseOwner ?? '';
  const victim = processes.find((p) => owner.includes(`:${p.child.pid}:`));
  assert.ok(victim !== undefined, `lease owner ${owner} is one of the two processes`);
  await victim.stop('SIGKILL');
  processes = processes.filter((p) => p !== victim);

  const deadline = Date.now() + 20_000;
  let current = item;
  while (current.status !== 'delivered' && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 200));
    current = (await t.ctx.store.read((r) => r.outbox.byId(item.id)))!;
  }
  assert.equal(current.status, 'delivered');
  const ids = receiver.requests.slice(before).map((r) => r.headers['rtseq-delivery-id']);
  assert.deepEqual(ids, [item.deliveryId, item.deliveryId]);
});
