/**
 * Fifty invitees submit at the same instant over real HTTP on loopback (SPEC 6.3): exactly one
 * booking succeeds, everyone else is told the time was taken, and the participant's calendar
 * holds exactly one event for that time.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import {
  csrfOf,
  eventsIn,
  type Link,
  optionKeysOf,
  singleLink,
  startWebServer,
  type TestServer,
  timeLabelsOf,
  Visitor,
} from './fixtures.ts';

const HOUR = 3_600_000;
const RACERS = 50;

let server: TestServer;

before(async () => {
  server = await startWebServer();
});
after(async () => {
  await server.close();
});

function tomorrowNine(): number {
  return Math.floor(server.clock.now() / (24 * HOUR)) * 24 * HOUR + 33 * HOUR;
}

type Racer = { visitor: Visitor; link: Link; csrf: string; option: string };

async function prepare(link: Link, pick: (labels: string[], keys: string[]) => string): Promise<Racer> {
  const visitor = new Visitor(server, { overHttp: true });
  const page = await visitor.get(link.path);
  assert.equal(page.status, 200);
  return {
    visitor,
    link,
    csrf: csrfOf(page.body),
    option: pick(timeLabelsOf(page.body), optionKeysOf(page.body)),
  };
}

async function race(racers: readonly Racer[]) {
  return Promise.all(
    racers.map((r) => r.visitor.post(`${r.link.path}/choose`, { csrf: r.csrf, option: r.option, tz: 'UTC' })),
  );
}

async function completedLinks(links: readonly Link[]): Promise<number> {
  let count = 0;
  for (const link of links) {
    const stored = await server.ctx.store.read((repos) => repos.links.byId(server.applicationId, link.id));
    if (stored?.status === 'completed') count += 1;
  }
  return count;
}

test(`${RACERS} invitees choose the same option on one link: exactly one books`, async () => {
  const person = await server.createAccount('race-one-link');
  const start = tomorrowNine();
  const link = await singleLink(server, person, { periods: [{ start, end: start + 4 * HOUR }] });
  const racers: Racer[] = [];
  for (let i = 0; i < RACERS; i++) racers.push(await prepare(link, (_labels, keys) => keys[0]!));

  const responses = await race(racers);
  const booked = responses.filter((r) => r.status === 303);
  const taken = responses.filter((r) => r.status === 409);
  assert.equal(booked.length, 1, `statuses: ${responses.map((r) => r.status).join(',')}`);
  assert.equal(taken.length, RACERS - 1);
  for (const response of taken) assert.match(response.body, /just been booked by someone else/);

  const winner = racers[responses.indexOf(booked[0]!)]!;
  const page = await winner.visitor.get(booked[0]!.location!);
  assert.match(page.body, /You are booked/);
  assert.equal(await completedLinks([link]), 1);
  const events = await eventsIn(server, person.calendarId, start, start + HOUR);
  assert.equal(events.length, 1);
});

test(`${RACERS} invitees on ${RACERS} links sharing one participant choose overlapping times: exactly one books`, async () => {
  const shared = await server.createAccount('race-shared');
  const start = tomorrowNine();
  const links: Link[] = [];
  const racers: Racer[] = [];
  for (let i = 0; i < RACERS; i++) {
    const link = await singleLink(server, shared, {
      periods: [{ start, end: start + 4 * HOUR }],
      interval: 15,
      eventId: `race-${i}`,
    });
    links.push(link);
    // 09:00, 09:15, 09:30 or 09:45: every pair of these one-hour slots overlaps.
    const wanted = ['09:00', '09:15', '09:30', '09:45'][i % 4]!;
    racers.push(await prepare(link, (labels, keys) => keys[labels.indexOf(wanted)]!));
  }

  const responses = await race(racers);
  // Every answer is a redirect (POST-redirect-GET): the losers' say why.
  const taken = responses.filter((r) => r.status === 303 && /[?&]taken=booked$/.test(r.location ?? ''));
  const booked = responses.filter((r) => r.status === 303 && !(r.location ?? '').includes('taken='));
  assert.equal(booked.length, 1, `statuses: ${responses.map((r) => `${r.status} ${r.location}`).join(',')}`);
  assert.equal(taken.length, RACERS - 1);
  const loser = racers[responses.indexOf(taken[0]!)]!;
  const fresh = await loser.visitor.get(taken[0]!.location!);
  assert.match(fresh.body, /that time was just booked by someone else/);
  assert.match(fresh.body, /Here are the times available now/);
  assert.equal(await completedLinks(links), 1);
  const events = await eventsIn(server, shared.calendarId, start, start + 2 * HOUR);
  assert.equal(events.length, 1, 'the participant is busy once, not twice');
});
