/**
 * Bounded cost (issue 13, SPEC 8 and 9), against a real server in a child process
 * (`src/main.ts serve`, SQLite, the default worker pool):
 *  1. XL: `POST /v1/sequenced_availability` at the limits (20 steps of 10 groups of 50 members
 *     drawn from 200 distinct members, `start_interval` 1, 90 days, 60,000 busy events): latency
 *     and status of one request alone (200 or 422 errors.too_complex);
 *  2. `/healthz` latency (p50, p99, max) probed back to back while 4 XL requests run at once;
 *  3. `POST /book/{t}/choose` with a valid CSRF token and the bogus `option=0.1`: status and the
 *     server's CPU per request (utime + stime of the child from /proc);
 *  4. in process: 20 FREQ=MINUTELY ICS events read over 30 days (CPU ms).
 * Each figure is the median of `--runs N` runs (default 3); the XL requests are sent from a worker
 * thread so the probes time the server alone. Run: `node bench/bounded.ts` (`--profile DIR` writes a
 * CPU profile of the server).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { busyIntervalsFromICalendar } from '../src/adapters/calendars/ical/expand.ts';
import { randomIds, secretBox } from '../src/adapters/crypto.ts';
import { SqliteStore } from '../src/adapters/storage/sqlite/sqlite-store.ts';
import { createApplication } from '../src/app/accounts/applications.ts';
import type { AppContext } from '../src/app/context.ts';
import { loadConfig } from '../src/config/config.ts';
import {
  seedXlMembers,
  sendXl,
  XL_BUSY_PER_MEMBER,
  XL_MEMBERS,
  xlBody,
  xlQueryPeriods,
  xlSequence,
} from './xl.ts';

const runsArg = process.argv.indexOf('--runs');
const RUNS = runsArg === -1 ? 3 : Number(process.argv[runsArg + 1]);
/** `--profile DIR`: the server writes a V8 CPU profile of its main thread into DIR. */
const profileArg = process.argv.indexOf('--profile');
const PROFILE_FLAGS =
  profileArg === -1 ? [] : ['--cpu-prof', '--cpu-prof-dir', process.argv[profileArg + 1]!];
const DAY = 86_400_000;

const median = (values: number[]) => values.toSorted((a, b) => a - b)[Math.floor(values.length / 2)]!;
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

/** The application, 200 members with 300 busy events each over 90 days; returns the secret and subs. */
async function seed(dbPath: string, publicUrl: string, start: number) {
  const store = new SqliteStore(dbPath);
  await store.migrate();
  const now = start - DAY;
  const ctx: AppContext = {
    config: loadConfig({ PUBLIC_URL: publicUrl, LOG_LEVEL: 'silent' }),
    store,
    clock: { now: () => now },
    ids: randomIds,
    secrets: secretBox(null),
    external: null,
  };
  const created = await createApplication(ctx, 'bounded bench');
  const application = (await store.read((repos) => repos.applications.byId(created.applicationId)))!;
  const subs = await seedXlMembers(ctx, application, start, now);
  await store.close();
  return { secret: created.clientSecret, subs };
}

/** Resident memory of a process (VmRSS from /proc), in MB. */
function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Math.round(Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024);
}

function cpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  // utime and stime are fields 14 and 15 of /proc/<pid>/stat (12 and 13 after the command).
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'rtseq-bounded-bench-'));
  const dbPath = join(dir, 'bench.db');
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const start = Math.ceil((Date.now() + 2 * DAY) / DAY) * DAY;
  const seeded = performance.now();
  const { secret, subs } = await seed(dbPath, base, start);
  const seedS = (performance.now() - seeded) / 1000;
  const child = spawn(process.execPath, [...PROFILE_FLAGS, 'src/main.ts', 'serve'], {
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
  const lines: string[] = [];
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
    const headers = { authorization: `Bearer ${secret}`, 'content-type': 'application/json' };
    const target = { base, headers, body: xlBody(subs, start) };
    const xl = () => sendXl(target, 1).then((results) => results[0]!);
    // 1. XL alone.
    const alone: { ms: number; status: number; options: number }[] = [];
    for (let r = 0; r < RUNS; r++) alone.push(await xl());

    // 2. /healthz while 4 XL run at once.
    const healthP50: number[] = [];
    const healthP99: number[] = [];
    const healthMax: number[] = [];
    const fourMs: number[] = [];
    let peakRssMb = rssMb(pid);
    const fourStatuses = new Set<number>();
    for (let r = 0; r < RUNS; r++) {
      let running = true;
      const t0 = performance.now();
      // Sent (and their large answers parsed) on another thread, so the probe timings below
      // measure the server, not this process's own JSON parsing.
      const sampler = setInterval(() => {
        peakRssMb = Math.max(peakRssMb, rssMb(pid));
      }, 50);
      const four = sendXl(target, 4).then((results) => {
        running = false;
        fourMs.push(performance.now() - t0);
        for (const result of results) fourStatuses.add(result.status);
      });
      const probes: number[] = [];
      while (running) {
        const p0 = performance.now();
        await (await fetch(`${base}/healthz`)).arrayBuffer();
        probes.push(performance.now() - p0);
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      await four;
      clearInterval(sampler);
      probes.sort((a, b) => a - b);
      healthP50.push(percentile(probes, 0.5));
      healthP99.push(percentile(probes, 0.99));
      healthMax.push(probes.at(-1)!);
    }

    // 3. Bogus choose on a link with the XL sequence.
    const created = await fetch(`${base}/v1/real_time_sequencing`, {
      method: 'POST',
      headers,
      body: JSON.stringify({
        oauth: { redirect_uri: 'https://example.com/done' },
        event: { event_id: 'xl', summary: 'XL loop' },
        tzid: 'Europe/London',
        // A 4-step link of 10 members per step over 14 days (the page must render to carry a CSRF
        // token); the bogus choice is refused before the link's weight matters.
        availability: {
          query_periods: xlQueryPeriods(start).slice(0, 14),
          sequence: xlSequence(subs)
            .slice(0, 4)
            .map((step) => ({
              ...step,
              participants: step.participants
                .slice(0, 2)
                .map((g) => ({ ...g, members: g.members.slice(0, 5) })),
              start_interval: { minutes: 15 },
            })),
        },
        target_calendars: [],
      }),
    });
    const link = (await created.json()) as { url?: string };
    const bogus: { cpu: number; status: number }[] = [];
    if (link.url !== undefined) {
      const path = new URL(link.url).pathname;
      const page = await fetch(`${base}${path}`);
      const cookie = page.headers
        .getSetCookie()
        .map((c) => c.split(';')[0])
        .join('; ');
      const escaped = /name="csrf" value="([^"]+)"/.exec(await page.text())?.[1] ?? '';
      const csrf = escaped.replace(/&(#x?[0-9a-f]+|amp|quot|lt|gt);/gi, (_, code: string) => {
        const named: Record<string, string> = { amp: '&', quot: '"', lt: '<', gt: '>' };
        if (code in named) return named[code]!;
        return String.fromCodePoint(
          code[1] === 'x' ? Number.parseInt(code.slice(2), 16) : Number(code.slice(1)),
        );
      });
      for (let r = 0; r < Math.max(RUNS, 10); r++) {
        const before = cpuMs(pid);
        const response = await fetch(`${base}${path}/choose`, {
          method: 'POST',
          headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams({ csrf, option: '0.1' }).toString(),
          redirect: 'manual',
        });
        await response.arrayBuffer();
        await new Promise((resolve) => setTimeout(resolve, 50)); // let the CPU counters settle
        bogus.push({ cpu: cpuMs(pid) - before, status: response.status });
      }
    }

    // 4. 20 MINUTELY events, 30-day read, in this process.
    const ics = [
      'BEGIN:VCALENDAR',
      'VERSION:2.0',
      'PRODID:-//rtseq bench//EN',
      ...Array.from({ length: 20 }, (_, i) => [
        'BEGIN:VEVENT',
        `UID:minutely-${i}@bench`,
        'DTSTAMP:20260101T000000Z',
        `DTSTART:202601${String(i + 1).padStart(2, '0')}T080000Z`,
        `DTEND:202601${String(i + 1).padStart(2, '0')}T081500Z`,
        'RRULE:FREQ=MINUTELY',
        'END:VEVENT',
      ]).flat(),
      'END:VCALENDAR',
      '',
    ].join('\r\n');
    const icsCpu: number[] = [];
    for (let r = 0; r < RUNS; r++) {
      const c0 = process.cpuUsage();
      busyIntervalsFromICalendar(ics, { start: Date.UTC(2026, 0, 1), end: Date.UTC(2026, 0, 31) }, 'UTC');
      const used = process.cpuUsage(c0);
      icsCpu.push((used.user + used.system) / 1000);
    }

    lines.push(
      `# Bounded cost benchmark (${new Date().toISOString().slice(0, 10)})`,
      '',
      `Machine: ${cpus().length} cores (${cpus()[0]?.model ?? 'unknown'}), Node ${process.version}, SQLite (WAL), default worker pool. Seeded ${XL_MEMBERS} members × ${XL_BUSY_PER_MEMBER} busy events in ${seedS.toFixed(0)} s. Medians of ${RUNS} runs.`,
      '',
      '| what | result |',
      '|---|---|',
      `| XL alone: latency (statuses, options) | ${median(alone.map((a) => a.ms)).toFixed(0)} ms (${[...new Set(alone.map((a) => a.status))].join('/')}, ${alone[0]!.options} options) |`,
      `| 4 XL at once: all answered after | ${median(fourMs).toFixed(0)} ms (statuses ${[...fourStatuses].join('/')}) |`,
      `| server peak RSS while 4 XL run (VmRSS every 50 ms) | ${peakRssMb} MB |`,
      `| /healthz while 4 XL run: p50 / p99 / max | ${median(healthP50).toFixed(1)} / ${median(healthP99).toFixed(1)} / ${median(healthMax).toFixed(1)} ms |`,
      `| choose with option=0.1: status, server CPU per request | ${bogus.map((b) => b.status)[0] ?? 'no link'}, ${bogus.length === 0 ? '-' : median(bogus.map((b) => b.cpu)).toFixed(1)} ms (CPU clock ticks of 10 ms) |`,
      `| 20 FREQ=MINUTELY ICS events, 30-day read: CPU | ${median(icsCpu).toFixed(1)} ms |`,
    );
    process.stdout.write(`${lines.join('\n')}\n`);
  } finally {
    child.kill('SIGTERM');
    await new Promise((resolve) => child.once('exit', resolve));
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
