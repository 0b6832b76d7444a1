/**
 * Issue 12, items 4 and 6, replayed as attacks on `POST /v1/real_time_sequencing`: unknown template
 * fields are dropped (never stored, never copied into booked events), a template over 16 KiB of JSON
 * is a 422, and JSON nested thousands deep is a 422, never a 5xx.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { bookFirstOption } from '../support/scenario.ts';
import { startTestServer, type TestAccount, type TestServer } from '../support/server.ts';

let server: TestServer;
let person: TestAccount;

before(async () => {
  server = await startTestServer();
  person = await server.createAccount('template-target');
});
after(() => server.close());

const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

function linkBody(event: Record<string, unknown>, stepEvent?: unknown): Record<string, unknown> {
  const start = server.clock.now() + 24 * 3_600_000;
  return {
    oauth: { redirect_uri: 'https://app.example/done' },
    event,
    target_calendars: [{ sub: person.sub, calendar_id: person.calendarId }],
    availability: {
      query_periods: [{ start: iso(start), end: iso(start + 4 * 3_600_000) }],
      sequence: [
        {
          sequence_id: 'only',
          participants: [{ members: [{ sub: person.sub }] }],
          required_duration: { minutes: 30 },
          ...(stepEvent === undefined ? {} : { event: stepEvent }),
        },
      ],
    },
  };
}

const DEEP = '__deep__';

/** Sends `body` with every `"__deep__"` replaced by JSON nested `depth` levels (built as text:
 * JSON.stringify itself overflows the stack on thousands of levels). */
const create = (body: Record<string, unknown>, depth = 0) =>
  server.call('POST', '/v1/real_time_sequencing', {
    token: server.clientSecret,
    rawBody: JSON.stringify(body).replaceAll(
      `"${DEEP}"`,
      `${'{"inner":'.repeat(depth)}"bottom"${'}'.repeat(depth)}`,
    ),
  });

describe('4 event templates keep only the upsert-event fields', () => {
  test('unknown fields are neither stored nor copied into the booked events', async () => {
    const filler = 'A'.repeat(8000);
    const created = await create(
      linkBody(
        {
          event_id: 'tpl-1',
          summary: 'Call',
          location: { description: 'Room 1' },
          x_payload: filler,
          extra: 1,
        },
        { summary: 'Step', x_step_payload: filler },
      ),
    );
    assert.equal(created.status, 200, created.text);
    const status = await server.call(
      'GET',
      `/v1/real_time_sequencing/${created.json.real_time_sequencing.real_time_sequencing_id}`,
      {
        token: server.clientSecret,
      },
    );
    assert.equal(status.status, 200);
    assert.deepEqual(status.json.real_time_sequencing.event, {
      event_id: 'tpl-1',
      summary: 'Call',
      location: { description: 'Room 1' },
    });
    const stored = await server.ctx.store.read((repos) =>
      repos.links.byId(server.applicationId, created.json.real_time_sequencing.real_time_sequencing_id),
    );
    assert.doesNotMatch(JSON.stringify(stored), /x_payload|x_step_payload|AAAA/);

    const token = String(created.json.url).split('/').pop()!;
    await bookFirstOption(server.ctx, token);
    const events = await server.call(
      'GET',
      `/v1/events?tzid=Etc/UTC&calendar_ids[]=${person.calendarId}&include_managed=true`,
      {
        token: person.accessToken,
      },
    );
    assert.equal(events.status, 200, events.text);
    assert.equal(events.json.events.length, 1);
    assert.doesNotMatch(events.text, /x_payload|x_step_payload|AAAA/);
    assert.equal(events.json.events[0].location?.description, 'Room 1');
  });

  test('a template over 16 KiB of JSON is a 422, at the top level or in one step', async () => {
    const big = 'B'.repeat(16_500);
    const top = await create(
      linkBody({ event_id: 'tpl-2', summary: 'Call', location: { description: big } }),
    );
    assert.equal(top.status, 422, top.text);
    assert.equal(top.json.errors.event[0].key, 'errors.too_large');
    const unknown = await create(linkBody({ event_id: 'tpl-3', summary: 'Call', junk: big }));
    assert.equal(unknown.status, 422, 'the size counts the template as sent, unknown fields included');
    const step = await create(linkBody({ event_id: 'tpl-4', summary: 'Call' }, { summary: 'S', junk: big }));
    assert.equal(step.status, 422, step.text);
    assert.equal(step.json.errors['availability.sequence[0].event'][0].key, 'errors.too_large');
    const fits = await create(linkBody({ event_id: 'tpl-5', summary: 'Call', junk: 'C'.repeat(15_000) }));
    assert.equal(fits.status, 200, fits.text);
  });
});

describe('6 deeply nested JSON is a 422, never a 5xx', () => {
  test('5,000 levels in a template, and 33 in a step', async () => {
    const deep = await create(linkBody({ event_id: 'tpl-6', summary: 'Call', location: DEEP }), 5000);
    assert.equal(deep.status, 422, deep.text.slice(0, 300));
    assert.equal(deep.json.errors.body[0].key, 'errors.too_deep');
    const step = await create(
      linkBody({ event_id: 'tpl-7', summary: 'Call' }, { summary: 'S', junk: DEEP }),
      30,
    );
    assert.equal(step.status, 422);
    assert.equal(step.json.errors.body[0].key, 'errors.too_deep');
    const shallow = await create(linkBody({ event_id: 'tpl-8', summary: 'Call', junk: DEEP }), 20);
    assert.equal(shallow.status, 200, shallow.text);
  });

  test('every JSON endpoint answers 422 errors.too_deep for 33 levels and accepts 32', async () => {
    const nest = (depth: number) => `${'{"a":'.repeat(depth - 1)}{}${'}'.repeat(depth - 1)}`;
    const routes: [string, string, string][] = [
      ['POST', '/v1/availability', server.clientSecret],
      ['POST', '/v1/sequenced_availability', server.clientSecret],
      ['POST', '/v1/real_time_scheduling', server.clientSecret],
      ['POST', `/v1/calendars/${person.calendarId}/events`, person.accessToken],
      ['POST', '/v1/availability_rules', person.accessToken],
      ['PATCH', '/v1/application', server.clientSecret],
    ];
    for (const [method, url, token] of routes) {
      for (const body of [`{"x":${nest(32)}}`, `[${'['.repeat(40)}${']'.repeat(40)}]`, nest(20_000)]) {
        const response = await server.app.inject({
          method: method as 'POST',
          url,
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          payload: body,
        });
        assert.equal(response.statusCode, 422, `${method} ${url}`);
        assert.equal(JSON.parse(response.body).errors.body[0].key, 'errors.too_deep', `${method} ${url}`);
      }
      const fits = await server.app.inject({
        method: method as 'POST',
        url,
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        payload: `{"x":${nest(31)}}`,
      });
      assert.notEqual(JSON.parse(fits.body).errors?.body?.[0]?.key, 'errors.too_deep', `${method} ${url}`);
      assert.ok(fits.statusCode < 500);
    }
  });
});
