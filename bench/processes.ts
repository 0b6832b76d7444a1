/**
 * Link creation and booking throughput of real `rtseq serve` processes (docs/benchmarks.md):
 * SQLite with one process, PostgreSQL with one and with two processes behind no balancer (the
 * load is split evenly between them). Bookings go through the booking page (GET for the CSRF
 * token, POST to choose), one link per booking with its own participants, so nothing contends.
 * Run: `node bench/processes.ts` (`--quick` for shorter runs). Needs PostgreSQL (DATABASE_TEST_URL).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { createApplicationCalendar } from '../src/app/accounts/accounts.ts';
import { makeTestContext } from '../test/support/context.ts';
import { createTestDatabase } from '../test/support/postgres.ts';
import { type ServerProcess, startServerProcess } from '../test/support/process.ts';
import { seedScenario } from '../test/support/scenario.ts';
import { csrfOf, optionKeysOf } from '../test/web/fixtures.ts';

const quick = process.argv.includes('--quick');
const SECRET_KEY = 'benchmark-secret-key-shared-by-every-process-0123';
const DAY = 86_400_000;

type Setup = { env: Record<string, string>; dispose(): Promise<void> };

async function sqlite(): Promise<Setup> {
  const dir = mkdtempSync(join(tmpdir(), 'rtseq-bench-'));
  return {
    env: { SQLITE_PATH: join(dir, 'bench.db') },
    async dispose() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function postgres(): Promise<Setup> {
  const database = await createTestDatabase();
  if (database === null) throw new Error('PostgreSQL is not reachable');
  return { env: { DATABASE_URL: database.url, DATABASE_POOL_MAX: '10' }, dispose: () => database.drop() };
}

function linkBody(subs: readonly string[], eventId: string) {
  const day = new Date(Math.floor(Date.now() / DAY) * DAY + DAY).toISOString().slice(0, 10);
  return {
    oauth: { redirect_uri: 'https://app.example/done' },
    event: { event_id: eventId, summary: 'Benchmark interview' },
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
  };
}

async function measure(kind: 'sqlite' | 'postgres', processCount: number) {
  const setup = kind === 'sqlite' ? await sqlite() : await postgres();
  const t = await makeTestContext({ start: Date.now(), env: { SECRET_KEY }, database: setup.env });
  const servers: ServerProcess[] = [];
  try {
    const bookings = quick ? 60 : 200;
    const scenario = await seedScenario(t.ctx);
    const person = async (id: string) =>
      (await createApplicationCalendar(t.ctx, scenario.application, id)).account.id;
    const people: { recruiter: string; engineer: string }[] = [];
    for (let i = 0; i < bookings; i++)
      people.push({ recruiter: await person(`r${i}`), engineer: await person(`e${i}`) });
    const env = {
      ...setup.env,
      SECRET_KEY,
      ALLOW_PRIVATE_CALLBACKS: 'true',
      LOG_LEVEL: 'error',
      RATE_LIMIT_PER_SECOND: '1000000',
      RATE_LIMIT_PER_MINUTE: '60000000',
      PAGE_RATE_LIMIT_PER_SECOND: '1000000',
    };
    for (let i = 0; i < processCount; i++) servers.push(await startServerProcess(env));
    const headers = { authorization: `Bearer ${scenario.clientSecret}`, 'content-type': 'application/json' };

    // Link creation: one autocannon per process, run together, summed.
    const body = JSON.stringify(linkBody([scenario.recruiter.sub, scenario.engineer.sub], 'bench'));
    const runs = await Promise.all(
      servers.map((server) =>
        autocannon({
          url: `${server.url}/v1/real_time_sequencing`,
          method: 'POST',
          connections: 10,
          duration: quick ? 3 : 10,
          headers,
          body,
        }),
      ),
    );
    const linksPerSecond = runs.reduce((sum, r) => sum + r.requests.average, 0);
    const linkP99 = Math.max(...runs.map((r) => r.latency.p99));

    // Bookings: links with their own participants, pages fetched first, then every POST at once.
    const visits = [];
    for (const [i, p] of people.entries()) {
      const server = servers[i % servers.length]!;
      const created = await fetch(`${server.url}/v1/real_time_sequencing`, {
        method: 'POST',
        headers,
        body: JSON.stringify(linkBody([p.recruiter, p.engineer], `b${i}`)),
      });
      const { url } = (await created.json()) as { url: string };
      const path = new URL(url).pathname;
      const page = await fetch(`${server.url}${path}`);
      const html = await page.text();
      visits.push({
        url: `${server.url}${path}/choose`,
        cookie: page.headers.getSetCookie()[0]?.split(';')[0] ?? '',
        form: new URLSearchParams({
          csrf: csrfOf(html),
          option: optionKeysOf(html)[0]!,
          tz: 'UTC',
        }).toString(),
      });
    }
    const started = performance.now();
    const statuses = await Promise.all(
      visits.map(async (v) => {
        const response = await fetch(v.url, {
          method: 'POST',
          redirect: 'manual',
          headers: { cookie: v.cookie, 'content-type': 'application/x-www-form-urlencoded' },
          body: v.form,
        });
        await response.arrayBuffer();
        return response.status;
      }),
    );
    const seconds = (performance.now() - started) / 1000;
    const booked = statuses.filter((s) => s === 303).length;
    return {
      kind,
      processCount,
      linksPerSecond,
      linkP99,
      booked,
      bookingsPerSecond: booked / seconds,
      tried: visits.length,
    };
  } finally {
    for (const server of servers) await server.stop();
    await t.dispose();
    await setup.dispose();
  }
}

const results = [await measure('sqlite', 1), await measure('postgres', 1), await measure('postgres', 2)];
console.log(`# Throughput of rtseq processes — ${new Date().toISOString().slice(0, 10)}, ${cpus().length} × ${cpus()[0]?.model.trim()}, Node ${process.version}

| storage | processes | links created/s | link p99 ms | bookings/s (page POST) | booked / tried |
|---|---|---|---|---|---|
${results.map((r) => `| ${r.kind} | ${r.processCount} | ${r.linksPerSecond.toFixed(0)} | ${r.linkP99} | ${r.bookingsPerSecond.toFixed(0)} | ${r.booked} / ${r.tried} |`).join('\n')}
`);
