/**
 * Every pair of link changes raced across two rtseq processes on one PostgreSQL database (issue 21
 * item 1): a first booking, a rebooking of a rescheduling link, a reschedule and a cancel, the two
 * changes of each race sent at once, one to each process. Whoever wins, the link's final status and
 * what is in the calendar, the reservations and the callbacks agree: no live event on a cancelled
 * link, the cancel callback names what was cancelled, every rescheduled callback moves from the
 * booking before it. Nothing here is timed; the races are many and cheap (one person, one step).
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createApplicationCalendar } from '../../src/app/accounts/accounts.ts';
import { requestReschedule } from '../../src/app/links/link-changes.ts';
import { decodeLink } from '../../src/app/links/link-model.ts';
import { loadLinkForPage } from '../../src/app/links/links.ts';
import { makeTestContext, type TestContext } from '../support/context.ts';
import { createTestDatabase, postgresSkipReason, type TestDatabase } from '../support/postgres.ts';
import { type ServerProcess, startServerProcess } from '../support/process.ts';
import { type Receiver, startReceiver } from '../support/receiver.ts';
import { bookFirstOption, createTestLink, type Scenario, seedScenario } from '../support/scenario.ts';
import { csrfOf, optionKeysOf } from '../web/fixtures.ts';

const DAY = 86_400_000;
const SECRET_KEY = 'link-races-share-this-secret-key-0123456789';
/** Races per pair of changes. */
const ROUNDS = Number(process.env.RTSEQ_RACE_ROUNDS ?? 8);

let database: TestDatabase | null = null;
let t: TestContext;
let receiver: Receiver;
let scenario: Scenario;
let processes: ServerProcess[] = [];
let people = 0;

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
    PAGE_RATE_LIMIT_PER_SECOND: '100000',
    RATE_LIMIT_PER_SECOND: '100000',
    RATE_LIMIT_PER_MINUTE: '1000000',
  };
  // One after the other: two cold starts at once on a busy machine can outrun the start deadline.
  processes = [await startServerProcess(env)];
  processes.push(await startServerProcess(env));
});

after(async () => {
  for (const p of processes) await p.stop();
  await receiver?.close();
  await t?.dispose();
  await database?.drop();
});

type Change = 'book' | 'rebook' | 'reschedule' | 'cancel';

type Race = {
  readonly linkId: string;
  readonly path: string;
  readonly calendarId: string;
};

/** A one-step, one-person link over tomorrow 09:00–17:00 UTC, hourly starts (the processes run on the real clock). */
async function newLink(): Promise<Race> {
  people += 1;
  const person = await createApplicationCalendar(t.ctx, scenario.application, `racer-${people}`);
  const day = new Date(Math.floor(Date.now() / DAY) * DAY + DAY).toISOString().slice(0, 10);
  const link = await createTestLink(t.ctx, scenario, {
    oauth: { redirect_uri: 'https://app.example/done' },
    event: { event_id: `race-${people}`, summary: 'Race' },
    callback_url: receiver.url,
    tzid: 'UTC',
    availability: {
      query_periods: [{ start: `${day}T09:00:00Z`, end: `${day}T17:00:00Z` }],
      sequence: [
        {
          sequence_id: 'only',
          participants: [{ members: [{ sub: person.account.id }], required: 'all' }],
          required_duration: { minutes: 60 },
          start_interval: { minutes: 60 },
        },
      ],
    },
    target_calendars: [{ sub: person.account.id, calendar_id: person.calendar.id }],
  });
  return { linkId: link.id, path: new URL(link.url).pathname, calendarId: person.calendar.id };
}

type Visit = {
  readonly base: string;
  readonly cookie: string;
  readonly csrf: string;
  readonly options: string[];
};

async function openPage(base: string, race: Race): Promise<Visit> {
  const response = await fetch(`${base}${race.path}?tz=UTC`);
  const body = await response.text();
  assert.equal(response.status, 200, body.slice(0, 300));
  const cookie = response.headers.getSetCookie()[0]?.split(';')[0] ?? '';
  return { base, cookie, csrf: csrfOf(body), options: optionKeysOf(body) };
}

/** Sends one change to one process; resolves with the HTTP status (the outcome is judged from the database). */
async function send(
  change: Change,
  base: string,
  race: Race,
  visit: Visit | undefined,
  option: string | undefined,
) {
  if (change === 'book' || change === 'rebook') {
    const response = await fetch(`${base}${race.path}/choose`, {
      method: 'POST',
      redirect: 'manual',
      headers: { cookie: visit!.cookie, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ csrf: visit!.csrf, option: option!, tz: 'UTC' }).toString(),
    });
    await response.arrayBuffer();
    return response.status;
  }
  const response = await fetch(`${base}/v1/real_time_sequencing/${race.linkId}/${change}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${scenario.clientSecret}`, 'content-type': 'application/json' },
    body: '{}',
  });
  await response.arrayBuffer();
  return response.status;
}

type Span = { readonly start: string; readonly end: string };
const spanKey = (steps: readonly Span[]) => JSON.stringify(steps.map((s) => [s.start, s.end]));

/** The callbacks queued for the link, as (type, sequence, previous sequence). */
async function callbacksOf(linkId: string) {
  const rows = await t.ctx.store.read((r) =>
    r.outbox.list({ applicationId: scenario.application.id, limit: 10_000 }),
  );
  return rows
    .filter((row) => row.kind === 'callback' && row.payload.includes(linkId))
    .map((row) => {
      const body = JSON.parse(row.payload);
      const spans = (sequence: { event: Span }[] | undefined) =>
        spanKey((sequence ?? []).map((s) => ({ start: s.event.start, end: s.event.end })));
      return {
        type: String(body.notification.type).replace('real_time_sequencing_', ''),
        sequence: spans(body.sequence),
        previous: spans(body.previous_sequence),
      };
    });
}

