/**
 * The fixed cost of a small request in the engine (issue 28, item 4): 2 hosts (both required), 50
 * busy events, 7 days of 09:00-17:00, 60-minute slots every 15 minutes, aligned in Europe/London.
 * Prints microseconds per call for slots and for periods. Run: `node bench/small-request.ts`.
 */
import { findAvailability } from '../src/domain/engine/availability.ts';
import { prng } from './prng.ts';

const MIN = 60_000,
  H = 60 * MIN,
  D = 24 * H;
const start = Date.UTC(2026, 11, 7);
const rnd = prng(7);
const busy = (n: number) =>
  Array.from({ length: n }, () => {
    const s = start + Math.floor(rnd() * 7 * 24 * 4) * 15 * MIN;
    return { start: s, end: s + (1 + Math.floor(rnd() * 4)) * 15 * MIN };
  });
const members = [
  { sub: 'a', busy: busy(25), open: null },
  { sub: 'b', busy: busy(25), open: null },
];
const periods = Array.from({ length: 7 }, (_, d) => ({
  start: start + d * D + 9 * H,
  end: start + d * D + 17 * H,
}));
const query = {
  groups: [{ members, required: 2 }],
  durationMs: 60 * MIN,
  startIntervalMinutes: 15,
  alignmentZone: 'Europe/London',
  queryPeriods: periods,
  now: start - D,
  minimumNoticeMs: 0,
  bufferBeforeMs: 0,
  bufferAfterMs: 0,
  format: 'slots' as const,
  maxResults: 512,
};
// `--calls N`: fewer calls under valgrind --tool=callgrind, which counts instructions (repeatable on
// a busy machine); the difference between two call counts is the cost of the calls.
const callsArg = process.argv.indexOf('--calls');
const calls = callsArg === -1 ? 50_000 : Number(process.argv[callsArg + 1]);
for (const format of ['slots', 'periods'] as const) {
  const q = { ...query, format };
  const results = findAvailability(q).length;
  for (let i = 0; i < Math.min(20_000, calls); i++) findAvailability(q); // warm-up
  const started = performance.now();
  for (let i = 0; i < calls; i++) findAvailability(q);
  const micros = calls === 0 ? 0 : ((performance.now() - started) / calls) * 1000;
  console.log(`| ${format} | ${results} | ${micros.toFixed(1)} |`);
}
