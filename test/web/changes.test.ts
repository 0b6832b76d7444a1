/**
 * The invitee's reschedule and cancel pages over HTTP without a browser (SPEC 6.6): links on the
 * completed page, CSRF, the confirmation step for cancel, the cutoff, links that allow nothing,
 * and the page language.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  createSequencingLink,
  csrfOf,
  iso,
  type Link,
  optionKeysOf,
  startWebServer,
  type TestAccount,
  type TestServer,
  Visitor,
} from './fixtures.ts';

const HOUR = 3_600_000;

let server: TestServer;
let counter = 0;

before(async () => {
  server = await startWebServer();
});
after(async () => {
  await server.close();
});

function tomorrow(): { start: number; end: number } {
  const day = Math.floor(server.clock.now() / (24 * HOUR)) * 24 * HOUR + 24 * HOUR;
  return { start: day + 9 * HOUR, end: day + 17 * HOUR };
}

/** A one-step, one-person link for tomorrow with the invitee actions given. */
async function changeableLink(
  extra: Record<string, unknown> = {},
): Promise<{ link: Link; person: TestAccount }> {
  counter += 1;
  const person = await server.createAccount(`inv-${counter}`);
  const period = tomorrow();
  const link = await createSequencingLink(server, {
    oauth: { redirect_uri: 'https://example.com/done' },
    event: { event_id: `chat-${counter}`, summary: 'Intro call' },
    tzid: 'UTC',
    target_calendars: [{ sub: person.sub, calendar_id: person.calendarId }],
    availability: {
      query_periods: [{ start: iso(period.start), end: iso(period.end) }],
      sequence: [
        {
          sequence_id: 'call',
          participants: [{ members: [{ sub: person.sub }], required: 'all' }],
          required_duration: { minutes: 60 },
          start_interval: { minutes: 60 },
        },
      ],
    },
    invitee_actions: { reschedule: true, cancel: true },
    ...extra,
  });
  return { link, person };
}

/** Books the option with this key through the page, as a browser without script would. */
async function bookThroughPage(visitor: Visitor, link: Link, option: string) {
  const page = await visitor.get(link.path);
  const response = await visitor.post(`${link.path}/choose`, { csrf: csrfOf(page.body), tz: 'UTC', option });
  assert.equal(response.status, 303, response.body);
}

async function stored(link: Link) {
  return server.ctx.store.read((repos) => repos.links.byId(server.applicationId, link.id));
}

async function eventOf(person: TestAccount, link: Link) {
  const own = await stored(link);
  const eventId = String((own!.request as { event: { event_id: string } }).event.event_id);
  return server.ctx.store.read((repos) => repos.events.byKey(person.calendarId, eventId));
}

