/**
 * SPEC 5.7 over HTTP: one hand-computed scenario per reason code on `POST /v1/availability`,
 * `POST /v1/sequenced_availability` and a link's status (`?explain=true`), with the minute counts
 * worked out by hand; `explain` must be a boolean, and nothing is explained without it.
 * Runs on SQLite and (RTSEQ_TEST_STORE=postgres) PostgreSQL.
 * Now is 2026-03-02T08:00Z; the query period is 2026-03-03 09:00–12:00Z (180 minutes).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { bookFirstOption } from '../support/scenario.ts';
import { startTestServer, type TestAccount, type TestServer } from '../support/server.ts';

const DAY = '2026-03-03';
const at = (time: string) => `${DAY}T${time}:00Z`;
const PERIOD = { start: at('09:00'), end: at('12:00') };

let server: TestServer;
let counter = 0;

async function person(): Promise<TestAccount> {
  counter += 1;
  return server.createAccount(`explain-${counter}`);
}

async function busy(account: TestAccount, from: string, to: string): Promise<void> {
  counter += 1;
  const res = await server.call('POST', `/v1/calendars/${account.calendarId}/events`, {
    token: account.accessToken,
    body: { event_id: `busy-${counter}`, summary: 'Busy', start: at(from), end: at(to) },
  });
  assert.equal(res.status, 202, res.text);
}

function availability(members: readonly TestAccount[], extra: Record<string, unknown> = {}) {
  return server.call('POST', '/v1/availability', {
    token: server.clientSecret,
    body: {
      participants: [{ members: members.map((m) => ({ sub: m.sub })), required: 'all' }],
      required_duration: { minutes: 60 },
      query_periods: [PERIOD],
      explain: true,
      ...extra,
    },
  });
}

type Reason = { code: string; description: string; subs: string[]; sequence_id?: string | number };

/** The reasons without their words (checked separately: non-empty text). */
function codes(reasons: readonly Reason[]) {
  for (const reason of reasons) assert.ok(reason.description.length > 20, reason.description);
  return reasons.map(({ description: _d, ...rest }) => rest);
}

before(async () => {
  server = await startTestServer();
});
after(() => server.close());

