/**
 * The four wrong answers an independent brute-force check of `POST /v1/availability` found
 * (issue 11), as named regression tests over HTTP (SPEC 5.1 to 5.3).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestServer, type TestAccount, type TestServer } from '../support/server.ts';

type Period = { start: string; end: string; participants?: { sub: string }[] };

describe('availability correctness (issue 11 regressions)', () => {
  let server: TestServer;

  before(async () => {
    server = await startTestServer();
  });
  after(() => server.close());

  const availability = (body: Record<string, unknown>) =>
    server.call('POST', '/v1/availability', { token: server.clientSecret, body });
  const sequenced = (body: Record<string, unknown>) =>
    server.call('POST', '/v1/sequenced_availability', { token: server.clientSecret, body });
  const managed = (account: TestAccount) => ({
    members: [{ sub: account.sub, managed_availability: true }],
    required: 'all',
  });
  const spans = (list: readonly Period[]) => list.map((p) => `${p.start} ${p.end}`);
  const storePeriod = async (account: TestAccount, id: string, start: string, end: string) => {
    const res = await server.call('POST', '/v1/available_periods', {
      token: account.accessToken,
      body: { available_period_id: id, start, end },
    });
    assert.equal(res.status, 202, res.text);
  };

  it('11.1 a managed member with a stored period outside the window is not free in it, with or without buffers', async () => {
    const x = await server.createAccount('issue-11-1');
    await storePeriod(x, 'morning', '2027-01-13T08:00:00Z', '2027-01-13T09:00:00Z');
    const body = {
      participants: [managed(x)],
      required_duration: { minutes: 30 },
      start_interval: { minutes: 30 },
      response_format: 'slots',
      query_periods: [{ start: '2027-01-13T09:00:00Z', end: '2027-01-13T10:00:00Z' }],
    };
    const plain = await availability(body);
    assert.equal(plain.status, 200, plain.text);
    assert.deepEqual(plain.json.available_slots, []);
    const buffered = await availability({ ...body, buffer: { before: { minutes: 60 } } });
    assert.equal(buffered.status, 200, buffered.text);
    assert.deepEqual(buffered.json.available_slots, []);

    // The period moved to the next day: the first day is hidden whether or not the window reaches it.
    await storePeriod(x, 'morning', '2027-01-14T08:00:00Z', '2027-01-14T09:00:00Z');
    const firstDay = await availability(body);
    assert.deepEqual(firstDay.json.available_slots, []);
    const bothDays = await availability({
      ...body,
      query_periods: [{ start: '2027-01-13T00:00:00Z', end: '2027-01-15T00:00:00Z' }],
    });
    assert.deepEqual(spans(bothDays.json.available_slots), [
      '2027-01-14T08:00:00Z 2027-01-14T08:30:00Z',
      '2027-01-14T08:30:00Z 2027-01-14T09:00:00Z',
    ]);

    // A sequence step applies the same rule; an account with nothing stored is unrestricted.
    const nothing = await server.createAccount('issue-11-1-nothing');
    const steps = await sequenced({
      sequence: [{ sequence_id: 'one', participants: [managed(x)], required_duration: { minutes: 30 } }],
      query_periods: [{ start: '2027-01-13T09:00:00Z', end: '2027-01-13T10:00:00Z' }],
    });
    assert.equal(steps.status, 200, steps.text);
    assert.deepEqual(steps.json.sequences, []);
    const free = await availability({ ...body, participants: [managed(nothing)] });
    assert.equal(free.json.available_slots.length, 2);
  });

  it('11.2 weekly rules across a spring-forward gap read skipped times with the offset before the change', async () => {
    const ruleOn = async (account: TestAccount, start_time: string, end_time: string) => {
      const res = await server.call('POST', '/v1/availability_rules', {
        token: account.accessToken,
        body: {
          availability_rule_id: 'sunday',
          tzid: 'America/New_York',
          weekly_periods: [{ day: 'sunday', start_time, end_time }],
        },
      });
      assert.equal(res.status, 200, res.text);
    };
    const periodsFor = async (account: TestAccount, start: string, end: string) => {
      const res = await availability({
        participants: [managed(account)],
        required_duration: { minutes: 30 },
        response_format: 'periods',
        query_periods: [{ start, end }],
      });
      assert.equal(res.status, 200, res.text);
      return spans(res.json.available_periods);
    };
    const a = await server.createAccount('issue-11-2-a');
    await ruleOn(a, '02:00', '04:00');
    assert.deepEqual(await periodsFor(a, '2027-03-14T05:00:00Z', '2027-03-14T09:00:00Z'), [
      '2027-03-14T07:00:00Z 2027-03-14T08:00:00Z',
    ]);
    const b = await server.createAccount('issue-11-2-b');
    await ruleOn(b, '01:30', '02:30');
    assert.deepEqual(await periodsFor(b, '2027-03-14T04:00:00Z', '2027-03-14T10:00:00Z'), [
      '2027-03-14T06:30:00Z 2027-03-14T07:30:00Z',
    ]);
  });

  it('11.3 a sub twice in one group is a 422 errors.duplicate_member; a sub in two groups is listed once', async () => {
    const a = await server.createAccount('issue-11-3-a');
    const b = await server.createAccount('issue-11-3-b');
    const c = await server.createAccount('issue-11-3-c');
    const busy = await server.call('POST', `/v1/calendars/${b.calendarId}/events`, {
      token: b.accessToken,
      body: {
        event_id: 'busy',
        summary: 'Busy',
        start: '2027-02-01T09:00:00Z',
        end: '2027-02-01T10:00:00Z',
      },
    });
    assert.equal(busy.status, 202, busy.text);
    const query_periods = [{ start: '2027-02-01T09:00:00Z', end: '2027-02-01T10:00:00Z' }];
    const twice = await availability({
      participants: [{ members: [{ sub: a.sub }, { sub: a.sub }, { sub: b.sub }], required: 2 }],
      required_duration: { minutes: 30 },
      query_periods,
    });
    assert.equal(twice.status, 422, twice.text);
    assert.deepEqual(Object.keys(twice.json.errors), ['participants[0].members[1].sub']);
    assert.equal(twice.json.errors['participants[0].members[1].sub'][0].key, 'errors.duplicate_member');

    const inSequence = await sequenced({
      sequence: [
        {
          sequence_id: 'one',
          participants: [{ members: [a.sub, c.sub, a.sub], required: 1 }],
          required_duration: { minutes: 30 },
        },
      ],
      query_periods,
    });
    assert.equal(inSequence.status, 422, inSequence.text);
    assert.equal(
      inSequence.json.errors['sequence[0].participants[0].members[2].sub'][0].key,
      'errors.duplicate_member',
    );

    const shared = await availability({
      participants: [
        { members: [{ sub: c.sub }, { sub: a.sub }], required: 1 },
        { members: [{ sub: a.sub }, { sub: b.sub }], required: 1 },
      ],
      required_duration: { minutes: 60 },
      response_format: 'slots',
      query_periods,
    });
    assert.equal(shared.status, 200, shared.text);
    assert.deepEqual(
      shared.json.available_slots.map((s: Period) => s.participants!.map((p) => p.sub)),
      [[c.sub, a.sub]],
    );
    const sharedSteps = await sequenced({
      sequence: [
        {
          sequence_id: 'one',
          participants: [
            { members: [a.sub, c.sub], required: 1 },
            { members: [c.sub, a.sub], required: 2 },
          ],
          required_duration: { minutes: 60 },
        },
      ],
      query_periods,
    });
    assert.equal(sharedSteps.status, 200, sharedSteps.text);
    assert.deepEqual(
      sharedSteps.json.sequences.map((o: { sequence: { participants: { sub: string }[] }[] }) =>
        o.sequence[0]!.participants.map((p) => p.sub),
      ),
      [[a.sub, c.sub]],
    );
  });

  it('11.4 minimum notice cuts a period at the bound rounded up to the whole second', async () => {
    const a = await server.createAccount('issue-11-4');
    server.clock.set(Date.parse('2027-02-02T17:12:55.404Z'));
    const res = await availability({
      participants: [{ members: [{ sub: a.sub }] }],
      required_duration: { minutes: 15 },
      query_periods: [{ start: '2027-02-02T17:00:00Z', end: '2027-02-02T18:00:00Z' }],
    });
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(spans(res.json.available_periods), ['2027-02-02T17:12:56Z 2027-02-02T18:00:00Z']);
    const withNotice = await availability({
      participants: [{ members: [{ sub: a.sub }] }],
      required_duration: { minutes: 15 },
      minimum_notice: { minutes: 10 },
      query_periods: [{ start: '2027-02-02T17:00:00Z', end: '2027-02-02T18:00:00Z' }],
    });
    assert.equal(withNotice.status, 200, withNotice.text);
    assert.deepEqual(spans(withNotice.json.available_periods), ['2027-02-02T17:22:56Z 2027-02-02T18:00:00Z']);
  });
});
