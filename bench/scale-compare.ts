/**
 * The same availability questions asked of two databases in one run (issue 28): a real
 * `rtseq serve` on SQLite with 100k events and another with 1M, the same accounts (so each member
 * has ten times the events in the larger one), asked alternately, request after request, so the
 * machine's own changes of speed fall on both alike. Prints p50 and mean latency of each and the
 * ratio, for 3 members over 7 days and 10 members over 30 days (`periods`, any one member free).
 * Run: `node bench/scale-compare.ts [accounts]` (default 10000).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PLAIN_SEALED_SETTING } from '../src/app/secrets.ts';
import { makeTestContext } from '../test/support/context.ts';
import { type ServerProcess, startServerProcess } from '../test/support/process.ts';
import { seedScenario } from '../test/support/scenario.ts';
import { loadBulk, openBulk } from './scale-data.ts';

const DAY = 86_400_000;
const KEY = 'scale-benchmark-secret-key-0123456789-abcdef';
function body(members: number, days: number): string {
  const from = new Date(Math.ceil(Date.now() / DAY) * DAY);
  const to = new Date(from.getTime() + days * DAY);
  return JSON.stringify({
    participants: [
      { members: Array.from({ length: members }, (_, i) => ({ sub: `bacc_${i * 97 + 1}` })), required: 1 },
    ],
    required_duration: { minutes: 60 },
    query_periods: [
      { start: from.toISOString().slice(0, 19) + 'Z', end: to.toISOString().slice(0, 19) + 'Z' },
    ],
    response_format: 'periods',
  });
}
async function setup(events: number, accounts: number) {
  const dir = mkdtempSync(join(tmpdir(), 'rtseq-ab-'));
  const env = { SQLITE_PATH: join(dir, 'db.sqlite') };
  const t = await makeTestContext({ start: Date.now(), env: { SECRET_KEY: KEY }, database: env });
  const scenario = await seedScenario(t.ctx);
  const bulk = await openBulk(env);
  await loadBulk(bulk, scenario.application.id, { accounts, events, pastBookings: 0 }, Date.now(), (p) =>
    t.ctx.secrets.seal(p),
  );
  await bulk.close();
  await t.ctx.store.transaction((r) => r.settings.put(PLAIN_SEALED_SETTING, 'yes'));
  await t.dispose();
  const server = await startServerProcess({
    ...env,
    SECRET_KEY: KEY,
    LOG_LEVEL: 'error',
    RATE_LIMIT_PER_SECOND: '1000000',
    RATE_LIMIT_PER_MINUTE: '60000000',
  });
  return { server, secret: scenario.clientSecret, drop: () => rmSync(dir, { recursive: true, force: true }) };
}
const accounts = Number(process.argv[2] ?? 10000);
const a = await setup(100_000, accounts);
const b = await setup(1_000_000, accounts);
const ask = async (s: { server: ServerProcess; secret: string }, text: string) => {
  const t0 = performance.now();
  await (
    await fetch(`${s.server.url}/v1/availability`, {
      method: 'POST',
      headers: { authorization: `Bearer ${s.secret}`, 'content-type': 'application/json' },
      body: text,
    })
  ).arrayBuffer();
  return performance.now() - t0;
};
for (const [m, d] of [
  [3, 7],
  [10, 30],
] as const) {
  const text = body(m, d);
  for (let i = 0; i < 300; i++) {
    await ask(a, text);
    await ask(b, text);
  }
  const ta: number[] = [];
  const tb: number[] = [];
  for (let i = 0; i < 2000; i++) {
    if (i % 2) {
      ta.push(await ask(a, text));
      tb.push(await ask(b, text));
    } else {
      tb.push(await ask(b, text));
      ta.push(await ask(a, text));
    }
  }
  ta.sort((x, y) => x - y);
  tb.sort((x, y) => x - y);
  const p = (xs: number[], q: number) => xs[Math.floor(xs.length * q)]!.toFixed(3);
  const mean = (xs: number[]) => (xs.reduce((s, x) => s + x, 0) / xs.length).toFixed(3);
  console.log(
    `${m}×${d}d accounts ${accounts}: 100k p50 ${p(ta, 0.5)} mean ${mean(ta)} | 1M p50 ${p(tb, 0.5)} mean ${mean(tb)} | ratio p50 ${(Number(p(tb, 0.5)) / Number(p(ta, 0.5))).toFixed(2)}`,
  );
}
await a.server.stop();
await b.server.stop();
a.drop();
b.drop();