describe('reschedule page', () => {
  test('completed page links to it; confirming reopens the link, its own time is offered, the new choice moves the event', async () => {
    const { link, person } = await changeableLink();
    const visitor = new Visitor(server);
    const first = optionKeysOf((await visitor.get(link.path)).body)[0]!;
    await bookThroughPage(visitor, link, first);
    const completed = await visitor.get(link.path);
    assert.match(completed.body, new RegExp(`href="${link.path}/reschedule\\?`));
    assert.match(completed.body, new RegExp(`href="${link.path}/cancel\\?`));
    const before = await eventOf(person, link);

    const page = await visitor.get(`${link.path}/reschedule`);
    assert.equal(page.status, 200);
    assert.match(page.body, /Your current booking/);
    assert.match(page.body, /Intro call/);

    // Without the session's CSRF token nothing changes.
    const forged = await new Visitor(server).post(`${link.path}/reschedule`, { csrf: 'x', tz: 'UTC' });
    assert.equal(forged.status, 403);
    assert.equal((await stored(link))?.status, 'completed');

    const reopened = await visitor.post(`${link.path}/reschedule`, { csrf: csrfOf(page.body), tz: 'UTC' });
    assert.equal(reopened.status, 303);
    assert.equal((await stored(link))?.status, 'rescheduling');
    const choosing = await visitor.get(reopened.location!);
    assert.equal(choosing.status, 200);
    assert.match(choosing.body, /You are choosing a new time/);
    const options = optionKeysOf(choosing.body);
    assert.ok(options.includes(first), 'its own current time is offered again');
    const later = options.at(-1)!;
    assert.notEqual(later, first);
    await bookThroughPage(visitor, link, later);

    const after = await eventOf(person, link);
    assert.equal(after?.eventUid, before?.eventUid, 'the same event, moved in place');
    assert.notEqual(after?.startMs, before?.startMs);
    assert.equal((await stored(link))?.status, 'completed');
    const done = await visitor.get(link.path);
    assert.equal(done.status, 200);
    assert.match(done.body, /You are booked/);
  });

  test('the cutoff is enforced with a clear message, and the completed page offers no links', async () => {
    const { link } = await changeableLink({ invitee_action_cutoff: { hours: 48 } });
    const visitor = new Visitor(server);
    const open = await visitor.get(link.path);
    await bookThroughPage(visitor, link, optionKeysOf(open.body)[0]!);
    const completed = await visitor.get(link.path);
    assert.doesNotMatch(completed.body, /\/reschedule"/);
    for (const action of ['reschedule', 'cancel']) {
      const page = await visitor.get(`${link.path}/${action}`);
      assert.equal(page.status, 403);
      assert.match(page.body, /too late to change this booking online/);
      assert.match(page.body, /Changes close 48 hrs? before the first appointment/);
      const posted = await visitor.post(`${link.path}/${action}`, {
        csrf: csrfOf(open.body),
        tz: 'UTC',
      });
      assert.equal(posted.status, 403);
      assert.match(posted.body, /too late to change this booking online/);
    }
    assert.equal((await stored(link))?.status, 'completed');
  });

  test('a link that allows no invitee action says so', async () => {
    const { link } = await changeableLink({ invitee_actions: { reschedule: false, cancel: false } });
    const visitor = new Visitor(server);
    await bookThroughPage(visitor, link, optionKeysOf((await visitor.get(link.path)).body)[0]!);
    const page = await visitor.get(`${link.path}/cancel`);
    assert.equal(page.status, 403);
    assert.match(page.body, /cannot be changed here/);
  });
});

describe('reschedule in confirm mode', () => {
  test('its current time needs no hold; a new time is held, confirmed, and replaces the booking', async () => {
    const { link, person } = await changeableLink({ selection_mode: 'confirm' });
    const visitor = new Visitor(server);
    const open = await visitor.get(link.path);
    const [nine] = optionKeysOf(open.body);
    const csrf = csrfOf(open.body);
    const hold = await visitor.post(`${link.path}/choose`, { csrf, tz: 'UTC', option: nine! });
    assert.equal((await visitor.get(hold.location!)).status, 200);
    const booked = await visitor.post(`${link.path}/confirm`, { csrf, tz: 'UTC', option: nine! });
    assert.equal(booked.status, 303);
    assert.equal((await stored(link))?.status, 'completed');

    const reopened = await visitor.post(`${link.path}/reschedule`, { csrf, tz: 'UTC' });
    assert.equal(reopened.status, 303);
    const choosing = await visitor.get(reopened.location!);
    const options = optionKeysOf(choosing.body);
    assert.ok(options.includes(nine!), 'its own time is offered');
    // Its current time again needs no hold (its own booking covers it): the confirmation shows.
    const same = await visitor.post(`${link.path}/choose`, { csrf, tz: 'UTC', option: nine! });
    assert.match(same.location ?? '', /\/confirm\?/);
    assert.equal((await visitor.get(same.location!)).status, 200);
    assert.equal((await visitor.post(`${link.path}/back`, { csrf, tz: 'UTC' })).status, 303);
    // An hour later is held, confirmed, and replaces the booking.
    const ten = options[1]!;
    const held = await visitor.post(`${link.path}/choose`, { csrf, tz: 'UTC', option: ten });
    assert.match(held.location ?? '', /\/confirm\?/);
    assert.equal((await visitor.get(held.location!)).status, 200, 'the confirmation page of its own hold');
    const before = await eventOf(person, link);
    const done = await visitor.post(`${link.path}/confirm`, { csrf, tz: 'UTC', option: ten });
    assert.equal(done.status, 303);
    assert.equal((await stored(link))?.status, 'completed');
    const after = await eventOf(person, link);
    assert.equal(after?.eventUid, before?.eventUid);
    assert.equal(after!.startMs - before!.startMs, HOUR);
    const rows = await server.ctx.store.read((repos) => repos.reservations.byLink(link.id));
    assert.deepEqual(
      rows.map((r) => [iso(r.startMs), iso(r.endMs), r.kind]),
      [[iso(after!.startMs), iso(after!.endMs), 'booking']],
    );
  });
});

describe('reschedule in confirm mode, overlapping', () => {
  test('a new time half inside the current booking is held only outside it, then replaces it', async () => {
    counter += 1;
    const person = await server.createAccount(`inv-half-${counter}`);
    const period = tomorrow();
    const link = await createSequencingLink(server, {
      oauth: { redirect_uri: 'https://example.com/done' },
      event: { event_id: `half-${counter}`, summary: 'Intro call' },
      tzid: 'UTC',
      selection_mode: 'confirm',
      target_calendars: [{ sub: person.sub, calendar_id: person.calendarId }],
      availability: {
        query_periods: [{ start: iso(period.start), end: iso(period.end) }],
        sequence: [
          {
            sequence_id: 'call',
            participants: [{ members: [{ sub: person.sub }] }],
            required_duration: { minutes: 60 },
            start_interval: { minutes: 30 },
          },
        ],
      },
      invitee_actions: { reschedule: true },
    });
    const visitor = new Visitor(server);
    const open = await visitor.get(link.path);
    const csrf = csrfOf(open.body);
    const nine = `0.${period.start}`;
    const halfPast = `0.${period.start + HOUR / 2}`;
    await visitor.post(`${link.path}/choose`, { csrf, tz: 'UTC', option: nine });
    assert.equal((await visitor.post(`${link.path}/confirm`, { csrf, tz: 'UTC', option: nine })).status, 303);
    assert.equal((await visitor.post(`${link.path}/reschedule`, { csrf, tz: 'UTC' })).status, 303);
    assert.ok(optionKeysOf((await visitor.get(link.path)).body).includes(halfPast));

    const held = await visitor.post(`${link.path}/choose`, { csrf, tz: 'UTC', option: halfPast });
    assert.equal((await visitor.get(held.location!)).status, 200, 'the confirmation page');
    const rows = async () =>
      (await server.ctx.store.read((r) => r.reservations.liveIn([person.sub], period, server.clock.now())))
        .map((r) => `${r.kind} ${iso(r.startMs)}-${iso(r.endMs)}`)
        .sort();
    const at = (ms: number) => iso(ms);
    assert.deepEqual(await rows(), [
      `booking ${at(period.start)}-${at(period.start + HOUR)}`,
      `hold ${at(period.start + HOUR)}-${at(period.start + HOUR + HOUR / 2)}`,
    ]);
    assert.equal(
      (await visitor.post(`${link.path}/confirm`, { csrf, tz: 'UTC', option: halfPast })).status,
      303,
    );
    assert.equal((await stored(link))?.status, 'completed');
    assert.deepEqual(await rows(), [
      `booking ${at(period.start + HOUR / 2)}-${at(period.start + HOUR + HOUR / 2)}`,
    ]);
  });
});

describe('cancel page', () => {
  test('a confirmation step with an optional reason; then the events are gone and the page says cancelled', async () => {
    const { link, person } = await changeableLink();
    const visitor = new Visitor(server);
    await bookThroughPage(visitor, link, optionKeysOf((await visitor.get(link.path)).body)[0]!);
    const confirm = await visitor.get(`${link.path}/cancel`);
    assert.equal(confirm.status, 200);
    assert.match(confirm.body, /<textarea id="reason" name="reason"/);
    assert.equal((await stored(link))?.status, 'completed', 'showing the confirmation changes nothing');

    const tooLong = await visitor.post(`${link.path}/cancel`, {
      csrf: csrfOf(confirm.body),
      tz: 'UTC',
      reason: 'x'.repeat(501),
    });
    assert.equal(tooLong.status, 400);
    assert.equal((await stored(link))?.status, 'completed');

    const done = await visitor.post(`${link.path}/cancel`, {
      csrf: csrfOf(confirm.body),
      tz: 'UTC',
      reason: 'Found another job <sorry>',
    });
    assert.equal(done.status, 200);
    assert.match(done.body, /Your booking has been cancelled/);
    const cancelled = await stored(link);
    assert.equal(cancelled?.status, 'cancelled');
    assert.equal(cancelled?.cancelReason, 'Found another job <sorry>');
    assert.equal((await eventOf(person, link))?.deleted, true);
    assert.deepEqual(await server.ctx.store.read((repos) => repos.reservations.byLink(link.id)), []);
    const page = await visitor.get(link.path);
    assert.equal(page.status, 410);
    assert.match(page.body, /This booking was cancelled/);
    const again = await visitor.post(`${link.path}/cancel`, { csrf: csrfOf(confirm.body), tz: 'UTC' });
    assert.equal(again.status, 410, 'a second cancel changes nothing');
  });

  test('speaks the visitor’s language (Accept-Language or a picked lang)', async () => {
    const { link } = await changeableLink();
    const visitor = new Visitor(server);
    await bookThroughPage(visitor, link, optionKeysOf((await visitor.get(link.path)).body)[0]!);
    const expected: Record<string, RegExp> = {
      de: /Ja, Buchung absagen/,
      fr: /Oui, annuler ma réservation/,
      es: /Sí, cancelar mi reserva/,
      nl: /Ja, mijn boeking annuleren/,
      ja: /はい、予約をキャンセルします/,
      en: /Yes, cancel my booking/,
    };
    for (const [lang, text] of Object.entries(expected)) {
      const page = await visitor.get(`${link.path}/cancel?lang=${lang}`);
      assert.equal(page.status, 200);
      assert.match(page.body, text, lang);
      assert.match(page.body, new RegExp(`<html lang="${lang}(-[A-Z]{2})?"`));
    }
    const response = await server.app.inject({
      method: 'GET',
      url: `${link.path}/reschedule`,
      headers: { 'accept-language': 'de-DE,de;q=0.9,en;q=0.5', cookie: visitor.cookie! },
    });
    assert.match(response.body, /Neuen Termin wählen/);
    assert.match(response.body, /<html lang="de-DE"/);
  });
});
