/**
 * Booking page benchmark (docs/benchmarks.md): `GET /book/{token}` for an M-sized sequence
 * (4 steps, each with 2 groups of 5 members, required "all" and 2; 500 busy events per member;
 * a 14-day window; 15-minute start interval) under 50 concurrent clients (autocannon) against a
 * real server in a child process (`src/main.ts serve`, SQLite), sampling the child's resident
 * memory (VmRSS from /proc/<pid>/status) during each run.
 *
 * Three client mixes: first visits (no cookie: concurrent views share one computation), one
 * returning visitor (one cookie), and every request its own page session (a distinct cookie per
 * request, so nothing is shared: the worst case).
 *
 * Each mix runs twice: alone, and with 2 XL `POST /v1/sequenced_availability` requests (bench/xl.ts,
 * the heaviest the limits allow) kept in flight from another thread (issue 13).
 *
 * Run: `node bench/page.ts` (add `--quick` for 5-second runs). Prints Markdown.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { randomIds, secretBox } from '../src/adapters/crypto.ts';
import { SqliteStore } from '../src/adapters/storage/sqlite/sqlite-store.ts';
import { createApplicationCalendar } from '../src/app/accounts/accounts.ts';
import { createApplication } from '../src/app/accounts/applications.ts';
import type { AppContext } from '../src/app/context.ts';
import { createLink } from '../src/app/links/links.ts';
import { loadConfig } from '../src/config/config.ts';
import { Problems } from '../src/domain/errors.ts';
import { readLinkRequest } from '../src/http/wire/links.ts';
import { prng } from './prng.ts';
import { busyEvent, keepXlRunning, seedXlMembers, type XlResult, xlBody } from './xl.ts';

const quick = process.argv.includes('--quick');
const DURATION_S = quick ? 5 : 15;
const CONNECTIONS = 50;
const MINUTE = 60_000;
const DAY = 86_400_000;
const STEPS = 4;
const MEMBERS_PER_GROUP = 5;
const BUSY_PER_MEMBER = 500;
const WINDOW_DAYS = 14;

async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const address = probe.address();
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

/** Writes the application, 40 members with 500 busy events each, and the link; returns its path. */
async function seed(
  dbPath: string,
  publicUrl: string,
): Promise<{ path: string; events: number; secret: string; xl: string }> {
  const store = new SqliteStore(dbPath);
  await store.migrate();
  const now = Date.now();
  const ctx: AppContext = {
    config: loadConfig({ PUBLIC_URL: publicUrl, LOG_LEVEL: 'silent' }),
    store,
    clock: { now: () => now },
    ids: randomIds,
    secrets: secretBox(null),
    external: null,
  };
  const created = await createApplication(ctx, 'page bench');
  const application = (await store.read((repos) => repos.applications.byId(created.applicationId)))!;
  const start = Math.ceil((now + DAY) / DAY) * DAY;
  const end = start + WINDOW_DAYS * DAY;
  const random = prng(42);
  const steps: Record<string, unknown>[] = [];
  const targets: { sub: string; calendar_id: string }[] = [];
  let events = 0;
  const span = WINDOW_DAYS * DAY;
  // The engine benchmark's M shape (docs/benchmarks.md): busy events of 5 to 30 minutes on
  // 5-minute marks anywhere in the window; a team that must meet in full shares 80% of its
  // meetings, the pick-two group 50%.
  const randomBusy = () => {
    const startMs = start + Math.floor((random() * span) / (5 * MINUTE)) * 5 * MINUTE;
    return { startMs, endMs: startMs + (1 + Math.floor((random() * 30) / 5)) * 5 * MINUTE };
  };
  for (let s = 0; s < STEPS; s++) {
    const groups: { members: { sub: string }[]; required: string | number }[] = [];
    for (let g = 0; g < 2; g++) {
      const shared = Array.from({ length: BUSY_PER_MEMBER * (g === 0 ? 0.8 : 0.5) }, randomBusy);
      const members: { sub: string }[] = [];
      for (let m = 0; m < MEMBERS_PER_GROUP; m++) {
        const person = await createApplicationCalendar(ctx, application, `s${s}g${g}m${m}`);
        members.push({ sub: person.account.id });
        targets.push({ sub: person.account.id, calendar_id: person.calendar.id });
        const busy = [...shared, ...Array.from({ length: BUSY_PER_MEMBER - shared.length }, randomBusy)];
        await store.transaction(async (repos) => {
          for (const [i, b] of busy.entries()) {
            const uid = `uid-${s}-${g}-${m}-${i}`;
            await repos.events.upsert(
              busyEvent(person.calendar.id, `busy-${i}`, uid, b.startMs, b.endMs, now),
            );
            events += 1;
          }
        });
      }
      groups.push({ members, required: g === 0 ? 'all' : 2 });
    }
    const before = s % 2 === 0 ? 0 : 10;
    const after = s % 3 === 0 ? 15 : 0;
    steps.push({
      sequence_id: `step-${s + 1}`,
      ordinal: s + 1,
      participants: groups,
      required_duration: { minutes: [30, 15, 30, 15][s]! },
      buffer: {
        before: { minimum: { minutes: before }, maximum: { minutes: before + 120 } },
        after: { minimum: { minutes: after }, maximum: { minutes: after + 120 } },
      },
      event: { event_id: `bench-${s + 1}`, summary: `Step ${s + 1}` },
    });
  }
  const problems = new Problems();
  const { request, paths } = readLinkRequest(
    'sequencing',
    {
      oauth: { redirect_uri: 'https://example.com/done' },
      event: { event_id: 'bench', summary: 'Benchmark loop' },
      tzid: 'America/New_York',
      availability: { query_periods: [{ start: iso(start), end: iso(end) }], sequence: steps },
      target_calendars: targets,
    },
    problems,
    ctx.config.limits,
    now,
  );
  problems.throwIfAny();
  const { url } = await createLink(ctx, application, request, problems, paths);
  const xlSubs = await seedXlMembers(ctx, application, start, now);
  await store.close();
  return { path: new URL(url).pathname, events, secret: created.clientSecret, xl: xlBody(xlSubs, start) };
}

