/**
 * Microsoft 365 (issue 24) against the in-repo fake of the identity platform and Graph
 * (test/support/fake-microsoft.ts), in process, on SQLite: the initial sync of one calendar of
 * 5,000 events (time, Graph requests), then availability over 10 connected members read from the
 * synced copy (p50/p95 of 200 requests; it must make no Graph call). Prints Markdown.
 * Run: node bench/microsoft.ts
 */
import { performance } from 'node:perf_hooks';
import { syncDueCalendars } from '../src/app/sync/sync.ts';
import { type FakeMicrosoft, startFakeMicrosoft } from '../test/support/fake-microsoft.ts';
import { microsoftProviderOn } from '../test/support/provider-clients.ts';
import { connectPerson, consentAtOnce, startProviderServer } from '../test/support/provider-kit.ts';

const START = Date.UTC(2026, 0, 5, 0, 0, 0); // Monday
const DAY = 86_400_000;
const BIG_CALENDAR_EVENTS = 5000;
const MEMBERS = 10;
const EVENTS_PER_OTHER_MEMBER = 500;
const REQUESTS = 200;
const REDIRECT = 'https://app.example/connected';

let ms!: FakeMicrosoft; // started with the test clock, below
const server = await startProviderServer({
  start: START,
  env: {
    PAGE_RATE_LIMIT_PER_SECOND: '1000',
    RATE_LIMIT_PER_SECOND: '100000',
    RATE_LIMIT_PER_MINUTE: '1000000',
  },
  providers: async (t) => {
    const now = () => t.clock.now();
    ms = await startFakeMicrosoft({ now });
    return { office365: microsoftProviderOn(ms, { now }) };
  },
  redirectUris: [REDIRECT],
});
const { ctx, app, s } = server;

/** `count` 30-minute events over the next 150 days, working hours, in the mailbox's calendar. */
function fill(calendarId: string, count: number, seed: number) {
  for (let i = 0; i < count; i++) {
    const day = (i * 7 + seed) % 150;
    const slot = (i * 13 + seed) % 16; // 09:00-17:00 in half hours
    const start = START + day * DAY + 9 * 3_600_000 + slot * 1_800_000;
    ms.addEvent(calendarId, { subject: `E${i}`, start, end: start + 1_800_000 });
  }
}

/** The authorization flow with the fake consenting at once for `userId`; the member's sub. */
async function connect(userId: string): Promise<string> {
  ms.setAutoConsent(userId);
  const { account } = await connectPerson({
    ...server,
    redirectUri: REDIRECT,
    providerName: 'office365',
    state: 'bench',
    consent: consentAtOnce,
  });
  return account.sub;
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

const subs: string[] = [];
const big = ms.addUser({ timeZone: 'Europe/London' });
fill(ms.primaryCalendarOf(big.id).id, BIG_CALENDAR_EVENTS, 1);
subs.push(await connect(big.id));
ms.resetRequestCounts();
const syncStarted = performance.now();
const synced = await syncDueCalendars(ctx, 16);
const syncMs = performance.now() - syncStarted;
const syncCounts = ms.requestCounts();
const syncRequests = Object.values(syncCounts).reduce((a, b) => a + b, 0);

for (let m = 1; m < MEMBERS; m++) {
  const user = ms.addUser({ timeZone: 'Europe/London' });
  fill(ms.primaryCalendarOf(user.id).id, EVENTS_PER_OTHER_MEMBER, m * 3);
  subs.push(await connect(user.id));
}
await syncDueCalendars(ctx, 16);

ms.resetRequestCounts();
const times: number[] = [];
for (let i = 0; i < REQUESTS; i++) {
  const day = START + (1 + (i % 20)) * DAY;
  const began = performance.now();
  const answer = await app.inject({
    method: 'POST',
    url: '/v1/availability',
    headers: { authorization: `Bearer ${s.clientSecret}` },
    payload: {
      participants: [{ members: subs.map((sub) => ({ sub })), required: 'all' }],
      required_duration: { minutes: 30 },
      available_periods: [{ start: new Date(day).toISOString(), end: new Date(day + 7 * DAY).toISOString() }],
    },
  });
  times.push(performance.now() - began);
  if (answer.statusCode !== 200) throw new Error(`availability: ${answer.statusCode} ${answer.body}`);
}
const availabilityGraphCalls = Object.values(ms.requestCounts()).reduce((a, b) => a + b, 0);
times.sort((a, b) => a - b);

const lines = [
  `Microsoft 365 against the fake, SQLite, ${new Date().toISOString().slice(0, 16)} UTC, Node ${process.version}`,
  '',
  '| what | result |',
  '|---|---|',
  `| initial sync, 1 calendar of ${BIG_CALENDAR_EVENTS} events | ${syncMs.toFixed(0)} ms, ${synced} calendar, ${syncRequests} Graph requests (${Object.entries(
    syncCounts,
  )
    .map(([k, v]) => `${k} ${v}`)
    .join(', ')}) |`,
  `| availability, ${MEMBERS} members (${BIG_CALENDAR_EVENTS} + ${MEMBERS - 1} × ${EVENTS_PER_OTHER_MEMBER} events), 7-day window, ${REQUESTS} requests | p50 ${percentile(times, 50).toFixed(1)} ms, p95 ${percentile(times, 95).toFixed(1)} ms, ${availabilityGraphCalls} Graph calls |`,
];
process.stdout.write(`${lines.join('\n')}\n`);

await server.close();
await ms.close();
if (availabilityGraphCalls !== 0) process.exit(1);