describe('SPEC 5.7 on POST /v1/availability', () => {
  it('in_the_past: every query period ends before now plus minimum notice (the only reason)', async () => {
    const ann = await person();
    const res = await availability([ann], {
      query_periods: [{ start: '2026-03-02T05:00:00Z', end: '2026-03-02T07:00:00Z' }],
    });
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(res.json.available_periods, []);
    assert.deepEqual(codes(res.json.explanation.reasons), [{ code: 'in_the_past', subs: [] }]);
    assert.deepEqual(res.json.explanation.members, [{ sub: ann.sub, open_minutes: 0, free_minutes: 0 }]);
    assert.match(res.json.explanation.summary, /^No times: /);

    // Minimum notice alone: the period ends at 12:00 the next day, notice reaches past it.
    const notice = await availability([ann], { minimum_notice: { hours: 28 } });
    assert.deepEqual(codes(notice.json.explanation.reasons), [{ code: 'in_the_past', subs: [] }]);
  });

  it('no_open_time: member-level available_periods exclude the window', async () => {
    const ann = await person();
    const bob = await person();
    const res = await server.call('POST', '/v1/availability', {
      token: server.clientSecret,
      body: {
        participants: [
          {
            members: [
              { sub: ann.sub, available_periods: [{ start: at('13:00'), end: at('14:00') }] },
              { sub: bob.sub },
            ],
            required: 'all',
          },
        ],
        required_duration: { minutes: 60 },
        query_periods: [PERIOD],
        explain: true,
      },
    });
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(codes(res.json.explanation.reasons), [{ code: 'no_open_time', subs: [ann.sub] }]);
    assert.deepEqual(res.json.explanation.members, [
      { sub: ann.sub, open_minutes: 0, free_minutes: 0 },
      { sub: bob.sub, open_minutes: 180, free_minutes: 180 },
    ]);
  });

  it('no_open_time: managed availability (a weekly rule) excludes the window', async () => {
    const ann = await person();
    const rule = await server.call('POST', '/v1/availability_rules', {
      token: ann.accessToken,
      body: {
        availability_rule_id: 'afternoons',
        tzid: 'UTC',
        weekly_periods: [{ day: 'tuesday', start_time: '13:00', end_time: '17:00' }],
      },
    });
    assert.equal(rule.status, 200, rule.text);
    const res = await server.call('POST', '/v1/availability', {
      token: server.clientSecret,
      body: {
        participants: [{ members: [{ sub: ann.sub, managed_availability: true }], required: 'all' }],
        required_duration: { minutes: 60 },
        query_periods: [{ start: at('09:00'), end: at('14:00') }],
        explain: true,
      },
    });
    // 2026-03-03 is a Tuesday: only 13:00–14:00 of the window is open, one slot.
    assert.equal(res.json.available_periods.length, 1);
    assert.deepEqual(res.json.explanation.reasons, []);
    assert.deepEqual(res.json.explanation.members, [{ sub: ann.sub, open_minutes: 60, free_minutes: 60 }]);
    const morning = await server.call('POST', '/v1/availability', {
      token: server.clientSecret,
      body: {
        participants: [{ members: [{ sub: ann.sub, managed_availability: true }], required: 'all' }],
        required_duration: { minutes: 60 },
        query_periods: [PERIOD],
        explain: true,
      },
    });
    assert.deepEqual(codes(morning.json.explanation.reasons), [{ code: 'no_open_time', subs: [ann.sub] }]);
    assert.deepEqual(morning.json.explanation.members, [{ sub: ann.sub, open_minutes: 0, free_minutes: 0 }]);
  });

  it('fully_busy: busy for all of the open time; the words name the member', async () => {
    const ann = await server.createAccount('explain-named', { name: 'Ann Interviewer' });
    await busy(ann, '08:00', '13:00');
    const res = await availability([ann]);
    assert.deepEqual(codes(res.json.explanation.reasons), [{ code: 'fully_busy', subs: [ann.sub] }]);
    assert.deepEqual(res.json.explanation.members, [{ sub: ann.sub, open_minutes: 180, free_minutes: 0 }]);
    const named = `Ann Interviewer (${ann.sub}) is busy`;
    assert.ok(res.json.explanation.reasons[0].description.startsWith(named));
    assert.ok(res.json.explanation.summary.startsWith(`No times: ${named}`));
  });

  it('too_short: free time exists, no stretch holds the duration with its buffers', async () => {
    const ann = await person();
    await busy(ann, '09:30', '10:30');
    await busy(ann, '11:00', '11:45');
    // Free 09:00–09:30, 10:30–11:00, 11:45–12:00: 75 minutes, no 60 in one piece.
    const res = await availability([ann]);
    assert.deepEqual(codes(res.json.explanation.reasons), [{ code: 'too_short', subs: [ann.sub] }]);
    assert.deepEqual(res.json.explanation.members, [{ sub: ann.sub, open_minutes: 180, free_minutes: 75 }]);

    // 10:30–12:00 would hold 60 minutes, but 45 minutes kept clear before a slot leave 11:15–12:00.
    const bob = await person();
    await busy(bob, '08:00', '10:30');
    const buffered = await availability([bob], { buffer: { before: { minutes: 45 } } });
    assert.deepEqual(codes(buffered.json.explanation.reasons), [{ code: 'too_short', subs: [bob.sub] }]);
    assert.deepEqual(buffered.json.explanation.members, [
      { sub: bob.sub, open_minutes: 180, free_minutes: 90 },
    ]);
    const unbuffered = await availability([bob]);
    assert.deepEqual(unbuffered.json.explanation.reasons, []);
    assert.ok(unbuffered.json.available_periods.length > 0);
  });

  it('no_common_time: everyone has a run, never together; a 2-of-3 group names only who has none', async () => {
    const ann = await person();
    const bob = await person();
    await busy(ann, '09:00', '10:30');
    await busy(bob, '10:30', '12:00');
    const res = await availability([ann, bob]);
    assert.deepEqual(codes(res.json.explanation.reasons), [
      { code: 'no_common_time', subs: [ann.sub, bob.sub] },
    ]);
    assert.deepEqual(res.json.explanation.members, [
      { sub: ann.sub, open_minutes: 180, free_minutes: 90 },
      { sub: bob.sub, open_minutes: 180, free_minutes: 90 },
    ]);

    // A 2-of-3 group: ann has a 60-minute run, carl and dan none: fewer than 2 members have one,
    // so the members without one are needed and named; ann is not.
    const carl = await person();
    const dan = await person();
    await busy(carl, '08:00', '12:00');
    await busy(dan, '09:00', '09:30');
    await busy(dan, '10:00', '12:00');
    const twoOfThree = await server.call('POST', '/v1/availability', {
      token: server.clientSecret,
      body: {
        participants: [{ members: [{ sub: ann.sub }, { sub: carl.sub }, { sub: dan.sub }], required: 2 }],
        required_duration: { minutes: 60 },
        query_periods: [PERIOD],
        explain: true,
      },
    });
    assert.deepEqual(codes(twoOfThree.json.explanation.reasons), [
      { code: 'fully_busy', subs: [carl.sub] },
      { code: 'too_short', subs: [dan.sub] },
    ]);
    assert.deepEqual(twoOfThree.json.explanation.members, [
      { sub: ann.sub, open_minutes: 180, free_minutes: 90 },
      { sub: carl.sub, open_minutes: 180, free_minutes: 0 },
      { sub: dan.sub, open_minutes: 180, free_minutes: 30 },
    ]);
  });

  it('source_unavailable: a calendar that cannot be read, named with its calendar', async () => {
    const ann = await person();
    const calendarId = `cal_ics_explain_${counter}`;
    await server.ctx.store.transaction((repos) =>
      repos.calendars.insert({
        id: calendarId,
        accountId: ann.sub,
        name: 'Feed',
        kind: 'ics',
        readOnly: true,
        primary: false,
        deleted: false,
        tzid: 'UTC',
        color: null,
        sourceSealed: null,
        version: 0,
        createdAt: server.clock.now(),
      }),
    );
    const res = await availability([ann]);
    assert.deepEqual(codes(res.json.explanation.reasons), [{ code: 'source_unavailable', subs: [ann.sub] }]);
    assert.deepEqual(res.json.explanation.members, [
      {
        sub: ann.sub,
        open_minutes: 0,
        free_minutes: 0,
        unavailable_source: { calendar_id: calendarId, reason: 'external calendars are not configured' },
      },
    ]);
  });

  it('times exist: reasons empty, the members still counted; without explain nothing is added', async () => {
    const ann = await person();
    await busy(ann, '09:00', '10:00');
    const res = await availability([ann], { response_format: 'slots' });
    assert.equal(res.json.available_slots.length, 2);
    assert.deepEqual(res.json.explanation.reasons, []);
    assert.deepEqual(res.json.explanation.members, [{ sub: ann.sub, open_minutes: 180, free_minutes: 120 }]);
    const plain = await availability([ann], { explain: false });
    assert.equal(plain.json.explanation, undefined);
    const absent = await availability([ann], { explain: null });
    assert.equal(absent.json.explanation, undefined);
  });

  it('explain must be a boolean (422 with every problem)', async () => {
    const ann = await person();
    for (const value of ['true', 1, {}]) {
      const res = await availability([ann], { explain: value, max_results: 0 });
      assert.equal(res.status, 422, res.text);
      assert.deepEqual(Object.keys(res.json.errors).sort(), ['explain', 'max_results']);
      assert.equal(res.json.errors.explain[0].key, 'errors.invalid_type');
    }
    const sequence = await server.call('POST', '/v1/sequenced_availability', {
      token: server.clientSecret,
      body: { sequence: [], query_periods: [PERIOD], explain: 'yes' },
    });
    assert.equal(sequence.status, 422);
    assert.equal(sequence.json.errors.explain[0].key, 'errors.invalid_type');
  });
});