/** The invariant: the link's status, its live events, its booking reservations and its callbacks agree. */
async function assertAgreement(race: Race, label: string): Promise<string> {
  const record = await t.ctx.store.read((r) => r.links.byId(scenario.application.id, race.linkId));
  const link = decodeLink(record!);
  const events = (
    await t.ctx.store.read((r) =>
      r.events.page([race.calendarId], null, { includeDeleted: false, offset: 0, limit: 100 }),
    )
  ).items.filter((e) => e.data.rtseq_link_id === link.id);
  const bookings = (await t.ctx.store.read((r) => r.reservations.byLink(link.id))).filter(
    (b) => b.kind === 'booking',
  );
  const iso = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');
  const callbacks = await callbacksOf(link.id);
  const where = `${label}: ${link.status}, callbacks ${JSON.stringify(callbacks)}`;

  // Follow the callbacks from the first booking through every reschedule.
  const completed = callbacks.filter((c) => c.type === 'completed');
  const cancelled = callbacks.filter((c) => c.type === 'cancelled');
  const rescheduled = callbacks.filter((c) => c.type === 'rescheduled');
  let current: string | null = null;
  if (completed.length > 0) {
    assert.equal(completed.length, 1, where);
    current = completed[0]!.sequence;
    const left = [...rescheduled];
    for (;;) {
      const next = left.findIndex((c) => c.previous === current);
      if (next < 0) break;
      current = left[next]!.sequence;
      left.splice(next, 1);
    }
    assert.deepEqual(left, [], `every rescheduled callback moves from the booking before it; ${where}`);
  } else {
    assert.deepEqual(rescheduled, [], where);
  }

  if (link.status === 'cancelled') {
    assert.deepEqual(events, [], `no live event on a cancelled link; ${where}`);
    assert.deepEqual(bookings, [], `no booking left on a cancelled link; ${where}`);
    assert.equal(cancelled.length, 1, where);
    assert.equal(cancelled[0]!.sequence, current, `the cancel callback names what was booked; ${where}`);
  } else if (link.status === 'open') {
    assert.deepEqual([events.length, bookings.length, callbacks.length], [0, 0, 0], where);
  } else {
    assert.deepEqual(cancelled, [], where);
    const booked = link.booked!.steps;
    const bookedKey = spanKey(booked.map((s) => ({ start: iso(s.start), end: iso(s.end) })));
    assert.equal(current, bookedKey, `the last callback names the booking in force; ${where}`);
    assert.deepEqual(
      events.map((e) => [e.startMs, e.endMs]),
      booked.map((s) => [s.start, s.end]),
      `the calendar holds the booking in force; ${where}`,
    );
    assert.deepEqual(
      bookings.map((b) => [b.startMs, b.endMs]),
      booked.map((s) => [s.start, s.end]),
      `the reservations are the booking in force; ${where}`,
    );
  }
  return link.status;
}

/** Sets the link up for the pair (open, completed or rescheduling) and runs one race. */
async function race(first: Change, second: Change, round: number): Promise<string> {
  const link = await newLink();
  const needsOpen = first === 'book' || second === 'book';
  const needsRescheduling = first === 'rebook' || second === 'rebook';
  if (!needsOpen) {
    await bookFirstOption(t.ctx, link.path.slice(link.path.lastIndexOf('/') + 1));
    if (needsRescheduling) {
      const loaded = await loadLinkForPage(t.ctx, link.path.slice(link.path.lastIndexOf('/') + 1));
      await requestReschedule(t.ctx, loaded!, null);
    }
  }
  const [a, b] = round % 2 === 0 ? [processes[0]!, processes[1]!] : [processes[1]!, processes[0]!];
  const visitA = first === 'book' || first === 'rebook' ? await openPage(a.url, link) : undefined;
  const visitB = second === 'book' || second === 'rebook' ? await openPage(b.url, link) : undefined;
  // Two choices pick two different times, neither the current one (index 0 is booked when rescheduling).
  const optionA = visitA?.options.at(-1);
  const optionB = visitB?.options.at(-2);
  await Promise.all([send(first, a.url, link, visitA, optionA), send(second, b.url, link, visitB, optionB)]);
  return assertAgreement(link, `${first} × ${second}, round ${round}`);
}

const PAIRS: readonly [Change, Change][] = [
  ['book', 'book'],
  ['book', 'cancel'],
  ['book', 'reschedule'],
  ['rebook', 'rebook'],
  ['rebook', 'cancel'],
  ['rebook', 'reschedule'],
  ['cancel', 'cancel'],
  ['cancel', 'reschedule'],
  ['reschedule', 'reschedule'],
];

describe('link changes raced across two processes on PostgreSQL', () => {
  for (const [first, second] of PAIRS) {
    test(`${first} × ${second}: status, calendar, reservations and callbacks agree after every race`, async (context) => {
      if (database === null) {
        context.skip(postgresSkipReason());
        return;
      }
      const finals = new Set<string>();
      for (let round = 0; round < ROUNDS; round++) finals.add(await race(first, second, round));
      context.diagnostic(`final statuses: ${[...finals].join(', ')}`);
    });
  }
});
