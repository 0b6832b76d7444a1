/**
 * Reschedule and cancel over HTTP (SPEC 6.6): the whole loop, one step, a participant who is no
 * longer selected, cancel (twice), bad input, and two links racing into the same time. Callbacks
 * are delivered to a real receiver and verified with the official client's hmacValid.
 */
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { after, before, describe, test } from 'node:test';
import { httpTransport } from '../../src/adapters/webhooks/http-transport.ts';
import { bookOption, viewLink } from '../../src/app/booking/booking.ts';
import { loadLinkForPage } from '../../src/app/links/links.ts';
import { OutboxWorker } from '../../src/jobs/outbox-worker.ts';
import { listenApi } from '../support/api-server.ts';
import { makeTestContext, type TestContext } from '../support/context.ts';
import { type Receiver, startReceiver } from '../support/receiver.ts';
import { type Scenario, seedScenario, twoStepLinkBody } from '../support/scenario.ts';

const require = createRequire(import.meta.url);
const Cronofy = require('cronofy') as new (options: {
  client_secret: string;
}) => { hmacValid(options: { hmac: string; body: string }): boolean };

let t: TestContext;
let s: Scenario;
let api: Awaited<ReturnType<typeof listenApi>>;
let receiver: Receiver;

before(async () => {
  t = await makeTestContext({ start: Date.UTC(2026, 0, 5, 8, 0, 0) });
  s = await seedScenario(t.ctx);
  api = await listenApi(t);
  receiver = await startReceiver();
});
after(async () => {
  await receiver.close();
  await api.close();
  await t.dispose();
});

const at = (iso: string) => Date.parse(iso);
const iso = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');
const bearer = () => ({ authorization: `Bearer ${s.clientSecret}` });
const post = (url: string, payload?: unknown) =>
  api.app.inject({
    method: 'POST',
    url,
    headers: bearer(),
    ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }),
  });

let counter = 0;
/** A link with distinct event ids, created over HTTP; returns id and token. */
async function newLink(overrides: Record<string, unknown> = {}, kind = 'real_time_sequencing') {
  counter++;
  const body = twoStepLinkBody(s, { callback_url: receiver.url, ...overrides });
  (body.event as Record<string, unknown>).event_id = `loop-${counter}`;
  const steps = (body.availability as { sequence?: { event: Record<string, unknown> }[] }).sequence;
  if (steps !== undefined) {
    steps[0]!.event.event_id = `loop-${counter}-pre`;
    steps[1]!.event.event_id = `loop-${counter}-f2f`;
  }
  const response = await post(`/v1/${kind}`, body);
  assert.equal(response.statusCode, 200, response.body);
  const object = response.json()[kind];
  const url: string = response.json().url;
  return { id: object[`${kind}_id`] as string, token: url.slice(url.lastIndexOf('/') + 1) };
}

async function pageOptions(token: string) {
  const page = await viewLink(t.ctx, token);
  if (page?.kind !== 'open') throw new Error(`expected an open page, got ${page?.kind}`);
  return page.options;
}

/** Books the option whose steps start at these instants (running order). */
async function book(token: string, starts: readonly string[]) {
  const options = await pageOptions(token);
  const option = options.find((o) => o.steps.every((step, i) => step.start === at(starts[i]!)));
  assert.ok(
    option,
    `no option at ${starts.join(', ')}: ${options.map((o) => iso(o.steps[0]!.start)).join(' ')}`,
  );
  const loaded = (await loadLinkForPage(t.ctx, token))!;
  return bookOption(
    t.ctx,
    loaded,
    option.steps.map((x) => ({ index: x.index, start: x.start })),
    null,
  );
}

async function eventOf(calendarId: string, eventId: string) {
  return t.ctx.store.read((r) => r.events.byKey(calendarId, eventId));
}

async function bookings(linkId: string) {
  return (await t.ctx.store.read((r) => r.reservations.byLink(linkId))).map((r) => ({
    account: r.accountId,
    start: iso(r.startMs),
    end: iso(r.endMs),
  }));
}

