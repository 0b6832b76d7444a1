/**
 * Event tags (SPEC 7) and availability constraints (SPEC 5.1) through the API, against answers
 * worked out by hand: periods in zones far from UTC (Kiritimati +14, Pago Pago −11, Kolkata +5:30),
 * an ISO week across New York's spring-forward, tags, a member in two steps, and the 422s.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestServer, type TestAccount, type TestServer } from '../support/server.ts';

type Slot = { start: string; end: string };

describe('event tags and availability constraints', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer(); // now: Monday 2026-03-02 08:00Z
  });
  after(() => server.close());

  const event = async (who: TestAccount, id: string, start: string, end: string, extra = {}) => {
    const res = await server.call('POST', `/v1/calendars/${who.calendarId}/events`, {
      token: who.accessToken,
      body: { event_id: id, summary: id, start, end, ...extra },
    });
    assert.equal(res.status, 202, res.text);
  };
  const starts = async (who: TestAccount, constraints: unknown, periods: [string, string][]) => {
    const res = await server.call('POST', '/v1/availability', {
      token: server.clientSecret,
      body: {
        participants: [
          { members: [{ sub: who.sub, ...(constraints ? { availability_constraints: constraints } : {}) }] },
        ],
        required_duration: { minutes: 30 },
        response_format: 'slots',
        start_interval: { minutes: 30 },
        query_periods: periods.map(([start, end]) => ({ start, end })),
      },
    });
    assert.equal(res.status, 200, res.text);
    return (res.json.available_slots as Slot[]).map((s) => s.start);
  };

  it('tags are stored with an event and returned by GET /v1/events; bad tags are 422 with paths', async () => {
    const ann = await server.createAccount('tags-ann');
    const tags = { private: [{ value: 'interview' }, { value: 'loop-7' }] };
    await event(ann, 'tagged', '2026-03-10T10:00:00Z', '2026-03-10T11:00:00Z', { tags });
    await event(ann, 'plain', '2026-03-10T12:00:00Z', '2026-03-10T13:00:00Z');
    const read = await server.call('GET', '/v1/events?from=2026-03-10&to=2026-03-11&tzid=Etc/UTC', {
      token: ann.accessToken,
    });
    assert.equal(read.status, 200, read.text);
    const byId = new Map(read.json.events.map((e: { event_id: string }) => [e.event_id, e]));
    assert.deepEqual((byId.get('tagged') as { tags: unknown }).tags, tags);
    assert.equal('tags' in (byId.get('plain') as object), false);

    const bad = await server.call('POST', `/v1/calendars/${ann.calendarId}/events`, {
      token: ann.accessToken,
      body: {
        event_id: 'bad',
        summary: 'bad',
        start: '2026-03-10T10:00:00Z',
        end: '2026-03-10T11:00:00Z',
        tags: { private: [{ value: 'x'.repeat(65) }, { value: '' }, 'nope'] },
      },
    });
    assert.equal(bad.status, 422);
    assert.deepEqual(Object.keys(bad.json.errors).sort(), [
      'tags.private[0].value',
      'tags.private[1].value',
      'tags.private[2]',
    ]);
    const tooMany = await server.call('POST', `/v1/calendars/${ann.calendarId}/events`, {
      token: ann.accessToken,
      body: {
        event_id: 'many',
        summary: 'many',
        start: '2026-03-10T10:00:00Z',
        end: '2026-03-10T11:00:00Z',
        tags: { private: Array.from({ length: 11 }, (_, i) => ({ value: `t${i}` })) },
      },
    });
    assert.equal(tooMany.status, 422);
    assert.deepEqual(Object.keys(tooMany.json.errors), ['tags.private']);
  });

  it('a day in UTC, Pacific/Kiritimati, Pacific/Pago_Pago and Asia/Kolkata; tags filter what counts', async () => {
    const bob = await server.createAccount('zones-bob');
    // Wednesday 09:00Z: Kiritimati Wed 23:00, Pago Pago Tue 22:00, Kolkata Wed 14:30.
    await event(bob, 'one', '2026-03-04T09:00:00Z', '2026-03-04T09:30:00Z', {
      tags: { private: [{ value: 'interview' }] },
    });
    const periods: [string, string][] = [
      ['2026-03-04T07:00:00Z', '2026-03-04T07:30:00Z'], // Kiritimati Wed 21:00, Pago Pago Tue 20:00
      ['2026-03-04T12:00:00Z', '2026-03-04T12:30:00Z'], // Kiritimati Thu 02:00, Pago Pago Wed 01:00
      ['2026-03-04T19:00:00Z', '2026-03-04T19:30:00Z'], // Kolkata Thu 00:30
    ];
    const all = ['2026-03-04T07:00:00Z', '2026-03-04T12:00:00Z', '2026-03-04T19:00:00Z'];
    assert.deepEqual(await starts(bob, null, periods), all);
    assert.deepEqual(await starts(bob, [{ limit: 1, period: 'day' }], periods), []);
    assert.deepEqual(await starts(bob, [{ limit: 2, period: 'day' }], periods), all);
    assert.deepEqual(await starts(bob, [{ limit: 1, period: 'day', tzid: 'Pacific/Kiritimati' }], periods), [
      '2026-03-04T12:00:00Z',
      '2026-03-04T19:00:00Z',
    ]);
    assert.deepEqual(await starts(bob, [{ limit: 1, period: 'day', tzid: 'Pacific/Pago_Pago' }], periods), [
      '2026-03-04T12:00:00Z',
      '2026-03-04T19:00:00Z',
    ]);
    assert.deepEqual(await starts(bob, [{ limit: 1, period: 'day', tzid: 'Asia/Kolkata' }], periods), [
      '2026-03-04T19:00:00Z',
    ]);
    const tagged = (value: string) => [{ limit: 1, period: 'day', tags: { private: [{ value }] } }];
    assert.deepEqual(await starts(bob, tagged('interview'), periods), []);
    assert.deepEqual(await starts(bob, tagged('screen'), periods), all);
  });

  it('an ISO week in America/New_York across spring-forward; a month; several constraints', async () => {
    const cy = await server.createAccount('week-cy');
    // Sunday 2026-03-08 (New York springs forward that day) 14:00 EDT.
    await event(cy, 'sunday', '2026-03-08T18:00:00Z', '2026-03-08T18:30:00Z');
    const periods: [string, string][] = [
      ['2026-03-09T03:30:00Z', '2026-03-09T04:00:00Z'], // Sunday 23:30 EDT: same week
      ['2026-03-09T04:30:00Z', '2026-03-09T05:00:00Z'], // Monday 00:30 EDT: the next week
    ];
    const week = (tzid: string) => [{ limit: 1, period: 'week', tzid }];
    assert.deepEqual(await starts(cy, week('America/New_York'), periods), ['2026-03-09T04:30:00Z']);
    // In UTC the week ended at Monday 00:00Z: both slots fall in the next one.
    assert.deepEqual(await starts(cy, week('UTC'), periods), [
      '2026-03-09T03:30:00Z',
      '2026-03-09T04:30:00Z',
    ]);
    // A month: March is full, April 1st (UTC) is not.
    const month = [{ limit: 1, period: 'month' }];
    const edge: [string, string][] = [
      ['2026-03-31T23:00:00Z', '2026-03-31T23:30:00Z'],
      ['2026-04-01T00:00:00Z', '2026-04-01T00:30:00Z'],
    ];
    assert.deepEqual(await starts(cy, month, edge), ['2026-04-01T00:00:00Z']);
    // Every constraint must hold: a roomy week limit does not lift a full day.
    const both = [
      { limit: 5, period: 'week', tzid: 'America/New_York' },
      { limit: 1, period: 'day', tzid: 'America/New_York' },
    ];
    assert.deepEqual(
      await starts(cy, both, [
        ['2026-03-08T20:00:00Z', '2026-03-08T20:30:00Z'],
        ['2026-03-10T20:00:00Z', '2026-03-10T20:30:00Z'],
      ]),
      ['2026-03-10T20:00:00Z'],
    );
  });

  it('sequenced availability: a member in two steps counts two', async () => {
    const dee = await server.createAccount('seq-dee');
    const eli = await server.createAccount('seq-eli');
    await event(dee, 'busy-day', '2026-03-11T08:00:00Z', '2026-03-11T08:30:00Z');
    const body = (limit: number) => {
      const member = { sub: dee.sub, availability_constraints: [{ limit, period: 'day' }] };
      const step = (id: string, members: unknown[]) => ({
        sequence_id: id,
        participants: [{ members }],
        required_duration: { minutes: 30 },
        start_interval: { minutes: 30 },
        buffer: { after: { minimum: { minutes: 0 }, maximum: { minutes: 0 } } },
      });
      return {
        sequence: [step('a', [member]), step('b', [{ sub: eli.sub }]), step('c', [member])],
        query_periods: [{ start: '2026-03-11T10:00:00Z', end: '2026-03-11T11:30:00Z' }],
      };
    };
    const run = async (limit: number) => {
      const res = await server.call('POST', '/v1/sequenced_availability', {
        token: server.clientSecret,
        body: body(limit),
      });
      assert.equal(res.status, 200, res.text);
      return res.json.sequences.length as number;
    };
    assert.equal(await run(2), 0, 'one event plus two steps is three');
    assert.equal(await run(3), 1);
  });

  it('invalid constraints are 422 with every problem at its path', async () => {
    const fay = await server.createAccount('bad-fay');
    const res = await server.call('POST', '/v1/availability', {
      token: server.clientSecret,
      body: {
        participants: [
          {
            members: [
              {
                sub: fay.sub,
                availability_constraints: [
                  { limit: 0, period: 'day' },
                  { limit: 1, period: 'year' },
                  { limit: 1, period: 'day', tzid: 'Mars/Olympus' },
                  { limit: 1, period: 'week', tags: { private: [{ value: '' }] } },
                  { period: 'month' },
                ],
              },
              {
                sub: fay.sub,
                availability_constraints: Array.from({ length: 6 }, () => ({ limit: 1, period: 'day' })),
              },
            ],
          },
        ],
        required_duration: { minutes: 30 },
        query_periods: [{ start: '2026-03-11T10:00:00Z', end: '2026-03-11T11:30:00Z' }],
      },
    });
    assert.equal(res.status, 422);
    const at = 'participants[0].members[0].availability_constraints';
    assert.deepEqual(Object.keys(res.json.errors).sort(), [
      `${at}[0].limit`,
      `${at}[1].period`,
      `${at}[2].tzid`,
      `${at}[3].tags.private[0].value`,
      `${at}[4].limit`,
      'participants[0].members[1].availability_constraints',
      'participants[0].members[1].sub',
    ]);
  });
});