function rssKb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
}

type Run = {
  name: string;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  rps: number;
  non2xx: number;
  rssMb: number;
};

async function run(name: string, url: string, pid: number, headers: Record<string, string>, unique: boolean) {
  let peak = rssKb(pid);
  const sampler = setInterval(() => {
    peak = Math.max(peak, rssKb(pid));
  }, 100);
  const options = {
    url,
    connections: CONNECTIONS,
    duration: DURATION_S,
    headers,
    ...(unique ? { idReplacement: true } : {}),
  } as Parameters<typeof autocannon>[0];
  const result = await autocannon(options);
  clearInterval(sampler);
  peak = Math.max(peak, rssKb(pid));
  const entry: Run = {
    name,
    p50: result.latency.p50,
    p90: result.latency.p90,
    p99: result.latency.p99,
    max: result.latency.max,
    rps: result.requests.average,
    non2xx: result.non2xx,
    rssMb: Math.round(peak / 1024),
  };
  return entry;
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'rtseq-page-bench-'));
  const dbPath = join(dir, 'bench.db');
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const { path, events, secret, xl } = await seed(dbPath, base);

  const child = spawn(process.execPath, ['src/main.ts', 'serve'], {
    env: {
      ...process.env,
      PORT: String(port),
      HOST: '127.0.0.1',
      PUBLIC_URL: base,
      SQLITE_PATH: dbPath,
      LOG_LEVEL: 'silent',
      PAGE_RATE_LIMIT_PER_SECOND: '1000000',
      RATE_LIMIT_PER_SECOND: '1000000',
      RATE_LIMIT_PER_MINUTE: '60000000',
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  try {
    for (let i = 0; ; i++) {
      try {
        if ((await fetch(`${base}/v1/status`)).status > 0) break;
      } catch {
        if (i > 100) throw new Error('server did not start');
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
    const pid = child.pid!;
    const url = `${base}${path}`;
    const first = await fetch(url);
    const body = await first.text();
    const options = (body.match(/name="option"/g) ?? []).length;
    // One request alone, spaced past the shared-view lifetime: the full cost of computing a page.
    const single: number[] = [];
    for (let i = 0; i < (quick ? 4 : 10); i++) {
      await new Promise((resolve) => setTimeout(resolve, 1100));
      const t0 = performance.now();
      await (await fetch(url)).text();
      single.push(performance.now() - t0);
    }
    single.sort((a, b) => a - b);
    const idle = Math.round(rssKb(pid) / 1024);

    const mixes = async (): Promise<Run[]> => [
      await run('first visits (no cookie)', url, pid, {}, false),
      await run(
        'one returning visitor (one cookie)',
        url,
        pid,
        { cookie: 'rtseq_holder=returning-visitor-0000000001' },
        false,
      ),
      await run('every request its own session', url, pid, { cookie: 'rtseq_holder=[<id>]' }, true),
    ];
    const runs = await mixes();
    const xlTarget = {
      base,
      headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' },
      body: xl,
    };
    const background = keepXlRunning(xlTarget, 2);
    const withXl = await mixes();
    const xlResults: XlResult[] = await background.stop();
    const xlMs = xlResults.map((r) => r.ms).sort((a, b) => a - b);
    const table = (list: Run[]) =>
      list.map(
        (r) =>
          `| ${r.name} | ${r.p50} | ${r.p90} | ${r.p99} | ${r.max} | ${Math.round(r.rps)} | ${r.non2xx} | ${r.rssMb} |`,
      );

    const lines = [
      `# Booking page benchmark (${new Date().toISOString().slice(0, 10)})`,
      '',
      `Machine: ${cpus().length} cores (${cpus()[0]?.model ?? 'unknown'}), Node ${process.version}, SQLite (WAL).`,
      `Sequence: ${STEPS} steps × 2 groups × ${MEMBERS_PER_GROUP} members (required "all" and 2), ${BUSY_PER_MEMBER} busy events per member (${events} in all), ${WINDOW_DAYS}-day window, 15-minute interval; the page offers ${options} start times (${body.length} bytes of HTML).`,
      `Load: autocannon, ${CONNECTIONS} connections, ${DURATION_S} s per mix. Server in a child process; RSS = peak VmRSS sampled every 100 ms (idle before the runs: ${idle} MB).`,
      '',
      `One request alone, nothing shared (${single.length} requests 1.1 s apart): p50 ${single[Math.floor(single.length / 2)]!.toFixed(1)} ms, max ${single.at(-1)!.toFixed(1)} ms.`,
      '',
      '| client mix | p50 ms | p90 ms | p99 ms | max ms | req/s | non-2xx | peak RSS MB |',
      '|---|---|---|---|---|---|---|---|',
      ...table(runs),
      '',
      `With 2 XL API requests kept in flight throughout (${xlResults.length} XL answered, statuses ${[...new Set(xlResults.map((r) => r.status))].join('/')}, median ${xlMs[Math.floor(xlMs.length / 2)]?.toFixed(0)} ms each):`,
      '',
      '| client mix | p50 ms | p90 ms | p99 ms | max ms | req/s | non-2xx | peak RSS MB |',
      '|---|---|---|---|---|---|---|---|',
      ...table(withXl),
      '',
      'Targets: p99 ≤ 50 ms, RSS ≤ 256 MB.',
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
  } finally {
    child.kill('SIGTERM');
    await new Promise((resolve) => child.once('exit', resolve));
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
