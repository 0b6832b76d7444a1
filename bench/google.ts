/**
 * Google Calendar benchmark (issue 23, docs/benchmarks.md), in process against the in-repo fake of
 * Google (test/support/fake-google.ts) on loopback, SQLite (or RTSEQ_TEST_STORE=postgres):
 *  1. the initial sync of one calendar with 5,000 events in the window: wall time and the requests
 *     the fake received, by endpoint (events are listed 250 to a page, as Google's maximum);
 *  2. 10 Google-connected members, synced: a booking page view (`GET` of the page, one step with
 *     the 10 members, required 1; the clock moved past the page's one-second sharing before each)
 *     and `POST /v1/availability` over the same members, each timed
 *     sequentially N times (p50/p95), and the requests the fake received meanwhile (target: 0).
 * Members are connected through the authorization page and the fake's consent, as people do.
 *
 * Run: `node bench/google.ts` (`--quick`: 1,000 events and 50 requests). Prints Markdown.
 */
import { cpus } from 'node:os';
import { syncDueCalendars } from '../src/app/sync/sync.ts';
import { startFakeGoogle } from '../test/support/fake-google.ts';
import { googleProviderOn } from '../test/support/provider-clients.ts';
import { connectPerson, consentAtOnce, startProviderServer } from '../test/support/provider-kit.ts';
import { createTestLink } from '../test/support/scenario.ts';

const quick = process.argv.includes('--quick');
const EVENTS = quick ? 1_000 : 5_000;
const MEMBERS = 10;
const EVENTS_PER_MEMBER = 200;
const REQUESTS = quick ? 50 : 200;
const DAY = 86_400_000;
const HOUR = 3_600_000;
const REDIRECT = 'https://app.example/connected';
const iso = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');

const google = await startFakeGoogle();
const server = await startProviderServer({
  start: Date.now(),
  env: { PAGE_RATE_LIMIT_PER_SECOND: '100000', RATE_LIMIT_PER_SECOND: '100000' },
  providers: (t) => {
    t.clock.set(Date.now());
    return { google: googleProviderOn(google) };
  },
  redirectUris: [REDIRECT],
  version: 'bench',
});
const { t, ctx, app, s } = server;
const today = Math.floor(Date.now() / DAY) * DAY;

/** `count` one-hour events over the next 180 days, at working hours. */
function addEvents(user: string, count: number, seed: number): void {
  for (let i = 0; i < count; i++) {
    const day = today + DAY * (1 + ((i * 7 + seed) % 180));
    const start = day + HOUR * (8 + ((i * 5 + seed) % 9));
    google.addEvent(user, {
      summary: `Busy ${i}`,
      start: { dateTime: iso(start) },
      end: { dateTime: iso(start + HOUR) },
    });
  }
}

/** Connects `user` through the authorization page and the consent; answers the account's sub and primary calendar. */
async function connect(user: string): Promise<{ sub: string; calendarId: string }> {
  google.setConsent({ mode: 'allow', user });
  const { account } = await connectPerson({
    ...server,
    redirectUri: REDIRECT,
    providerName: 'google',
    consent: consentAtOnce,
  });
  return { sub: account.sub, calendarId: account.calendarId };
}

async function syncAll(): Promise<number> {
  let synced = 0;
  for (;;) {
    const round = await syncDueCalendars(ctx, 16);
    synced += round;
    if (round === 0) return synced;
  }
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

async function timed(
  run: () => Promise<number>,
): Promise<{ p50: number; p95: number; statuses: Set<number> }> {
  const times: number[] = [];
  const statuses = new Set<number>();
  for (let i = 0; i < REQUESTS; i++) {
    const started = performance.now();
    statuses.add(await run());
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  return { p50: percentile(times, 50), p95: percentile(times, 95), statuses };
}

// 1. Initial sync of one calendar with EVENTS events in the window.
google.addUser('big@example.com');
addEvents('big@example.com', EVENTS, 0);
const big = await connect('big@example.com');
google.resetCounts();
const syncStarted = performance.now();
const syncedBig = await syncAll();
const syncMs = performance.now() - syncStarted;
const syncRequests = google.requestCounts();
const copied = await ctx.store.read((r) =>
  r.sync.busyIn([big.calendarId], { start: today - DAY, end: today + 200 * DAY }),
);

// 2. Ten members, synced; page views and availability read the copy.
const members: { sub: string; calendarId: string }[] = [];
for (let m = 0; m < MEMBERS; m++) {
  const user = `member${m}@example.com`;
  google.addUser(user);
  addEvents(user, EVENTS_PER_MEMBER, m * 3);
  members.push(await connect(user));
}
await syncAll();
const window = { start: iso(today + DAY), end: iso(today + 8 * DAY) };
const link = await createTestLink(ctx, s, {
  oauth: { redirect_uri: 'https://app.example/done' },
  event: { event_id: 'bench-1', summary: 'Interview' },
  availability: {
    sequence: [
      {
        sequence_id: 'talk',
        participants: [{ members: members.map((m) => ({ sub: m.sub })), required: 1 }],
        required_duration: { minutes: 60 },
      },
    ],
    query_periods: [window],
  },
  tzid: 'Europe/London',
});
const pagePath = new URL(link.url).pathname;
google.resetCounts();
// Views of one link share one computation for up to a second (src/web/shared-views.ts): the clock
// moves 1.1 s before each view, so every view computes its page.
const page = await timed(async () => {
  t.clock.advance(1100);
  return (await app.inject({ method: 'GET', url: pagePath })).statusCode;
});
const availability = await timed(
  async () =>
    (
      await app.inject({
        method: 'POST',
        url: '/v1/availability',
        headers: { authorization: `Bearer ${s.clientSecret}` },
        payload: {
          participants: [{ members: members.map((m) => ({ sub: m.sub })), required: 'all' }],
          required_duration: { minutes: 60 },
          query_periods: [window],
        },
      })
    ).statusCode,
);
const providerCalls = google.requests();

const cpu = cpus()[0]?.model ?? 'unknown';
const ms = (n: number) => n.toFixed(1);
console.log(
  `Google bench, ${new Date().toISOString()}, ${cpus().length} × ${cpu}, Node ${process.version}, store ${process.env.RTSEQ_TEST_STORE ?? 'sqlite'}\n`,
);
console.log('| measurement | result |');
console.log('|---|---|');
console.log(
  `| initial sync, ${EVENTS} events (${syncedBig} calendar, ${copied.length} rows in the copy) | ${(syncMs / 1000).toFixed(2)} s |`,
);
console.log(
  `| its requests to Google | ${Object.entries(syncRequests)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ')} |`,
);
console.log(
  `| page view, ${MEMBERS} members, ${REQUESTS} sequential | p50 ${ms(page.p50)} ms, p95 ${ms(page.p95)} ms (status ${[...page.statuses].join('/')}) |`,
);
console.log(
  `| POST /v1/availability, ${MEMBERS} members, 7 days, ${REQUESTS} sequential | p50 ${ms(availability.p50)} ms, p95 ${ms(availability.p95)} ms (status ${[...availability.statuses].join('/')}) |`,
);
console.log(`| requests to Google during the ${REQUESTS * 2} reads | ${providerCalls} |`);

await server.close();
await google.stop();
