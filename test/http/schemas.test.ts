/**
 * The shared wire schemas (src/http/schemas.ts) describe what the API really accepts and returns:
 * example requests the schemas accept are accepted by the server, and the server's real error and
 * paging bodies match the response schemas.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Value } from 'typebox/value';
import { ErrorResponse, Group, Pages, Period, SequenceStep, UtcTime } from '../../src/http/schemas.ts';
import { startTestServer, type TestAccount, type TestServer } from '../support/server.ts';

describe('shared wire schemas', () => {
  let server: TestServer;
  let alice: TestAccount;
  let bob: TestAccount;

  before(async () => {
    server = await startTestServer({ pageSize: 1 });
    alice = await server.createAccount('alice');
    bob = await server.createAccount('bob');
  });
  after(() => server.close());

  const queryPeriod = { start: '2026-03-03T09:00:00Z', end: '2026-03-03T17:00:00Z' };

  it('accepts its own UtcTime examples', async () => {
    const examples = (UtcTime as { examples?: unknown[] }).examples ?? [];
    assert.ok(examples.length > 0);
    for (const example of examples) {
      assert.ok(Value.Check(UtcTime, example));
      assert.ok(Value.Check(Period, { start: example, end: '2026-12-31T00:00:00Z' }));
    }
  });

  it('describes an availability group the server accepts', async () => {
    const group = {
      members: [{ sub: alice.sub }, { sub: bob.sub, calendar_ids: [bob.calendarId] }],
      required: 'all',
    };
    assert.ok(Value.Check(Group, group));
    const res = await server.call('POST', '/v1/availability', {
      token: server.clientSecret,
      body: { participants: [group], required_duration: { minutes: 30 }, query_periods: [queryPeriod] },
    });
    assert.equal(res.status, 200, res.text);
  });

  it('describes a sequence step the server accepts', async () => {
    const step = {
      sequence_id: 1,
      ordinal: 1,
      participants: [{ members: [{ sub: alice.sub }], required: 'all' }],
      required_duration: { minutes: 30 },
      buffer: { before: { minutes: 5 } },
    };
    assert.ok(Value.Check(SequenceStep, step));
    const res = await server.call('POST', '/v1/sequenced_availability', {
      token: server.clientSecret,
      body: { sequence: [step], query_periods: [queryPeriod] },
    });
    assert.equal(res.status, 200, res.text);
  });

  it('rejects what the server rejects: a group without members', async () => {
    const group = { required: 'all' };
    assert.equal(Value.Check(Group, group), false);
    const res = await server.call('POST', '/v1/availability', {
      token: server.clientSecret,
      body: { participants: [group], required_duration: { minutes: 30 }, query_periods: [queryPeriod] },
    });
    assert.equal(res.status, 422);
  });

  it('matches the real 422 body (ErrorResponse)', async () => {
    const res = await server.call('POST', '/v1/availability', {
      token: server.clientSecret,
      body: { participants: 'nobody', required_duration: { minutes: -1 } },
    });
    assert.equal(res.status, 422);
    assert.ok(Object.keys(res.json.errors).length >= 2, res.text);
    assert.ok(Value.Check(ErrorResponse, res.json), res.text);
  });

  it('matches the real paging object (Pages)', async () => {
    for (const id of ['a', 'b']) {
      const put = await server.call('POST', `/v1/calendars/${alice.calendarId}/events`, {
        token: alice.accessToken,
        body: { event_id: id, summary: id, start: '2026-03-03T10:00:00Z', end: '2026-03-03T11:00:00Z' },
      });
      assert.equal(put.status, 202, put.text);
    }
    const res = await server.call('GET', '/v1/events?tzid=Etc/UTC', { token: alice.accessToken });
    assert.equal(res.status, 200, res.text);
    assert.ok(Value.Check(Pages, res.json.pages), res.text);
    assert.equal(typeof res.json.pages.next_page, 'string');
  });
});
