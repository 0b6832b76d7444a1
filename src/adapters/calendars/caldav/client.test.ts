import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { CaldavCalendarRef } from '../../../ports/external-calendars.ts';
import { ExternalCalendarError } from '../errors.ts';
import type { FetchFn } from '../http.ts';
import { CaldavClient, eventUrl } from './client.ts';

const credentials = { serverUrl: 'https://dav.example.test/', username: 'alice', password: 's3cret-pw' };
const ref: CaldavCalendarRef = {
  kind: 'caldav',
  calendarUrl: 'https://dav.example.test/alice/work/',
  credentials,
};
const window = { start: Date.UTC(2026, 11, 1), end: Date.UTC(2026, 11, 8) };

type Reply = { status: number; body?: string; contentType?: string };

/** A fake fetch answering by method and path; records requests. */
function fakeFetch(routes: Record<string, Reply>, seen: string[] = []): FetchFn {
  return async (input, init) => {
    const url = new URL(String(input));
    const key = `${init?.method ?? 'GET'} ${url.pathname}`;
    seen.push(key);
    const reply = routes[key] ?? { status: 404 };
    return new Response(reply.body ?? null, {
      status: reply.status,
      headers: { 'Content-Type': reply.contentType ?? 'application/xml; charset=utf-8' },
    });
  };
}

function multistatus(...responses: string[]): string {
  return `<?xml version="1.0"?><d:multistatus xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav">${responses.join('')}</d:multistatus>`;
}

async function rejectsWith(promise: Promise<unknown>, code: string): Promise<ExternalCalendarError> {
  const error = await promise.then(
    () => assert.fail('expected a rejection'),
    (reason: unknown) => reason,
  );
  assert.ok(error instanceof ExternalCalendarError, String(error));
  assert.equal(error.code, code, error.message);
  assert.doesNotMatch(error.message, /s3cret-pw|alice:/);
  return error;
}

