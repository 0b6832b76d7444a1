/**
 * Compute flood (issue 21, item 2), against a real server in a child process (`src/main.ts serve`,
 * SQLite, the default worker pool and admission limits): 20 applications each send 2 of the
 * heaviest sequence requests the limits allow at once (40 in all: 20 steps of 10 groups of 50
 * members drawn from the application's own 200 members, `start_interval` 1, 89 whole-day
 * periods), while another tenant's booking page (2 steps, 2 members, 14 days) is fetched back to
 * back, each view its own page session (nothing shared). Reports every XL answer's status and the
 * slowest, the page's p50/p99/max and statuses, and the server's peak RSS.
 *
 * Members have 20 busy events each (the engine's work is members × start times; the busy events
 * of bench/xl.ts would make seeding 20 applications take minutes). The XL requests are sent from
 * a worker thread, so the page timings measure the server, not this process parsing answers.
 * Run: `node bench/flood.ts [--server DIR]` (DIR: another checkout's server, for a before/after).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { randomIds, secretBox } from '../src/adapters/crypto.ts';
import { SqliteStore } from '../src/adapters/storage/sqlite/sqlite-store.ts';
import { createApplicationCalendar } from '../src/app/accounts/accounts.ts';
import { createApplication } from '../src/app/accounts/applications.ts';
import type { AppContext } from '../src/app/context.ts';
import { loadConfig } from '../src/config/config.ts';
import type { ApplicationRecord } from '../src/ports/store.ts';
import { prng } from './prng.ts';
import { busyEvent, XL_DAYS, XL_MEMBERS, xlBody } from './xl.ts';

const APPLICATIONS = 20;
const PER_APPLICATION = 2;
const BUSY_PER_MEMBER = 20;
const DAY = 86_400_000;
const MINUTE = 60_000;
const serverArg = process.argv.indexOf('--server');
const SERVER_DIR = serverArg === -1 ? process.cwd() : process.argv[serverArg + 1]!;

const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]!;

async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const address = probe.address();
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

async function members(ctx: AppContext, application: ApplicationRecord, start: number, seed: number) {
  const random = prng(seed);
  const subs: string[] = [];
  for (let m = 0; m < XL_MEMBERS; m++) {
    const person = await createApplicationCalendar(ctx, application, `member-${m}`);
    subs.push(person.account.id);
    await ctx.store.transaction(async (repos) => {
      for (let e = 0; e < BUSY_PER_MEMBER; e++) {
        const startMs = start + Math.floor((random() * XL_DAYS * DAY) / (5 * MINUTE)) * 5 * MINUTE;
        const endMs = startMs + (1 + Math.floor(random() * 6)) * 5 * MINUTE;
        const row = busyEvent(person.calendar.id, `busy-${e}`, `uid-${seed}-${m}-${e}`, startMs, endMs, 0);
        await repos.events.upsert(row);
      }
    });
  }
  return subs;
}

/** 20 applications with their members and XL bodies; the page tenant's secret and members. */
async function seed(dbPath: string, publicUrl: string, start: number) {
  const store = new SqliteStore(dbPath);
  await store.migrate();
  const ctx: AppContext = {
    config: loadConfig({ PUBLIC_URL: publicUrl, LOG_LEVEL: 'silent' }),
    store,
    clock: { now: () => start - DAY },
    ids: randomIds,
    secrets: secretBox(null),
    external: null,
  };
  const tenants: { secret: string; body: string }[] = [];
  for (let a = 0; a < APPLICATIONS; a++) {
    const created = await createApplication(ctx, `flood ${a}`);
    const application = (await store.read((r) => r.applications.byId(created.applicationId)))!;
    tenants.push({
      secret: created.clientSecret,
      body: xlBody(await members(ctx, application, start, a), start),
    });
  }
  const page = await createApplication(ctx, 'page tenant');
  const pageApp = (await store.read((r) => r.applications.byId(page.applicationId)))!;
  const people = [];
  for (const id of ['recruiter', 'engineer']) people.push(await createApplicationCalendar(ctx, pageApp, id));
  await store.close();
  return { tenants, pageSecret: page.clientSecret, people };
}

/** Sends every target's body once, all at once, from a worker thread; resolves with the results. */
function flood(base: string, targets: { secret: string; body: string }[]) {
  const code = `
    const { parentPort, workerData } = require('node:worker_threads');
    const { base, targets } = workerData;
    const one = async ({ secret, body }) => {
      const t0 = performance.now();
      const response = await fetch(base + '/v1/sequenced_availability', {
        method: 'POST',
        headers: { authorization: 'Bearer ' + secret, 'content-type': 'application/json' },
        body,
      });
      await response.arrayBuffer();
      return { ms: performance.now() - t0, status: response.status, retryAfter: response.headers.get('retry-after') };
    };
    Promise.all(targets.map(one)).then((results) => parentPort.postMessage(results));
  `;
  const worker = new Worker(code, { eval: true, workerData: { base, targets } });
  return new Promise<{ ms: number; status: number; retryAfter: string | null }[]>((resolve, reject) => {
    worker.once('message', (results) => {
      void worker.terminate();
      resolve(results);
    });
    worker.once('error', reject);
  });
}

