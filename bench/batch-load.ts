/**
 * Loading events through `POST /v1/batch` (issue 28; docs/benchmarks.md): a real `rtseq serve`
 * on a fresh SQLite file or PostgreSQL database, 8 clients each sending batches of 50 event
 * upserts into one account's calendar for a few seconds. Prints events/s and latency; checks that
 * every entry of a sample batch was accepted. The loop `bench/scale.ts` runs, alone and short.
 *
 * Run: `node bench/batch-load.ts [--store sqlite|postgres] [--seconds 5] [--connections 8]
 *       [--profile DIR]` (`--profile` writes the server's CPU profile there, `--cpu-prof`).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { makeTestContext } from '../test/support/context.ts';
import { createTestDatabase } from '../test/support/postgres.ts';
import { type ServerProcess, startServerProcess } from '../test/support/process.ts';
import { seedScenario } from '../test/support/scenario.ts';

const { values } = parseArgs({
  options: {
    store: { type: 'string', default: 'sqlite' },
    seconds: { type: 'string', default: '5' },
    connections: { type: 'string', default: '8' },
    profile: { type: 'string' },
  },
});
const DAY = 86_400_000;
const KEY = 'batch-load-benchmark-secret-key-0123456789';
const PER_BATCH = 50;

function batchBody(calendarId: string, first: number): string {
  const base = Math.ceil(Date.now() / DAY) * DAY + 60 * DAY;
  const at = (i: number, plusMs = 0) =>
    `${new Date(base + (first + i) * 3_600_000 + plusMs).toISOString().slice(0, 19)}Z`;
  return JSON.stringify({
    batch: Array.from({ length: PER_BATCH }, (_, i) => ({
      method: 'POST',
      relative_url: `/v1/calendars/${calendarId}/events`,
      data: { event_id: `load-${first + i}`, summary: 'Loaded', start: at(i), end: at(i, 1_800_000) },
    })),
  });
}

async function freshDatabase(): Promise<{ env: Record<string, string>; drop(): Promise<void> }> {
  if (values.store === 'postgres') {
    const database = await createTestDatabase();
    if (database === null) throw new Error('PostgreSQL is not reachable (DATABASE_TEST_URL)');
    return { env: { DATABASE_URL: database.url, DATABASE_POOL_MAX: '10' }, drop: () => database.drop() };
  }
  const dir = mkdtempSync(join(tmpdir(), 'rtseq-batch-load-'));
  return {
    env: { SQLITE_PATH: join(dir, 'load.db') },
    drop: async () => rmSync(dir, { recursive: true, force: true }),
  };
}

const database = await freshDatabase();
const t = await makeTestContext({ start: Date.now(), env: { SECRET_KEY: KEY }, database: database.env });
let server: ServerProcess | undefined;
try {
  const scenario = await seedScenario(t.ctx);
  server = await startServerProcess({
    ...database.env,
    SECRET_KEY: KEY,
    LOG_LEVEL: 'error',
    RATE_LIMIT_PER_SECOND: '1000000',
    RATE_LIMIT_PER_MINUTE: '60000000',
    ...(values.profile === undefined ? {} : { NODE_OPTIONS: `--cpu-prof --cpu-prof-dir=${values.profile}` }),
  });
  const headers = {
    authorization: `Bearer ${scenario.recruiter.accessToken}`,
    'content-type': 'application/json',
  };
  const sample = await fetch(`${server.url}/v1/batch`, {
    method: 'POST',
    headers,
    body: batchBody(scenario.recruiter.calendarId, 0),
  });
  const answers = ((await sample.json()) as { batch: { status: number }[] }).batch;
  if (sample.status !== 207 || answers.some((a) => a.status !== 202))
    throw new Error(`sample batch not accepted: ${sample.status} ${JSON.stringify(answers.slice(0, 3))}`);
  let eventNumber = PER_BATCH;
  const result = await autocannon({
    url: `${server.url}/v1/batch`,
    method: 'POST',
    connections: Number(values.connections),
    duration: Number(values.seconds),
    headers,
    requests: [
      {
        setupRequest: (request) => {
          eventNumber += PER_BATCH;
          return { ...request, body: batchBody(scenario.recruiter.calendarId, eventNumber) };
        },
      },
    ],
  });
  const row = {
    store: values.store,
    connections: Number(values.connections),
    seconds: Number(values.seconds),
    'events/s': Math.round((result.requests.total * PER_BATCH) / result.duration),
    'batch p50 ms': result.latency.p50,
    'batch p99 ms': result.latency.p99,
    'non-2xx': result.non2xx,
    errors: result.errors,
  };
  console.log(
    `${new Date().toISOString()} ${cpus().length} × ${cpus()[0]?.model.trim()}, Node ${process.version}\n` +
      JSON.stringify(row),
  );
} finally {
  await server?.stop();
  await t.dispose();
  await database.drop();
}