describe('CaldavClient with a scripted server', () => {
  test('discovery marks calendars without write privileges read-only and skips task lists', async () => {
    const routes: Record<string, Reply> = {
      'PROPFIND /.well-known/caldav': { status: 404 },
      'GET /.well-known/caldav': { status: 404 },
      'PROPFIND /': {
        status: 207,
        body: multistatus(
          '<d:response><d:href>/</d:href><d:propstat><d:prop><d:current-user-principal><d:href>/alice/</d:href></d:current-user-principal></d:prop><d:status>HTTP/1.1 200 OK</d:status></d:propstat></d:response>',
        ),
      },
      'PROPFIND /alice/': {
        status: 207,
        body: multistatus(
          '<d:response><d:href>/alice/</d:href><d:propstat><d:prop><c:calendar-home-set><d:href>/alice/cals/</d:href></c:calendar-home-set><d:resourcetype><d:collection/></d:resourcetype></d:prop><d:status>HTTP/1.1 200 OK</d:status></d:propstat></d:response>',
        ),
      },
      'PROPFIND /alice/cals/': {
        status: 207,
        body: multistatus(
          '<d:response><d:href>/alice/cals/</d:href><d:propstat><d:prop><d:resourcetype><d:collection/></d:resourcetype></d:prop><d:status>HTTP/1.1 200 OK</d:status></d:propstat></d:response>',
          `<d:response><d:href>/alice/cals/work/</d:href><d:propstat><d:prop><d:displayname>Work</d:displayname><d:resourcetype><d:collection/><c:calendar/></d:resourcetype>
            <d:current-user-privilege-set><d:privilege><d:read/></d:privilege><d:privilege><d:write/></d:privilege></d:current-user-privilege-set>
            <c:calendar-timezone>BEGIN:VCALENDAR&#13;\nBEGIN:VTIMEZONE&#13;\nTZID:Europe/Paris&#13;\nEND:VTIMEZONE&#13;\nEND:VCALENDAR</c:calendar-timezone>
            </d:prop><d:status>HTTP/1.1 200 OK</d:status></d:propstat></d:response>`,
          `<d:response><d:href>/alice/cals/holidays/</d:href><d:propstat><d:prop><d:displayname>2026</d:displayname><d:resourcetype><d:collection/><c:calendar/></d:resourcetype>
            <d:current-user-privilege-set><d:privilege><d:read/></d:privilege><d:privilege><d:read-current-user-privilege-set/></d:privilege></d:current-user-privilege-set>
            <c:supported-calendar-component-set><c:comp name="VEVENT"/></c:supported-calendar-component-set></d:prop><d:status>HTTP/1.1 200 OK</d:status></d:propstat></d:response>`,
          `<d:response><d:href>/alice/cals/tasks/</d:href><d:propstat><d:prop><d:displayname>Tasks</d:displayname><d:resourcetype><d:collection/><c:calendar/></d:resourcetype>
            <c:supported-calendar-component-set><c:comp name="VTODO"/></c:supported-calendar-component-set></d:prop><d:status>HTTP/1.1 200 OK</d:status></d:propstat></d:response>`,
        ),
      },
    };
    const client = new CaldavClient({ fetch: fakeFetch(routes), timeoutMs: 1000 });
    assert.deepEqual(await client.discoverCalendars(credentials), [
      {
        calendarUrl: 'https://dav.example.test/alice/cals/work/',
        displayName: 'Work',
        readOnly: false,
        tzid: 'Europe/Paris',
      },
      {
        calendarUrl: 'https://dav.example.test/alice/cals/holidays/',
        displayName: '2026',
        readOnly: true,
        tzid: null,
      },
    ]);
  });

  test('a read expands what the REPORT returns; an empty multistatus is an empty calendar', async () => {
    const calendarData = [
      'BEGIN:VCALENDAR',
      'BEGIN:VEVENT',
      'UID:a',
      'DTSTART:20261201T100000Z',
      'DTEND:20261201T110000Z',
      'RRULE:FREQ=DAILY;COUNT=2',
      'END:VEVENT',
      'END:VCALENDAR',
    ].join('\r\n');
    const seen: string[] = [];
    const client = new CaldavClient({
      fetch: fakeFetch(
        {
          'REPORT /alice/work/': {
            status: 207,
            body: multistatus(
              `<d:response><d:href>/alice/work/a.ics</d:href><d:propstat><d:prop><d:getetag>"1"</d:getetag><c:calendar-data><![CDATA[${calendarData}]]></c:calendar-data></d:prop><d:status>HTTP/1.1 200 OK</d:status></d:propstat></d:response>`,
            ),
          },
          'REPORT /alice/empty/': { status: 207, body: multistatus() },
        },
        seen,
      ),
      timeoutMs: 1000,
    });
    assert.deepEqual(await client.readBusy(ref, window, 'UTC'), [
      { start: Date.UTC(2026, 11, 1, 10), end: Date.UTC(2026, 11, 1, 11) },
      { start: Date.UTC(2026, 11, 2, 10), end: Date.UTC(2026, 11, 2, 11) },
    ]);
    assert.deepEqual(
      await client.readBusy({ ...ref, calendarUrl: 'https://dav.example.test/alice/empty/' }, window, 'UTC'),
      [],
    );
    assert.deepEqual(seen, ['REPORT /alice/work/', 'REPORT /alice/empty/']);
  });

  test('answers that are not a usable multistatus fail with a code, never as free', async () => {
    const cases: [Reply, string][] = [
      [{ status: 401 }, 'auth_failed'],
      [{ status: 403 }, 'forbidden'],
      [{ status: 404 }, 'not_found'],
      [{ status: 500 }, 'bad_response'],
      [{ status: 200, body: '<html>login</html>', contentType: 'text/html' }, 'bad_response'],
      [{ status: 207, body: '<d:multistatus xmlns:d="DAV:"><d:resp' }, 'bad_response'],
      [
        {
          status: 207,
          body: '<d:multistatus xmlns:d="DAV:"><d:response><d:href>/a.ics</d:href></d:response><d:resp',
        },
        'bad_response',
      ],
    ];
    for (const [reply, code] of cases) {
      const client = new CaldavClient({
        fetch: fakeFetch({ 'REPORT /alice/work/': reply }),
        timeoutMs: 1000,
      });
      await rejectsWith(client.readBusy(ref, window, 'UTC'), code);
    }
  });

  test('a fetch that ignores its abort signal still times out at timeoutMs, not later', async (t) => {
    // The clock is mocked: the deadline is checked by ticking it, not by timing the test.
    t.mock.timers.enable({ apis: ['setTimeout'] });
    const turn = () => new Promise<void>((resolve) => setImmediate(resolve));
    const never: FetchFn = () => new Promise<Response>(() => undefined);
    const client = new CaldavClient({ fetch: never, timeoutMs: 100 });
    const operations = [
      () => client.readBusy(ref, window, 'UTC'),
      () => client.putEvent(ref, 'u', 'BEGIN:VCALENDAR'),
    ];
    for (const operation of operations) {
      let settled = false;
      const result = operation().finally(() => {
        settled = true;
      });
      result.catch(() => undefined);
      await turn();
      t.mock.timers.tick(99);
      await turn();
      assert.equal(settled, false);
      t.mock.timers.tick(1);
      await turn();
      assert.equal(settled, true);
      await rejectsWith(result, 'timeout');
    }
  });

  test('network failures are unreachable; PUT and DELETE map statuses; DELETE of a missing event succeeds', async () => {
    const refused: FetchFn = async () => {
      throw new TypeError('fetch failed', { cause: { code: 'ECONNREFUSED' } });
    };
    const error = await rejectsWith(
      new CaldavClient({ fetch: refused, timeoutMs: 1000 }).readBusy(ref, window, 'UTC'),
      'unreachable',
    );
    assert.match(error.message, /connection refused/);

    const client = new CaldavClient({
      fetch: fakeFetch({
        'PUT /alice/work/ok%40x.ics': { status: 201 },
        'PUT /alice/work/ro%40x.ics': { status: 403 },
        'DELETE /alice/work/gone%40x.ics': { status: 404 },
        'DELETE /alice/work/boom%40x.ics': { status: 502 },
      }),
      timeoutMs: 1000,
    });
    await client.putEvent(ref, 'ok@x', 'BEGIN:VCALENDAR');
    await rejectsWith(client.putEvent(ref, 'ro@x', 'BEGIN:VCALENDAR'), 'forbidden');
    await client.deleteEvent(ref, 'gone@x');
    await rejectsWith(client.deleteEvent(ref, 'boom@x'), 'bad_response');
  });

  test('event URLs are stable per UID and safe for any UID', () => {
    assert.equal(eventUrl('https://h/c/', 'a/b c@d'), 'https://h/c/a%2Fb%20c%40d.ics');
    assert.equal(eventUrl('https://h/c', 'x'), 'https://h/c/x.ics');
  });
});