function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Math.round(Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024);
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'rtseq-flood-bench-'));
  const dbPath = join(dir, 'bench.db');
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const start = Math.ceil((Date.now() + 2 * DAY) / DAY) * DAY;
  const seeded = performance.now();
  const { tenants, pageSecret, people } = await seed(dbPath, base, start);
  const seedS = (performance.now() - seeded) / 1000;
  const child = spawn(process.execPath, [join(SERVER_DIR, 'src/main.ts'), 'serve'], {
    env: {
      ...process.env,
      PORT: String(port),
      HOST: '127.0.0.1',
      PUBLIC_URL: base,
      SQLITE_PATH: dbPath,
      LOG_LEVEL: 'silent',
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  try {
    for (let i = 0; ; i++) {
      try {
        if ((await fetch(`${base}/healthz`)).status > 0) break;
      } catch {
        if (i > 200) throw new Error('server did not start');
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
    const pid = child.pid!;
    const created = await fetch(`${base}/v1/real_time_sequencing`, {
      method: 'POST',
      headers: { authorization: `Bearer ${pageSecret}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        oauth: { redirect_uri: 'https://example.com/done' },
        event: { event_id: 'page', summary: 'Page tenant' },
        tzid: 'Europe/London',
        availability: {
          query_periods: [{ start: iso(start), end: iso(start + 14 * DAY) }],
          sequence: people.map((person, i) => ({
            sequence_id: `s${i}`,
            ordinal: i + 1,
            participants: [{ members: [{ sub: person.account.id }], required: 'all' }],
            required_duration: { minutes: 45 },
          })),
        },
        target_calendars: people.map((p) => ({ sub: p.account.id, calendar_id: p.calendar.id })),
      }),
    });
    const pageUrl = ((await created.json()) as { url: string }).url;
    const view = async () => {
      const t0 = performance.now();
      const response = await fetch(pageUrl, {
        headers: { cookie: `rtseq_holder=${randomIds.newToken(16)}` },
      });
      const text = await response.text();
      if (response.status !== 200 && process.env.BENCH_DEBUG) {
        process.stderr.write(`${response.status} ${text.replace(/\s+/g, ' ').slice(0, 400)}\n`);
      }
      return { ms: performance.now() - t0, status: response.status };
    };
    const idle: number[] = [];
    for (let i = 0; i < 10; i++) idle.push((await view()).ms);
    await flood(base, tenants.slice(0, 1)); // the pool's threads started, the engine compiled

    const targets = tenants.flatMap((t) => Array.from({ length: PER_APPLICATION }, () => t));
    let peak = rssMb(pid);
    const sampler = setInterval(() => {
      peak = Math.max(peak, rssMb(pid));
    }, 100);
    let running = true;
    const t0 = performance.now();
    const results = flood(base, targets).then((r) => {
      running = false;
      return r;
    });
    const pages: { ms: number; status: number }[] = [];
    while (running) {
      pages.push(await view());
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const xl = await results;
    const wallS = (performance.now() - t0) / 1000;
    clearInterval(sampler);

    const statuses = new Map<number, number>();
    for (const r of xl) statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1);
    const xlMs = xl.map((r) => r.ms).sort((a, b) => a - b);
    const pageMs = pages.map((r) => r.ms).sort((a, b) => a - b);
    const pageStatuses = new Map<number, number>();
    for (const r of pages) pageStatuses.set(r.status, (pageStatuses.get(r.status) ?? 0) + 1);
    idle.sort((a, b) => a - b);
    const fmt = (m: Map<number, number>) => [...m].map(([s, n]) => `${n} × ${s}`).join(', ');
    const lines = [
      `# Compute flood (${new Date().toISOString().slice(0, 10)}), server ${SERVER_DIR}`,
      '',
      `Machine: ${cpus().length} cores (${cpus()[0]?.model ?? 'unknown'}), Node ${process.version}, SQLite; seeded in ${seedS.toFixed(0)} s.`,
      '',
      `- ${xl.length} XL requests from ${APPLICATIONS} applications at once: ${fmt(statuses)}; p50 ${percentile(xlMs, 0.5).toFixed(0)} ms, slowest ${xlMs.at(-1)!.toFixed(0)} ms; all answered after ${wallS.toFixed(1)} s`,
      `- another tenant's booking page meanwhile (${pages.length} views, each its own session): ${fmt(pageStatuses)}; p50 ${percentile(pageMs, 0.5).toFixed(0)} ms, p99 ${percentile(pageMs, 0.99).toFixed(0)} ms, max ${pageMs.at(-1)!.toFixed(0)} ms (idle p50 ${percentile(idle, 0.5).toFixed(0)} ms)`,
      `- server peak RSS ${peak} MB`,
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
  } finally {
    child.kill('SIGTERM');
    await new Promise((resolve) => child.once('exit', resolve));
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
