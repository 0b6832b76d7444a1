/**
 * Issue 21, item 8: `organizer.email` is shown on the page as a `mailto:` link, so the API accepts
 * only plain addresses: `x@y.co?subject=…&body=…` (which would fill in the invitee's e-mail) is a
 * 422 naming `organizer.email`, and a plain address becomes the page's link.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startTestServer } from '../support/server.ts';

test('organizer.email must be a plain address: mailto: parameters cannot be injected', async () => {
  const server = await startTestServer();
  try {
    const person = await server.createAccount('mailto-recruiter');
    const body = (email: string) => ({
      oauth: { redirect_uri: 'https://app.example/done' },
      event: { event_id: 'mailto', summary: 'Interview' },
      tzid: 'Europe/London',
      organizer: { name: 'Dana', email },
      availability: {
        sequence: [
          {
            sequence_id: 'one',
            ordinal: 1,
            participants: [{ members: [{ sub: person.sub }], required: 'all' }],
            required_duration: { minutes: 30 },
          },
        ],
        query_periods: [{ start: '2026-03-10T09:00:00Z', end: '2026-03-10T17:00:00Z' }],
      },
      target_calendars: [{ sub: person.sub, calendar_id: person.calendarId }],
    });
    for (const hostile of [
      'x@y.co?subject=Urgent&body=Send%20your%20password',
      'x@y.co&cc=evil@z.com',
      'a b@y.co',
    ]) {
      const res = await server.call('POST', '/v1/real_time_sequencing', {
        token: server.clientSecret,
        body: body(hostile),
      });
      assert.equal(res.status, 422, hostile);
      assert.equal(res.json.errors['organizer.email'][0].key, 'errors.invalid_value', hostile);
    }
    const created = await server.call('POST', '/v1/real_time_sequencing', {
      token: server.clientSecret,
      body: body('dana.smith+jobs@example.co.uk'),
    });
    assert.equal(created.status, 200, created.text);
    const page = await server.app.inject({ method: 'GET', url: new URL(created.json.url).pathname });
    assert.match(page.body, /href="mailto:dana\.smith\+jobs@example\.co\.uk"/);
  } finally {
    await server.close();
  }
});
