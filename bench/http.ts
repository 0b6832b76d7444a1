/**
 * HTTP benchmarks on a real server and a real SQLite file (docs/benchmarks.md):
 *  1. the M sequence scenario through `POST /v1/sequenced_availability`, busy events read from the
 *     database (target p50 ≤ 10 ms), at 1×, 4× and 16× the busy events and window;
 *  2. link creation throughput (`POST /v1/real_time_sequencing`, autocannon, 10 connections);
 *  3. booking throughput through the use case (one link per booking, no contention).
 * Run: `node bench/http.ts` (add `--quick` for fewer iterations). Prints Markdown.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { randomIds, secretBox } from '../src/adapters/crypto.ts';
import { SqliteStore } from '../src/adapters/storage/sqlite/sqlite-store.ts';
import { createApplicationCalendar } from '../src/app/accounts/accounts.ts';
import { createApplication } from '../src/app/accounts/applications.ts';
import { BusyCache } from '../src/app/availability/busy-cache.ts';
import { bookOption, viewLink } from '../src/app/booking/booking.ts';
import type { AppContext } from '../src/app/context.ts';
import { loadLinkForPage } from '../src/app/links/links.ts';
import { loadConfig } from '../src/config/config.ts';
import type { ApplicationRecord } from '../src/ports/store.ts';
import { buildServer } from '../src/server.ts';
import { prng } from './prng.ts';

const quick = process.argv.includes('--quick');
const MINUTE = 60_000;
const DAY = 86_400_000;
const START = Date.UTC(2026, 11, 7);

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]!;

async function setup(env: Record<string, string> = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'rtseq-bench-'));
  const store = new SqliteStore(join(dir, 'bench.db'));
  await store.migrate();
  const config = loadConfig({
    LOG_LEVEL: 'silent',
    RATE_LIMIT_PER_SECOND: '1000000',
    RATE_LIMIT_PER_MINUTE: '60000000',
    // The 16× run spans 224 days, past the default 90-day limit of one request.
    LIMIT_QUERY_SPAN_DAYS: '400',
    ALLOW_PRIVATE_CALLBACKS: 'true',
    ...env,
  });
  const clock = { now: () => START - DAY };
  const ctx: AppContext = {
    config,
    store,
    clock,
    ids: randomIds,
    secrets: secretBox(null),
    external: null,
    busyCache: new BusyCache(),
  };
  const created = await createApplication(ctx, 'bench');
  const application = (await store.read((r) =>
    r.applications.byId(created.applicationId),
  )) as ApplicationRecord;
  const app = buildServer({ ctx, logger: false, version: 'bench' });
  const url = await app.listen({ port: 0, host: '127.0.0.1' });
  return {
    ctx,
    application,
    secret: created.clientSecret,
    url,
    async close() {
      await app.close();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

type Env = Awaited<ReturnType<typeof setup>>;

/**
 * Members with `busyPerMember` 5–30 minute events on a 5-minute grid over `days` days, written
 * through the repos. Members come in teams of five; 80 % of each member's events are the team's
 * shared meetings, as in real calendars (and in bench/engine.ts), so "all of them" groups still meet.
 */
async function seedMembers(env: Env, count: number, busyPerMember: number, days: number, seed: number) {
  const random = prng(seed);
  const subs: string[] = [];
  const slot = () => START + Math.floor(random() * ((days * DAY) / (5 * MINUTE))) * 5 * MINUTE;
  const length = () => (1 + Math.floor(random() * 6)) * 5 * MINUTE;
  let team: { start: number; end: number }[] = [];
  for (let m = 0; m < count; m++) {
    if (m % 5 === 0) {
      team = Array.from({ length: Math.floor(busyPerMember * 0.8) }, () => {
        const start = slot();
        return { start, end: start + length() };
      });
    }
    const account = await createApplicationCalendar(env.ctx, env.application, `member-${seed}-${m}`);
    subs.push(account.account.id);
    await env.ctx.store.transaction(async (repos) => {
      for (let e = 0; e < busyPerMember; e++) {
        const shared = team[e];
        const start = shared?.start ?? slot();
        const end = shared?.end ?? start + length();
        await repos.events.upsert({
          calendarId: account.calendar.id,
          eventId: `e${e}`,
          eventUid: `u${m}-${e}`,
          summary: 'Busy',
          startMs: start,
          endMs: end,
          allDay: false,
          transparency: 'opaque',
          status: 'confirmed',
          deleted: false,
          data: {},
          createdAt: START,
          updatedAt: START,
        });
      }
    });
  }
  return subs;
}

const iso = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');

/** M: 4 steps, each with 2 groups of 5 members (required all and 2), 15-minute interval. */
function mSequenceBody(subs: string[], days: number) {
  return {
    sequence: Array.from({ length: 4 }, (_, step) => ({
      sequence_id: `step-${step}`,
      ordinal: step + 1,
      participants: [
        { members: subs.slice(step * 10, step * 10 + 5).map((sub) => ({ sub })), required: 'all' },
        { members: subs.slice(step * 10 + 5, step * 10 + 10).map((sub) => ({ sub })), required: 2 },
      ],
      required_duration: { minutes: step % 2 === 0 ? 30 : 15 },
      start_interval: { minutes: 15 },
      buffer: { before: { minimum: { minutes: 0 }, maximum: { minutes: 120 } } },
    })),
    query_periods: Array.from({ length: days }, (_, d) => ({
      start: iso(START + d * DAY + 8 * 3_600_000),
      end: iso(START + d * DAY + 18 * 3_600_000),
    })),
  };
}