function twoSteps(ann: TestAccount, bob: TestAccount, gapMaximum: number | null) {
  return {
    query_periods: [PERIOD],
    sequence: [
      {
        sequence_id: 'first',
        participants: [{ members: [{ sub: ann.sub }], required: 'all' }],
        required_duration: { minutes: 60 },
        ...(gapMaximum === null ? {} : { buffer: { after: { maximum: { minutes: gapMaximum } } } }),
      },
      {
        sequence_id: 2,
        participants: [{ members: [{ sub: bob.sub }], required: 'all' }],
        required_duration: { minutes: 60 },
      },
    ],
  };
}

describe('SPEC 5.7 on sequences and links', () => {
  it('sequence_gaps: each step has times alone, no gap fits them together', async () => {
    const ann = await person();
    const bob = await person();
    await busy(ann, '10:00', '12:00');
    await busy(bob, '09:00', '11:00');
    const res = await server.call('POST', '/v1/sequenced_availability', {
      token: server.clientSecret,
      body: { ...twoSteps(ann, bob, 0), explain: true },
    });
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(res.json.sequences, []);
    assert.deepEqual(codes(res.json.explanation.reasons), [
      { code: 'sequence_gaps', subs: [ann.sub, bob.sub] },
    ]);
    assert.deepEqual(res.json.explanation.members, [
      { sub: ann.sub, sequence_id: 'first', open_minutes: 180, free_minutes: 60 },
      { sub: bob.sub, sequence_id: 2, open_minutes: 180, free_minutes: 60 },
    ]);
    // Without the gap limit the loop fits (09:00 then 11:00).
    const loose = await server.call('POST', '/v1/sequenced_availability', {
      token: server.clientSecret,
      body: { ...twoSteps(ann, bob, null), explain: true },
    });
    assert.equal(loose.json.sequences.length, 1);
    assert.deepEqual(loose.json.explanation.reasons, []);
  });

  it('a step reason carries its sequence_id (numbers stay numbers)', async () => {
    const ann = await person();
    const bob = await person();
    await busy(bob, '08:00', '13:00');
    const res = await server.call('POST', '/v1/sequenced_availability', {
      token: server.clientSecret,
      body: { ...twoSteps(ann, bob, null), explain: true },
    });
    assert.deepEqual(codes(res.json.explanation.reasons), [
      { code: 'fully_busy', subs: [bob.sub], sequence_id: 2 },
    ]);
    assert.match(res.json.explanation.summary, /in step 2/);
  });

  it('GET a link with ?explain=true explains its page now; ?explain=maybe is a 422', async () => {
    const ann = await person();
    const bob = await person();
    await busy(ann, '09:00', '10:30');
    await busy(bob, '10:30', '12:00');
    const created = await server.call('POST', '/v1/real_time_sequencing', {
      token: server.clientSecret,
      body: {
        oauth: { redirect_uri: 'https://app.example/done' },
        event: { event_id: 'explained', summary: 'Loop' },
        availability: {
          query_periods: [PERIOD],
          sequence: [
            {
              sequence_id: 'pair',
              participants: [{ members: [{ sub: ann.sub }, { sub: bob.sub }], required: 'all' }],
              required_duration: { minutes: 60 },
            },
          ],
        },
        target_calendars: [{ sub: ann.sub, calendar_id: ann.calendarId }],
      },
    });
    assert.equal(created.status, 200, created.text);
    const id = created.json.real_time_sequencing.real_time_sequencing_id;
    const res = await server.call('GET', `/v1/real_time_sequencing/${id}?explain=True`, {
      token: server.clientSecret,
    });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.json.real_time_sequencing.real_time_sequencing_id, id);
    assert.deepEqual(codes(res.json.explanation.reasons), [
      { code: 'no_common_time', subs: [ann.sub, bob.sub], sequence_id: 'pair' },
    ]);
    const plain = await server.call('GET', `/v1/real_time_sequencing/${id}`, { token: server.clientSecret });
    assert.equal(plain.json.explanation, undefined);
    const bad = await server.call('GET', `/v1/real_time_sequencing/${id}?explain=maybe`, {
      token: server.clientSecret,
    });
    assert.equal(bad.status, 422);
    assert.equal(bad.json.errors.explain[0].key, 'errors.invalid_type');
  });

  it('GET a Real-Time Scheduling link with ?explain=true: no sequence_id on its one step', async () => {
    const ann = await person();
    await busy(ann, '08:00', '13:00');
    const created = await server.call('POST', '/v1/real_time_scheduling', {
      token: server.clientSecret,
      body: {
        oauth: { redirect_uri: 'https://app.example/done' },
        event: { event_id: 'explained-rts', summary: 'Call' },
        availability: {
          participants: [{ members: [{ sub: ann.sub }], required: 'all' }],
          required_duration: { minutes: 30 },
          query_periods: [PERIOD],
        },
        target_calendars: [{ sub: ann.sub, calendar_id: ann.calendarId }],
      },
    });
    assert.equal(created.status, 200, created.text);
    const id = created.json.real_time_scheduling.real_time_scheduling_id;
    const res = await server.call('GET', `/v1/real_time_scheduling/${id}?explain=true`, {
      token: server.clientSecret,
    });
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(codes(res.json.explanation.reasons), [{ code: 'fully_busy', subs: [ann.sub] }]);
    assert.deepEqual(res.json.explanation.members, [{ sub: ann.sub, open_minutes: 180, free_minutes: 0 }]);
  });

  it('a link rescheduling one step explains the moving step against the fixed one', async () => {
    const ann = await person();
    const bob = await person();
    const created = await server.call('POST', '/v1/real_time_sequencing', {
      token: server.clientSecret,
      body: {
        oauth: { redirect_uri: 'https://app.example/done' },
        event: { event_id: 'explained-moving', summary: 'Loop' },
        availability: twoSteps(ann, bob, null),
        target_calendars: [
          { sub: ann.sub, calendar_id: ann.calendarId },
          { sub: bob.sub, calendar_id: bob.calendarId },
        ],
      },
    });
    assert.equal(created.status, 200, created.text);
    const id = created.json.real_time_sequencing.real_time_sequencing_id;
    const url: string = created.json.url;
    await bookFirstOption(server.ctx, url.slice(url.lastIndexOf('/') + 1));
    const moving = await server.call('POST', `/v1/real_time_sequencing/${id}/reschedule`, {
      token: server.clientSecret,
      body: { steps: [2] },
    });
    assert.equal(moving.status, 200, moving.text);
    // bob is now busy all morning besides his booked step: the moving step has no time.
    await busy(bob, '08:00', '13:00');
    const res = await server.call('GET', `/v1/real_time_sequencing/${id}?explain=true`, {
      token: server.clientSecret,
    });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.json.real_time_sequencing.status, 'rescheduling');
    assert.deepEqual(codes(res.json.explanation.reasons), [
      { code: 'fully_busy', subs: [bob.sub], sequence_id: 2 },
    ]);
    // The fixed step is pinned to its booked hour (09:00–10:00) with its booked participant; the
    // moving step may use the whole period (its gap to the fixed step is the engine's business).
    assert.deepEqual(res.json.explanation.members, [
      { sub: ann.sub, sequence_id: 'first', open_minutes: 60, free_minutes: 60 },
      { sub: bob.sub, sequence_id: 2, open_minutes: 180, free_minutes: 0 },
    ]);
  });
});
