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
import { makeTestContext } from '../test/support/context.ts';
import { type ServerProcess, startServerProcess } from '../test/support/process.ts';
import { seedScenario } from '../test/support/scenario.ts';
import { availabilityBody, loadSealed, SCALE_KEY, SCALE_SERVER_ENV } from './scale-server.ts';

async function setup(events: number, accounts: number) {
  const dir = mkdtempSync(join(tmpdir(), 'rtseq-ab-'));
  const env = { SQLITE_PATH: join(dir, 'db.sqlite') };
  const t = await makeTestContext({ start: Date.now(), env: { SECRET_KEY: SCALE_KEY }, database: env });
  const scenario = await seedScenario(t.ctx);
  await loadSealed(t.ctx, env, scenario.application.id, { accounts, events, pastBookings: 0 });
  await t.dispose();
  const server = await startServerProcess({ ...env, ...SCALE_SERVER_ENV });
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
  const text = availabilityBody(m, d);
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
