/**
 * The link lifecycle as the page and the API see it together (issue 20 items 2 and 5, issue 21
 * items 6 and 7): an invitee's reschedule is bound by the cutoff and lapses back to the old booking
 * at it, an application's is not; a change made through /v1 is on the page at once (the test clock
 * stands still, so a cached view would be served for ever); one-step reschedule options are labelled
 * by the moving step and show the fixed step as staying.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  createSequencingLink,
  csrfOf,
  interviewLink,
  iso,
  type Link,
  optionKeysOf,
  startWebServer,
  type TestAccount,
  type TestServer,
  timeLabelsOf,
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

/** One hour-long step for one person tomorrow 09:00–17:00 UTC; the invitee may change it up to 2 h before. */
async function changeableLink(): Promise<{ link: Link; person: TestAccount }> {
  counter += 1;
  const person = await server.createAccount(`life-${counter}`);
  const period = tomorrow();
  const link = await createSequencingLink(server, {
    oauth: { redirect_uri: 'https://example.com/done' },
    event: { event_id: `life-${counter}`, summary: 'Intro call' },
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
    invitee_action_cutoff: { hours: 2 },
  });
  return { link, person };
}

async function book(visitor: Visitor, link: Link, option: string) {
  const page = await visitor.get(link.path);
  const response = await visitor.post(`${link.path}/choose`, { csrf: csrfOf(page.body), tz: 'UTC', option });
  assert.equal(response.status, 303, response.body);
}

async function stored(link: Link) {
  return server.ctx.store.read((repos) => repos.links.byId(server.applicationId, link.id));
}

/** A /v1 call with the application's client secret. */
const api = (method: string, path: string, body?: unknown) =>
  server.call(method, path, { token: server.clientSecret, ...(body === undefined ? {} : { body }) });

const statusOverApi = async (link: Link) =>
  (await api('GET', `/v1/real_time_sequencing/${link.id}`)).json.real_time_sequencing.status;

describe('the invitee cutoff while rescheduling', () => {
  test('an invitee reschedule lapses at the cutoff: the old booking stays, a later choice books nothing', async () => {
    const start = server.clock.now();
    const day = tomorrow();
    const { link } = await changeableLink();
    const visitor = new Visitor(server);
    const [first, , later] = optionKeysOf((await visitor.get(link.path)).body);
    await book(visitor, link, first!);
    const page = await visitor.get(`${link.path}/reschedule`);
    const reopened = await visitor.post(`${link.path}/reschedule`, { csrf: csrfOf(page.body), tz: 'UTC' });
    assert.equal(reopened.status, 303);
    assert.equal((await stored(link))?.rescheduleBy, 'invitee');
    assert.ok(optionKeysOf((await visitor.get(link.path)).body).includes(later!));

    // Tomorrow 07:00 is the cutoff before the booked 09:00.
    server.clock.set(day.start - 2 * HOUR);
    try {
      assert.equal(await statusOverApi(link), 'completed');
      const lapsed = await visitor.get(link.path);
      assert.equal(lapsed.status, 200);
      assert.match(lapsed.body, /You are booked/);
      assert.deepEqual(optionKeysOf(lapsed.body), []);
      const late = await visitor.post(`${link.path}/choose`, {
        csrf: csrfOf(page.body),
        tz: 'UTC',
        option: later!,
      });
      assert.notEqual(late.status, 303);
      const after = await stored(link);
      const steps = (after?.booked ?? { steps: [] }) as { steps: { start: number }[] };
      assert.equal(steps.steps[0]?.start, day.start);
    } finally {
      server.clock.set(start);
    }
  });

  test('an application reschedule is not bound by the cutoff; it lapses when the query periods end', async () => {
    const start = server.clock.now();
    const day = tomorrow();
    const { link } = await changeableLink();
    const visitor = new Visitor(server);
    const [first, , later] = optionKeysOf((await visitor.get(link.path)).body);
    await book(visitor, link, first!);
    server.clock.set(day.start - HOUR); // past the invitee's cutoff
    try {
      const response = await api('POST', `/v1/real_time_sequencing/${link.id}/reschedule`, {});
      assert.equal(response.status, 200, response.text);
      assert.equal(response.json.real_time_sequencing.status, 'rescheduling');
      assert.ok(optionKeysOf((await visitor.get(link.path)).body).includes(later!));
      await book(visitor, link, later!);
      assert.equal(await statusOverApi(link), 'completed');

      await api('POST', `/v1/real_time_sequencing/${link.id}/reschedule`, {});
      assert.equal(await statusOverApi(link), 'rescheduling');
      server.clock.set(day.end);
      assert.equal(await statusOverApi(link), 'completed');
    } finally {
      server.clock.set(start);
    }
  });
});

