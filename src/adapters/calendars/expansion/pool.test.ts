import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { ExternalCalendarError } from '../errors.ts';
import { expandFetched } from './expansion.ts';
import { ExpansionPool } from './pool.ts';

const window = { start: Date.UTC(2026, 0, 5), end: Date.UTC(2026, 2, 5) };

function feed(events: readonly string[][]): string {
  const lines = ['BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//rtseq tests//EN'];
  for (const event of events) lines.push('BEGIN:VEVENT', 'DTSTAMP:20260101T000000Z', ...event, 'END:VEVENT');
  return [...lines, 'END:VCALENDAR', ''].join('\r\n');
}

const stamp = (ms: number) => `${new Date(ms).toISOString().replace(/[-:]/g, '').slice(0, 15)}Z`;

/** 15,000 separate five-minute events: legal (under 20,000) and hundreds of ms of parsing. */
function heavyFeed(): string {
  return feed(
    Array.from({ length: 15_000 }, (_, i) => {
      const start = window.start + i * 7 * 60_000;
      return [`UID:e${i}`, `DTSTART:${stamp(start)}`, `DTEND:${stamp(start + 300_000)}`, 'SUMMARY:Busy'];
    }),
  );
}

const pools: ExpansionPool[] = [];
function pool(options: { budgetMs: number; workers?: number }): ExpansionPool {
  const made = new ExpansionPool({ workers: 1, pageWorkers: 0, ...options });
  pools.push(made);
  return made;
}
after(() => Promise.all(pools.map((p) => p.close())));

async function rejection(promise: Promise<unknown>): Promise<ExternalCalendarError> {
  const error = await promise.then(
    () => assert.fail('expected a rejection'),
    (reason: unknown) => reason,
  );
  assert.ok(error instanceof ExternalCalendarError, String(error));
  return error;
}

test('a feed expands in a worker exactly as inline, notes included, and the worker is reused', async () => {
  const text = feed([
    ['UID:weekly', 'DTSTART:20260105T090000Z', 'DTEND:20260105T100000Z', 'RRULE:FREQ=WEEKLY;COUNT=5'],
    ['UID:minutely', 'DTSTART:20260106T120000Z', 'DTEND:20260106T121000Z', 'RRULE:FREQ=MINUTELY'],
  ]);
  const request = { data: { kind: 'ics' as const, text }, window, calendarZone: 'Europe/London' };
  const workers = pool({ budgetMs: 60_000 });
  const inWorker = await workers.expand(request);
  assert.deepEqual(inWorker, await expandFetched(request));
  assert.equal(inWorker.busy.length, 6);
  assert.deepEqual(inWorker.ignored, ['event minutely: FREQ=MINUTELY rule ignored']);
  await workers.expand(request);
  await workers.expand(request);
  assert.equal(workers.started, 1, 'one worker served every read');
});

test('a CalDAV multistatus is parsed in the worker; a truncated one fails as a bad response', async () => {
  const object = feed([['UID:one', 'DTSTART:20260107T100000Z', 'DTEND:20260107T110000Z']]);
  const body = `<?xml version="1.0"?><d:multistatus xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav"><d:response><d:href>/cal/one.ics</d:href><d:propstat><d:prop><d:getetag>"1"</d:getetag><c:calendar-data>${object}</c:calendar-data></d:prop><d:status>HTTP/1.1 200 OK</d:status></d:propstat></d:response></d:multistatus>`;
  const caldav = (text: string) => ({
    data: {
      kind: 'caldav' as const,
      calendarUrl: 'https://dav.example.test/cal/',
      report: { status: 207, contentType: 'application/xml; charset=utf-8', body: text },
    },
    window,
    calendarZone: 'UTC',
  });
  const workers = pool({ budgetMs: 60_000 });
  assert.deepEqual((await workers.expand(caldav(body))).busy, [
    { start: Date.UTC(2026, 0, 7, 10), end: Date.UTC(2026, 0, 7, 11) },
  ]);
  const truncated = await rejection(workers.expand(caldav(body.slice(0, body.length - 40))));
  assert.equal(truncated.code, 'bad_response');
});

test('what expansion refuses crosses back with its code', async () => {
  const workers = pool({ budgetMs: 60_000 });
  const request = (text: string) => ({ data: { kind: 'ics' as const, text }, window, calendarZone: 'UTC' });
  assert.equal((await rejection(workers.expand(request('not a calendar')))).code, 'parse_failed');
  const hourly = feed(
    Array.from({ length: 20 }, (_, i) => [
      `UID:h${i}`,
      'DTSTART:20260101T000000Z',
      'DTEND:20260101T000500Z',
      'RRULE:FREQ=HOURLY',
    ]),
  );
  assert.equal((await rejection(workers.expand(request(hourly)))).code, 'too_many_busy');
  assert.equal(workers.replaced, 0);
});

test('a read over the budget is stopped, its worker replaced, and the next read is served', async () => {
  const workers = pool({ budgetMs: 60_000 });
  const small = { data: { kind: 'ics' as const, text: feed([]) }, window, calendarZone: 'UTC' };
  await workers.expand(small); // the worker is ready: the budget below measures only the work
  workers.budgetMs = 1;
  const error = await rejection(
    workers.expand({ data: { kind: 'ics', text: heavyFeed() }, window, calendarZone: 'UTC' }),
  );
  assert.equal(error.code, 'over_budget');
  assert.match(error.message, /budget of 1 ms/);
  assert.equal(workers.replaced, 1);
  workers.budgetMs = 60_000;
  assert.deepEqual(await workers.expand(small), { busy: [], ignored: [] });
});