/** Delivers every queued callback and returns the parsed bodies of this link, each verified. */
async function deliveredFor(linkId: string): Promise<Record<string, unknown>[]> {
  const worker = new OutboxWorker({
    ctx: t.ctx,
    transport: httpTransport({ allowPrivate: true }),
    writeBack: null,
    owner: 'reschedule-test',
    random: () => 0.5,
  });
  while ((await worker.runOnce()) > 0) {}
  const client = new Cronofy({ client_secret: s.clientSecret });
  return receiver.requests
    .filter((r) => r.body.includes(linkId))
    .map((r) => {
      assert.ok(
        client.hmacValid({ hmac: String(r.headers['cronofy-hmac-sha256']), body: r.body }),
        'the official client accepts the signature',
      );
      return JSON.parse(r.body) as Record<string, unknown>;
    });
}

const typeOf = (body: Record<string, unknown>) => (body.notification as { type: string }).type;

describe('reschedule', () => {
  test('the whole loop: own booking free for its own page, busy for others; events updated in place; one rescheduled callback', async () => {
    const link = await newLink();
    assert.equal((await book(link.token, ['2026-01-06T09:00:00Z', '2026-01-06T10:00:00Z'])).kind, 'booked');
    const before = await eventOf(s.engineer.calendarId, `loop-${counter}-f2f`);
    assert.ok(before !== undefined && !before.deleted);

    const response = await post(`/v1/real_time_sequencing/${link.id}/reschedule`);
    assert.equal(response.statusCode, 200, response.body);
    const reopened = response.json().real_time_sequencing;
    assert.equal(reopened.status, 'rescheduling');
    assert.match(reopened.url, /\/book\//);
    assert.equal(reopened.sequence[0].start, '2026-01-06T09:00:00Z', 'the old booking is still reported');

    // Its own page offers its own current time again ...
    const own = await pageOptions(link.token);
    assert.equal(iso(own[0]!.steps[0]!.start), '2026-01-06T09:00:00Z');
    // ... while another link with the same people still sees it taken.
    const other = await newLink();
    const theirs = await pageOptions(other.token);
    assert.ok(theirs.every((o) => o.steps[0]!.start !== at('2026-01-06T09:00:00Z')));
    assert.deepEqual(await bookings(link.id), [
      { account: s.recruiter.sub, start: '2026-01-06T09:00:00Z', end: '2026-01-06T10:00:00Z' },
      { account: s.engineer.sub, start: '2026-01-06T10:00:00Z', end: '2026-01-06T11:00:00Z' },
    ]);

    const moved = await book(link.token, ['2026-01-06T13:00:00Z', '2026-01-06T14:00:00Z']);
    assert.equal(moved.kind, 'booked');
    assert.deepEqual(await bookings(link.id), [
      { account: s.recruiter.sub, start: '2026-01-06T13:00:00Z', end: '2026-01-06T14:00:00Z' },
      { account: s.engineer.sub, start: '2026-01-06T14:00:00Z', end: '2026-01-06T15:00:00Z' },
    ]);
    const after = await eventOf(s.engineer.calendarId, `loop-${counter - 1}-f2f`);
    assert.equal(after?.eventUid, before.eventUid, 'same event, updated in place');
    assert.equal(after?.createdAt, before.createdAt);
    assert.equal(iso(after!.startMs), '2026-01-06T14:00:00Z');
    assert.equal(after?.deleted, false);

    const status = (
      await api.app.inject({ method: 'GET', url: `/v1/real_time_sequencing/${link.id}`, headers: bearer() })
    ).json().real_time_sequencing;
    assert.equal(status.status, 'completed');
    assert.equal(status.sequence[0].start, '2026-01-06T13:00:00Z');

    const bodies = await deliveredFor(link.id);
    // Delivery order is not guaranteed (one batch may carry both): compare as a set.
    assert.deepEqual(bodies.map(typeOf).sort(), [
      'real_time_sequencing_completed',
      'real_time_sequencing_rescheduled',
    ]);
    const rescheduled = bodies.find((b) => typeOf(b) === 'real_time_sequencing_rescheduled')!;
    assert.deepEqual(rescheduled.real_time_sequencing, {
      real_time_sequencing_id: link.id,
      status: 'completed',
    });
    assert.deepEqual(rescheduled.event, {
      event_id: `loop-${counter - 1}`,
      summary: 'Interview at Globex',
      start: { time: '2026-01-06T13:00:00Z', tzid: 'Europe/London' },
      end: { time: '2026-01-06T15:00:00Z', tzid: 'Europe/London' },
      tzid: 'Europe/London',
      description: 'Two steps',
    });
    assert.deepEqual(rescheduled.participants, [{ sub: s.recruiter.sub }, { sub: s.engineer.sub }]);
    const step = (id: string | number, eventId: string, start: string, end: string, sub: string) => ({
      sequence_id: id,
      event: { event_id: eventId, summary: id === 'pre' ? 'Pre screen' : 'Face to face', start, end },
      participants: [{ sub }],
    });
    const n = counter - 1;
    assert.deepEqual(rescheduled.sequence, [
      step('pre', `loop-${n}-pre`, '2026-01-06T13:00:00Z', '2026-01-06T14:00:00Z', s.recruiter.sub),
      step(42, `loop-${n}-f2f`, '2026-01-06T14:00:00Z', '2026-01-06T15:00:00Z', s.engineer.sub),
    ]);
    assert.deepEqual(rescheduled.previous_sequence, [
      step('pre', `loop-${n}-pre`, '2026-01-06T09:00:00Z', '2026-01-06T10:00:00Z', s.recruiter.sub),
      step(42, `loop-${n}-f2f`, '2026-01-06T10:00:00Z', '2026-01-06T11:00:00Z', s.engineer.sub),
    ]);
    // The freed time is free again for everyone else.
    assert.ok((await pageOptions(other.token)).some((o) => o.steps[0]!.start === at('2026-01-06T09:00:00Z')));
  });

  test('one step: the others stay at their booked time; one option per start of the moving step', async () => {
    const link = await newLink({
      availability: {
        ...(twoStepLinkBody(s).availability as Record<string, unknown>),
        query_periods: [{ start: '2026-01-07T09:00:00Z', end: '2026-01-07T17:00:00Z' }],
      },
    });
    assert.equal((await book(link.token, ['2026-01-07T09:00:00Z', '2026-01-07T10:00:00Z'])).kind, 'booked');
    const pre = await eventOf(s.recruiter.calendarId, `loop-${counter}-pre`);
    const response = await post(`/v1/real_time_sequencing/${link.id}/reschedule`, { steps: [42] });
    assert.equal(response.statusCode, 200, response.body);
    const options = await pageOptions(link.token);
    assert.ok(options.length > 1);
    for (const option of options) {
      assert.equal(iso(option.steps[0]!.start), '2026-01-07T09:00:00Z', 'the pre-screen stays');
      assert.ok(option.steps[1]!.start >= at('2026-01-07T10:00:00Z'));
    }
    const starts = options.map((o) => o.steps[1]!.start);
    assert.deepEqual(
      starts,
      [...new Set(starts)].sort((a, b) => a - b),
      'one option per start, in order',
    );
    assert.ok(starts.includes(at('2026-01-07T10:00:00Z')), 'its own current time is offered');
    assert.equal((await book(link.token, ['2026-01-07T09:00:00Z', '2026-01-07T15:00:00Z'])).kind, 'booked');
    const preAfter = await eventOf(s.recruiter.calendarId, `loop-${counter}-pre`);
    assert.equal(preAfter?.startMs, pre?.startMs);
    assert.equal(preAfter?.eventUid, pre?.eventUid);
    const f2f = await eventOf(s.engineer.calendarId, `loop-${counter}-f2f`);
    assert.equal(iso(f2f!.startMs), '2026-01-07T15:00:00Z');
    const bodies = await deliveredFor(link.id);
    const last = bodies.find((b) => typeOf(b) === 'real_time_sequencing_rescheduled')!;
    assert.ok(last, 'one rescheduled callback');
    assert.equal(
      (last.previous_sequence as { event: { start: string } }[])[1]!.event.start,
      '2026-01-07T10:00:00Z',
    );
  });

  test('a participant no longer selected has the step event removed from their calendar', async () => {
    const link = await newLink({
      availability: {
        sequence: [
          {
            sequence_id: 'only',
            participants: [{ members: [{ sub: s.recruiter.sub }, { sub: s.engineer.sub }], required: 1 }],
            event: { event_id: 'x', summary: 'Chat' },
            required_duration: { minutes: 30 },
          },
          {
            sequence_id: 'second',
            participants: [{ members: [{ sub: s.engineer.sub }] }],
            event: { event_id: 'y', summary: 'Second' },
            required_duration: { minutes: 30 },
          },
        ],
        query_periods: [{ start: '2026-01-08T09:00:00Z', end: '2026-01-08T17:00:00Z' }],
      },
    });
    assert.equal((await book(link.token, ['2026-01-08T09:00:00Z', '2026-01-08T09:30:00Z'])).kind, 'booked');
    assert.equal((await eventOf(s.recruiter.calendarId, `loop-${counter}-pre`))?.deleted, false);
    // The recruiter becomes busy all day: only the engineer can take the first step now.
    const upsert = await api.app.inject({
      method: 'POST',
      url: `/v1/calendars/${s.recruiter.calendarId}/events`,
      headers: { authorization: `Bearer ${s.recruiter.accessToken}` },
      payload: {
        event_id: 'away',
        summary: 'Away',
        start: '2026-01-08T00:00:00Z',
        end: '2026-01-09T00:00:00Z',
      },
    });
    assert.equal(upsert.statusCode, 202, upsert.body);
    assert.equal((await post(`/v1/real_time_sequencing/${link.id}/reschedule`)).statusCode, 200);
    assert.equal((await book(link.token, ['2026-01-08T11:00:00Z', '2026-01-08T11:30:00Z'])).kind, 'booked');
    assert.equal((await eventOf(s.recruiter.calendarId, `loop-${counter}-pre`))?.deleted, true);
    const moved = await eventOf(s.engineer.calendarId, `loop-${counter}-pre`);
    assert.equal(iso(moved!.startMs), '2026-01-08T11:00:00Z');
    assert.deepEqual(await bookings(link.id), [
      { account: s.engineer.sub, start: '2026-01-08T11:00:00Z', end: '2026-01-08T11:30:00Z' },
      { account: s.engineer.sub, start: '2026-01-08T11:30:00Z', end: '2026-01-08T12:00:00Z' },
    ]);
  });

  test('two links rescheduling into the same time: exactly one wins', async () => {
    const period = [{ start: '2026-01-09T09:00:00Z', end: '2026-01-09T17:00:00Z' }];
    const oneStep = (summary: string) => ({
      availability: {
        participants: [{ members: [{ sub: s.engineer.sub }], required: 'all' }],
        required_duration: { minutes: 60 },
        query_periods: period,
      },
      event: { event_id: `race-${summary}`, summary },
    });
    const a = await newLink(oneStep('a'), 'real_time_scheduling');
    const b = await newLink(oneStep('b'), 'real_time_scheduling');
    assert.equal((await book(a.token, ['2026-01-09T09:00:00Z'])).kind, 'booked');
    assert.equal((await book(b.token, ['2026-01-09T10:00:00Z'])).kind, 'booked');
    for (const link of [a, b]) {
      const response = await post(`/v1/real_time_scheduling/${link.id}/reschedule`);
      assert.equal(response.statusCode, 200, response.body);
      assert.equal(response.json().real_time_scheduling.status, 'rescheduling');
    }
    // Both pages offer 14:00; then both choose it at once.
    for (const link of [a, b]) {
      assert.ok(
        (await pageOptions(link.token)).some((o) => o.steps[0]!.start === at('2026-01-09T14:00:00Z')),
      );
    }
    const loaded = await Promise.all([a, b].map(async (link) => (await loadLinkForPage(t.ctx, link.token))!));
    const chosen = [{ index: 0, start: at('2026-01-09T14:00:00Z') }];
    const outcomes = await Promise.all(loaded.map((link) => bookOption(t.ctx, link, chosen, null)));
    assert.deepEqual(outcomes.map((o) => o.kind).sort(), ['booked', 'taken']);
    const loser = outcomes[0]!.kind === 'booked' ? b : a;
    const status = (
      await api.app.inject({ method: 'GET', url: `/v1/real_time_scheduling/${loser.id}`, headers: bearer() })
    ).json().real_time_scheduling;
    assert.equal(status.status, 'rescheduling', 'the loser keeps its old booking and may choose again');
    assert.equal((await bookings(loser.id)).length, 1);
    const winner = loser === a ? b : a;
    const bodies = await deliveredFor(winner.id);
    const last = bodies.find((b) => typeOf(b) === 'real_time_scheduling_rescheduled')!;
    assert.ok(last, 'one rescheduled callback');
    assert.equal((last.sequence as { event: { start: string } }[])[0]!.event.start, '2026-01-09T14:00:00Z');
  });

  test('bad input: not completed (422 naming the status), unknown sequence_id, steps that cannot move', async () => {
    const link = await newLink({
      availability: {
        sequence: [
          {
            sequence_id: 'first',
            ordinal: 1,
            event: {},
            participants: [{ members: [{ sub: s.recruiter.sub }] }],
            required_duration: { minutes: 60 },
            buffer: { after: { maximum: { minutes: 0 } } },
          },
          {
            sequence_id: 'second',
            ordinal: 2,
            event: {},
            participants: [{ members: [{ sub: s.engineer.sub }] }],
            required_duration: { minutes: 60 },
          },
        ],
        query_periods: [{ start: '2026-01-12T09:00:00Z', end: '2026-01-12T17:00:00Z' }],
      },
    });
    const open = await post(`/v1/real_time_sequencing/${link.id}/reschedule`);
    assert.equal(open.statusCode, 422);
    assert.deepEqual(
      open.json().errors.status.map((e: { key: string }) => e.key),
      ['errors.link_open'],
    );
    assert.match(open.json().errors.status[0].description, /open/);
    const cancelOpen = await post(`/v1/real_time_sequencing/${link.id}/cancel`);
    assert.equal(cancelOpen.statusCode, 422);
    assert.equal(cancelOpen.json().errors.status[0].key, 'errors.link_open');
    assert.equal((await book(link.token, ['2026-01-12T09:00:00Z', '2026-01-12T10:00:00Z'])).kind, 'booked');

    const unknown = await post(`/v1/real_time_sequencing/${link.id}/reschedule`, {
      steps: ['first', 'nope', 7],
    });
    assert.equal(unknown.statusCode, 422);
    assert.deepEqual(Object.keys(unknown.json().errors).sort(), ['steps[1]', 'steps[2]']);
    assert.equal(unknown.json().errors['steps[1]'][0].key, 'errors.unknown_sequence_id');

    // "first" must end exactly when "second" starts; once its own start has passed it cannot move.
    t.clock.set(at('2026-01-12T09:30:00Z'));
    try {
      const stuck = await post(`/v1/real_time_sequencing/${link.id}/reschedule`, { steps: ['first'] });
      assert.equal(stuck.statusCode, 422, stuck.body);
      assert.equal(stuck.json().errors.steps[0].key, 'errors.breaks_gap_rule');
      const status = (
        await api.app.inject({ method: 'GET', url: `/v1/real_time_sequencing/${link.id}`, headers: bearer() })
      ).json().real_time_sequencing;
      assert.equal(status.status, 'completed', 'a refused reschedule changes nothing');
    } finally {
      t.clock.set(Date.UTC(2026, 0, 5, 8, 0, 0));
    }
  });
});

describe('cancel', () => {
  test('deletes every booked event, releases the reservations, sends one cancelled callback; twice is harmless', async () => {
    const link = await newLink({
      availability: {
        ...(twoStepLinkBody(s).availability as Record<string, unknown>),
        query_periods: [{ start: '2026-01-13T09:00:00Z', end: '2026-01-13T17:00:00Z' }],
      },
    });
    assert.equal((await book(link.token, ['2026-01-13T09:00:00Z', '2026-01-13T10:00:00Z'])).kind, 'booked');
    const first = await post(`/v1/real_time_sequencing/${link.id}/cancel`, { reason: 'Position filled' });
    assert.equal(first.statusCode, 200, first.body);
    assert.equal(first.json().real_time_sequencing.status, 'cancelled');
    assert.equal((await eventOf(s.recruiter.calendarId, `loop-${counter}-pre`))?.deleted, true);
    assert.equal((await eventOf(s.engineer.calendarId, `loop-${counter}-f2f`))?.deleted, true);
    assert.deepEqual(await bookings(link.id), []);
    const again = await post(`/v1/real_time_sequencing/${link.id}/cancel`, { reason: 'again' });
    assert.equal(again.statusCode, 200);
    assert.equal(again.json().real_time_sequencing.status, 'cancelled');
    const rescheduleCancelled = await post(`/v1/real_time_sequencing/${link.id}/reschedule`);
    assert.equal(rescheduleCancelled.statusCode, 422);
    assert.equal(rescheduleCancelled.json().errors.status[0].key, 'errors.link_cancelled');

    const bodies = await deliveredFor(link.id);
    const cancelled = bodies.filter(
      (b) => (b.notification as { type: string }).type === 'real_time_sequencing_cancelled',
    );
    assert.equal(cancelled.length, 1, 'no second callback');
    const body = cancelled[0]!;
    assert.equal(body.reason, 'Position filled');
    assert.equal((body.real_time_sequencing as { status: string }).status, 'cancelled');
    assert.equal((body.event as { event_id: string }).event_id, `loop-${counter}`);
    assert.deepEqual(
      (body.sequence as { sequence_id: unknown; event: { start: string } }[]).map((x) => [
        x.sequence_id,
        x.event.start,
      ]),
      [
        ['pre', '2026-01-13T09:00:00Z'],
        [42, '2026-01-13T10:00:00Z'],
      ],
    );
    // The time is free again.
    const other = await newLink({
      availability: {
        ...(twoStepLinkBody(s).availability as Record<string, unknown>),
        query_periods: [{ start: '2026-01-13T09:00:00Z', end: '2026-01-13T17:00:00Z' }],
      },
    });
    assert.equal(iso((await pageOptions(other.token))[0]!.steps[0]!.start), '2026-01-13T09:00:00Z');
  });

  test('invitee action URLs appear on the status object only when allowed and before the cutoff', async () => {
    const link = await newLink({
      invitee_actions: { reschedule: true, cancel: true },
      invitee_action_cutoff: { hours: 2 },
    });
    const status = async () =>
      (
        await api.app.inject({ method: 'GET', url: `/v1/real_time_sequencing/${link.id}`, headers: bearer() })
      ).json().real_time_sequencing;
    assert.equal((await status()).reschedule_url, undefined, 'nothing to change before booking');
    const options = await pageOptions(link.token);
    const loaded = (await loadLinkForPage(t.ctx, link.token))!;
    const chosen = options.at(-1)!.steps.map((x) => ({ index: x.index, start: x.start }));
    assert.equal((await bookOption(t.ctx, loaded, chosen, null)).kind, 'booked');
    const booked = await status();
    assert.match(booked.reschedule_url, new RegExp(`/book/${link.token}/reschedule$`));
    assert.match(booked.cancel_url, new RegExp(`/book/${link.token}/cancel$`));
    t.clock.set(chosen[0]!.start - 2 * 3_600_000);
    try {
      const late = await status();
      assert.equal(late.reschedule_url, undefined);
      assert.equal(late.cancel_url, undefined);
    } finally {
      t.clock.set(Date.UTC(2026, 0, 5, 8, 0, 0));
    }
    const bad = await post('/v1/real_time_sequencing', {
      ...twoStepLinkBody(s),
      invitee_actions: { reschedule: 'yes' },
      invitee_action_cutoff: { minutes: -5 },
    });
    assert.equal(bad.statusCode, 422);
    assert.ok(bad.json().errors['invitee_actions.reschedule']);
    assert.ok(bad.json().errors['invitee_action_cutoff.minutes'] ?? bad.json().errors.invitee_action_cutoff);
  });
});