async function sequencedAvailability(scale: number) {
  const env = await setup();
  try {
    const days = 14 * scale;
    const subs = await seedMembers(env, 40, 500 * scale, days, scale);
    const body = JSON.stringify(mSequenceBody(subs, days));
    const send = async () => {
      const started = performance.now();
      const response = await fetch(`${env.url}/v1/sequenced_availability`, {
        method: 'POST',
        headers: { authorization: `Bearer ${env.secret}`, 'content-type': 'application/json' },
        body,
      });
      const json = (await response.json()) as { sequences?: unknown[] };
      if (response.status !== 200) throw new Error(`status ${response.status}: ${JSON.stringify(json)}`);
      return { ms: performance.now() - started, options: json.sequences?.length ?? 0 };
    };
    for (let i = 0; i < 5; i++) await send();
    const times: number[] = [];
    let options = 0;
    const runs = quick ? 20 : scale === 1 ? 200 : 40;
    for (let i = 0; i < runs; i++) {
      const result = await send();
      times.push(result.ms);
      options = result.options;
    }
    times.sort((a, b) => a - b);
    return {
      scale,
      events: 40 * 500 * scale,
      days,
      p50: percentile(times, 0.5),
      p99: percentile(times, 0.99),
      options,
    };
  } finally {
    await env.close();
  }
}

async function linkCreation() {
  const env = await setup();
  try {
    const subs = await seedMembers(env, 2, 10, 14, 99);
    const body = JSON.stringify({
      oauth: { redirect_uri: 'https://app.example/done' },
      event: { event_id: 'bench', summary: 'Bench interview' },
      availability: {
        sequence: subs.map((sub, i) => ({
          sequence_id: String(i),
          ordinal: i + 1,
          participants: [{ members: [{ sub }] }],
          required_duration: { minutes: 60 },
          event: { event_id: `bench-${i}`, summary: `Step ${i}` },
        })),
        query_periods: [{ start: iso(START + 9 * 3_600_000), end: iso(START + 17 * 3_600_000) }],
      },
      target_calendars: [],
      callback_url: 'https://app.example/callback',
    });
    const result = await autocannon({
      url: `${env.url}/v1/real_time_sequencing`,
      method: 'POST',
      connections: 10,
      duration: quick ? 3 : 10,
      headers: { authorization: `Bearer ${env.secret}`, 'content-type': 'application/json' },
      body,
    });
    return {
      rps: result.requests.average,
      p50: result.latency.p50,
      p99: result.latency.p99,
      non2xx: result.non2xx,
    };
  } finally {
    await env.close();
  }
}

async function bookingThroughput() {
  const env = await setup();
  try {
    const count = quick ? 50 : 200;
    const tokens: string[] = [];
    const subs = await seedMembers(env, count * 2, 0, 1, 7);
    for (let i = 0; i < count; i++) {
      const response = await fetch(`${env.url}/v1/real_time_sequencing`, {
        method: 'POST',
        headers: { authorization: `Bearer ${env.secret}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          oauth: { redirect_uri: 'https://app.example/done' },
          event: { event_id: `b${i}`, summary: 'Booking bench' },
          availability: {
            sequence: [0, 1].map((s) => ({
              sequence_id: String(s),
              participants: [{ members: [{ sub: subs[i * 2 + s] }] }],
              required_duration: { minutes: 30 },
            })),
            query_periods: [{ start: iso(START + 9 * 3_600_000), end: iso(START + 12 * 3_600_000) }],
          },
          callback_url: 'https://app.example/callback',
        }),
      });
      tokens.push(((await response.json()) as { url: string }).url.split('/').pop()!);
    }
    const chosen = await Promise.all(
      tokens.map(async (token) => {
        const page = await viewLink(env.ctx, token);
        if (page?.kind !== 'open') throw new Error('link not open');
        return page.options[0]!.steps.map((s) => ({ index: s.index, start: s.start }));
      }),
    );
    const started = performance.now();
    const outcomes = await Promise.all(
      tokens.map(async (token, i) =>
        bookOption(env.ctx, (await loadLinkForPage(env.ctx, token))!, chosen[i]!, null),
      ),
    );
    const seconds = (performance.now() - started) / 1000;
    const booked = outcomes.filter((o) => o?.kind === 'booked').length;
    return { bookings: booked, perSecond: booked / seconds };
  } finally {
    await env.close();
  }
}

const rows: string[] = [];
for (const scale of [1, 4, 16]) {
  if (quick && scale === 16) continue;
  const r = await sequencedAvailability(scale);
  rows.push(
    `| ${r.scale}× | ${r.events} | ${r.days} | ${r.p50.toFixed(2)} | ${r.p99.toFixed(2)} | ${r.options} |`,
  );
}
const links = await linkCreation();
const booking = await bookingThroughput();
console.log(`# HTTP benchmarks (SQLite) — ${new Date().toISOString().slice(0, 10)}, ${cpus().length} × ${cpus()[0]?.model.trim()}, Node ${process.version}

## M sequence through POST /v1/sequenced_availability (busy events read from SQLite)

| scale | busy events | days | p50 ms | p99 ms | options |
|---|---|---|---|---|---|
${rows.join('\n')}

## Link creation (POST /v1/real_time_sequencing, autocannon, 10 connections)

${links.rps.toFixed(0)} links/s, latency p50 ${links.p50} ms, p99 ${links.p99} ms, non-2xx ${links.non2xx}

## Booking (use case, ${booking.bookings} independent links booked concurrently)

${booking.perSecond.toFixed(0)} bookings/s
`);