describe('API changes on the page', () => {
  test('disable, reschedule and cancel through /v1 show on the page at once', async () => {
    const { link } = await changeableLink();
    const other = (await changeableLink()).link;
    const visitor = new Visitor(server);
    assert.equal((await visitor.get(other.path)).status, 200);
    const disabled = await api('POST', `/v1/real_time_sequencing/${other.id}/disable`, {
      display_message: 'Position filled',
    });
    assert.equal(disabled.status, 200, disabled.text);
    const gone = await visitor.get(other.path);
    assert.equal(gone.status, 410);
    assert.match(gone.body, /Position filled/);

    await book(visitor, link, optionKeysOf((await visitor.get(link.path)).body)[0]!);
    assert.match((await visitor.get(link.path)).body, /You are booked/);
    await api('POST', `/v1/real_time_sequencing/${link.id}/reschedule`, {});
    const choosing = await visitor.get(link.path);
    assert.match(choosing.body, /You are choosing a new time/);
    assert.ok(optionKeysOf(choosing.body).length > 0);
    const live = await visitor.get(`${link.path}/live`);
    assert.equal(JSON.parse(live.body).status, 'open');

    await api('POST', `/v1/real_time_sequencing/${link.id}/cancel`, {});
    assert.equal((await visitor.get(link.path)).status, 410);
    assert.equal(JSON.parse((await visitor.get(`${link.path}/live`)).body).status, 'cancelled');
  });
});

describe('one-step reschedule options', () => {
  test('are labelled by the moving step’s new start and end; the fixed step stays', async () => {
    counter += 1;
    const recruiter = await server.createAccount(`life-r-${counter}`);
    const engineer = await server.createAccount(`life-e-${counter}`);
    const link = await interviewLink(
      server,
      { recruiter, engineers: [engineer] },
      { eventId: `loop-${counter}`, tzid: 'UTC', periods: [tomorrow()] },
    );
    const visitor = new Visitor(server);
    await book(visitor, link, optionKeysOf((await visitor.get(link.path)).body)[0]!);
    const booked = (await stored(link))?.booked as { steps: { start: number; end: number }[] };
    const [fixed] = booked.steps;
    const moved = await api('POST', `/v1/real_time_sequencing/${link.id}/reschedule`, {
      steps: ['face-to-face'],
    });
    assert.equal(moved.status, 200, moved.text);

    const page = await visitor.get(`${link.path}?tz=UTC`);
    const keys = optionKeysOf(page.body);
    assert.ok(keys.length > 1, 'several starts of the moving step');
    const movingStarts = keys.map((key) => Number(key.split('-')[1]!.split('.')[1]));
    const hhmm = (ms: number) => new Date(ms).toISOString().slice(11, 16);
    assert.deepEqual(timeLabelsOf(page.body), movingStarts.map(hhmm));
    for (const start of movingStarts) {
      assert.match(page.body, new RegExp(`to ${hhmm(start + HOUR)}<`), 'ends when the moving step ends');
    }
    assert.ok(!timeLabelsOf(page.body).includes(hhmm(fixed!.start)) || movingStarts.includes(fixed!.start));
    assert.match(page.body, /stays where it is/);

    // The poll's window is the same start the page labels by.
    const live = await visitor.get(`${link.path}/live?from=${movingStarts[1]}&to=${movingStarts[1]! + 1}`);
    assert.deepEqual(JSON.parse(live.body).keys, [keys[1]]);
  });
});
