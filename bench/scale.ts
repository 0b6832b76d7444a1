/**
 * Scale benchmark (issue 28; results in docs/benchmarks.md): how rtseq's hot paths behave as the
 * database grows. For each store and size it bulk-loads accounts, events and a booking history
 * (bench/scale-data.ts), starts a real `rtseq serve` process on that database and measures:
 *  - availability: 3 members over 7 days, and 10 members over 30 days (API, client secret);
 *  - listings: external calendars and callbacks;
 *  - bookings through the booking page (GET for the CSRF token, then every POST at once);
 *  - memory: the server's RSS after 4,000 page views;
 *  - loading through the API: events upserted with `/v1/batch` by 8 clients.
 *
 * Run: `node bench/scale.ts [--store sqlite|postgres|both] [--events 100000,1000000]
 *       [--accounts 10000 | --events-per-account 10] [--history 0,1000000] [--quick]`. PostgreSQL
 * from DATABASE_TEST_URL. `--events-per-account N` fixes the density instead of the number of
 * accounts (each size gets events / N accounts): the same work per answer in a larger database.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import autocannon, { type Options as CannonOptions } from 'autocannon';
import { createApplicationCalendar } from '../src/app/accounts/accounts.ts';
import { makeTestContext } from '../test/support/context.ts';
import { createTestDatabase } from '../test/support/postgres.ts';
import { type ServerProcess, startServerProcess } from '../test/support/process.ts';
import { seedScenario } from '../test/support/scenario.ts';
import { csrfOf, optionKeysOf } from '../test/web/fixtures.ts';
import type { Dialect } from './scale-data.ts';
import { availabilityBody, loadSealed, SCALE_KEY, SCALE_SERVER_ENV } from './scale-server.ts';

const { values } = parseArgs({
  options: {
    store: { type: 'string', default: 'both' },
    events: { type: 'string', default: '100000,1000000' },
    accounts: { type: 'string', default: '10000' },
    'events-per-account': { type: 'string' },
    history: { type: 'string', default: '0,1000000' },
    quick: { type: 'boolean', default: false },
  },
});
const quick = values.quick;
const DAY = 86_400_000;
const SECONDS = quick ? 3 : 8;
const BOOKINGS = quick ? 40 : 100;

type Row = Record<string, string | number>;

async function freshDatabase(
  dialect: Dialect,
): Promise<{ env: Record<string, string>; drop(): Promise<void> }> {
  if (dialect === 'postgres') {
    const database = await createTestDatabase();
    if (database === null) throw new Error('PostgreSQL is not reachable (DATABASE_TEST_URL)');
    return { env: { DATABASE_URL: database.url, DATABASE_POOL_MAX: '10' }, drop: () => database.drop() };
  }
  const dir = mkdtempSync(join(tmpdir(), 'rtseq-scale-'));
  return {
    env: { SQLITE_PATH: join(dir, 'scale.db') },
    drop: async () => rmSync(dir, { recursive: true, force: true }),
  };
}

function rssMb(server: ServerProcess): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${server.child.pid}/status`, 'utf8');
  const kb = (name: string) =>
    Number(/^(\w+):\s+(\d+)/m.exec(status.split('\n').find((l) => l.startsWith(name)) ?? '')?.[2] ?? 0);
  return { rss: Math.round(kb('VmRSS') / 1024), peak: Math.round(kb('VmHWM') / 1024) };
}

async function cannon(
  options: CannonOptions,
): Promise<{ p50: number; p99: number; mean: number; rps: number; errors: number }> {
  const result = await autocannon({ connections: 4, duration: SECONDS, ...options });
  const errors = result.errors + result.non2xx;
  if (errors > 0)
    console.error(
      `${options.url}: ${result.errors} errors (${result.timeouts} timeouts), ${result.non2xx} non-2xx`,
    );
  return {
    mean: result.latency.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    rps: Math.round(result.requests.average),
    errors,
  };
}

function linkBody(subs: readonly [string, string], eventId: string): string {
  const day = new Date(Math.floor(Date.now() / DAY) * DAY + DAY).toISOString().slice(0, 10);
  return JSON.stringify({
    oauth: { redirect_uri: 'https://app.example/done' },
    event: { event_id: eventId, summary: 'Scale benchmark' },
    availability: {
      sequence: subs.map((sub, i) => ({
        sequence_id: String(i),
        ordinal: i + 1,
        participants: [{ members: [{ sub }] }],
        required_duration: { minutes: 30 },
        event: { event_id: `${eventId}-${i}`, summary: `Step ${i}` },
      })),
      query_periods: [{ start: `${day}T09:00:00Z`, end: `${day}T12:00:00Z` }],
    },
    callback_url: 'http://127.0.0.1:9/callback',
  });
}

/** BOOKINGS links with their own two participants, booked through their pages all at once. */
async function bookThroughPages(server: ServerProcess, secret: string, people: readonly [string, string][]) {
  const headers = { authorization: `Bearer ${secret}`, 'content-type': 'application/json' };
  const visits: { url: string; cookie: string; form: string }[] = [];
  for (const [i, pair] of people.entries()) {
    const created = await fetch(`${server.url}/v1/real_time_sequencing`, {
      method: 'POST',
      headers,
      body: linkBody(pair, `scale-${i}`),
    });
    const path = new URL(((await created.json()) as { url: string }).url).pathname;
    const page = await fetch(`${server.url}${path}`);
    const html = await page.text();
    visits.push({
      url: `${server.url}${path}/choose`,
      cookie: page.headers.getSetCookie()[0]?.split(';')[0] ?? '',
      form: new URLSearchParams({ csrf: csrfOf(html), option: optionKeysOf(html)[0]!, tz: 'UTC' }).toString(),
    });
  }
  const started = performance.now();
  const statuses = await Promise.all(
    visits.map(async (visit) => {
      const response = await fetch(visit.url, {
        method: 'POST',
        redirect: 'manual',
        headers: { cookie: visit.cookie, 'content-type': 'application/x-www-form-urlencoded' },
        body: visit.form,
      });
      await response.arrayBuffer();
      return response.status;
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  const booked = statuses.filter((s) => s === 303).length;
  return {
    perSecond: Math.round(booked / seconds),
    booked,
    fiveHundreds: statuses.filter((s) => s >= 500).length,
  };
}

async function measure(
  dialect: Dialect,
  events: number,
  accounts: number,
  pastBookings: number,
): Promise<Row> {
  const database = await freshDatabase(dialect);
  const t = await makeTestContext({
    start: Date.now(),
    env: { SECRET_KEY: SCALE_KEY },
    database: database.env,
  });
  let server: ServerProcess | undefined;
  try {
    const scenario = await seedScenario(t.ctx);
    const people: [string, string][] = [];
    for (let i = 0; i < BOOKINGS; i++) {
      const a = await createApplicationCalendar(t.ctx, scenario.application, `r${i}`);
      const b = await createApplicationCalendar(t.ctx, scenario.application, `e${i}`);
      people.push([a.account.id, b.account.id]);
    }
    const loadSeconds = await loadSealed(t.ctx, database.env, scenario.application.id, {
      accounts,
      events,
      pastBookings,
    });
    server = await startServerProcess({ ...database.env, ...SCALE_SERVER_ENV });
    const auth = { authorization: `Bearer ${scenario.clientSecret}`, 'content-type': 'application/json' };
    const post = (body: string) => ({
      url: `${server!.url}/v1/availability`,
      method: 'POST' as const,
      headers: auth,
      body,
    });
    const small = await cannon(post(availabilityBody(3, 7)));
    const large = await cannon(post(availabilityBody(10, 30)));
    // The answer's own size: with the accounts fixed, more events per member split it into more periods.
    const largeAnswer = (await (
      await fetch(`${server.url}/v1/availability`, {
        method: 'POST',
        headers: auth,
        body: availabilityBody(10, 30),
      })
    ).json()) as { available_periods?: unknown[] };
    const externals = await cannon({ url: `${server.url}/v1/external_calendars`, headers: auth });
    const callbacks = await cannon({ url: `${server.url}/v1/callbacks?limit=100`, headers: auth });
    const bookings = await bookThroughPages(server, scenario.clientSecret, people);
    // Page views of one open link (4,000 of them), then the process's memory.
    const created = await fetch(`${server.url}/v1/real_time_sequencing`, {
      method: 'POST',
      headers: auth,
      body: linkBody([`bacc_1`, `bacc_2`], 'scale-page'),
    });
    const pageUrl = ((await created.json()) as { url: string }).url.replace(/^https?:\/\/[^/]+/, server.url);
    await autocannon({ url: pageUrl, connections: 8, amount: 4_000 });
    const memory = rssMb(server);
    // Loading through the API: 8 clients, 50 upserts a batch, into the recruiter's calendar.
    let eventNumber = 0;
    const batch = await autocannon({
      url: `${server.url}/v1/batch`,
      method: 'POST',
      connections: 8,
      duration: SECONDS,
      headers: {
        authorization: `Bearer ${scenario.recruiter.accessToken}`,
        'content-type': 'application/json',
      },
      requests: [
        {
          setupRequest: (request) => {
            eventNumber += 50;
            return { ...request, body: batchBody(scenario.recruiter.calendarId, eventNumber) };
          },
        },
      ],
    });
    return {
      store: dialect,
      events,
      accounts,
      'past bookings': pastBookings,
      'bulk load s': loadSeconds.toFixed(1),
      'avail 3×7d p50/p99 (mean) ms': `${small.p50} / ${small.p99} (${small.mean.toFixed(2)})`,
      'avail 10×30d p50/p99 (mean) ms': `${large.p50} / ${large.p99} (${large.mean.toFixed(2)})`,
      '10×30d periods': largeAnswer.available_periods?.length ?? 0,
      'external cals p50 ms': externals.p50,
      'callbacks p50 ms': callbacks.p50,
      'bookings/s': bookings.perSecond,
      'booked (5xx)': `${bookings.booked}/${BOOKINGS} (${bookings.fiveHundreds})`,
      'RSS after 4k views MB': `${memory.rss} (peak ${memory.peak})`,
      'API events/s': Math.round(batch.requests.average * 50),
      errors: small.errors + large.errors + externals.errors + callbacks.errors + batch.non2xx,
    };
  } finally {
    await server?.stop();
    await t.dispose();
    await database.drop();
  }
}

function batchBody(calendarId: string, first: number): string {
  const base = Math.ceil(Date.now() / DAY) * DAY + 60 * DAY;
  return JSON.stringify({
    batch: Array.from({ length: 50 }, (_, i) => ({
      method: 'POST',
      relative_url: `/v1/calendars/${calendarId}/events`,
      data: {
        event_id: `load-${first + i}`,
        summary: 'Loaded',
        start: new Date(base + (first + i) * 3_600_000).toISOString().slice(0, 19) + 'Z',
        end: new Date(base + (first + i) * 3_600_000 + 1_800_000).toISOString().slice(0, 19) + 'Z',
      },
    })),
  });
}

const stores: Dialect[] = values.store === 'both' ? ['sqlite', 'postgres'] : [values.store as Dialect];
const rows: Row[] = [];
for (const store of stores) {
  for (const events of values.events.split(',').map(Number)) {
    for (const history of values.history.split(',').map(Number)) {
      const perAccount = values['events-per-account'];
      const accounts =
        perAccount === undefined ? Number(values.accounts) : Math.round(events / Number(perAccount));
      const row = await measure(store, events, accounts, history);
      console.error(JSON.stringify(row));
      rows.push(row);
    }
  }
}
const columns = Object.keys(rows[0] ?? {});
console.log(`# Scale — ${new Date().toISOString().slice(0, 10)}, ${cpus().length} × ${cpus()[0]?.model.trim()}, Node ${process.version}

| ${columns.join(' | ')} |
|${columns.map(() => '---').join('|')}|
${rows.map((row) => `| ${columns.map((c) => row[c]).join(' | ')} |`).join('\n')}
`);
