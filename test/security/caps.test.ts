/**
 * Issue 12, item 9 (CalDAV side) and SPEC 8: a CalDAV answer over 10 MiB and an ICS feed over
 * 5 MiB fail while streaming (the member is unavailable, never free) instead of being read whole.
 */
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { ExternalCalendarError } from '../../src/adapters/calendars/errors.ts';
import { ExternalCalendars } from '../../src/adapters/calendars/reader.ts';
import { OutboundGuard } from '../../src/adapters/net/outbound.ts';

const MiB = 1024 * 1024;
const server = createServer((request, response) => {
  request.resume();
  const total = request.url?.startsWith('/feed') ? 6 * MiB : 11 * MiB;
  const type = request.url?.startsWith('/feed') ? 'text/calendar' : 'application/xml; charset=utf-8';
  response.writeHead(request.url?.startsWith('/feed') ? 200 : 207, { 'content-type': type });
  const chunk = Buffer.alloc(64 * 1024, 'x');
  let written = 0;
  const pump = () => {
    while (written < total) {
      written += chunk.length;
      if (!response.write(chunk)) return void response.once('drain', pump);
    }
    response.end();
  };
  response.on('close', () => {
    written = total;
  });
  pump();
});
let origin = '';

before(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(() => server.close());

const calendars = new ExternalCalendars({
  outbound: new OutboundGuard({ allowPrivate: true }),
  timeoutMs: 20_000,
});
const window = { start: Date.UTC(2026, 0, 5), end: Date.UTC(2026, 0, 6) };

function isTooLarge(limit: number) {
  return (error: unknown) => {
    assert.ok(error instanceof ExternalCalendarError, String(error));
    assert.equal(error.code, 'bad_response');
    assert.match(error.message, new RegExp(`larger than ${limit} bytes`));
    return true;
  };
}

test('a CalDAV multistatus over 10 MiB is refused while streaming', async () => {
  const ref = {
    kind: 'caldav' as const,
    calendarUrl: `${origin}/cal/`,
    credentials: { serverUrl: `${origin}/`, username: 'u', password: 'p' },
  };
  await assert.rejects(calendars.readBusy(ref, window, 'UTC'), isTooLarge(10 * MiB));
});

test('an ICS feed over 5 MiB is refused while streaming', async () => {
  await assert.rejects(
    calendars.readBusy({ kind: 'ics', feedUrl: `${origin}/feed.ics` }, window, 'UTC'),
    isTooLarge(5 * MiB),
  );
});
