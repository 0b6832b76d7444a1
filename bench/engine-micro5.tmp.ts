import { packIntervals } from '../src/domain/time/intervals.ts';
const mod = await import('./engine-scen.tmp.ts');
const q = mod.scenario(mod.M, 42);
const lists = q.steps.flatMap(s => s.groups.flatMap(g => g.members.map(m => m.busy)));
type I = { start: number; end: number };
function r0(intervals: readonly I[]) { let s = 0; for (let i = 0; i < intervals.length; i++) { const it = intervals[i]!; s += it.start + it.end; } return s; }
const S = new Float64Array(4096), E = new Float64Array(4096);
function c0(intervals: readonly I[]) { let n = 0; for (let i = 0; i < intervals.length; i++) { const it = intervals[i]!; const s = it.start, e = it.end; if (!(s < e)) continue; S[n] = s; E[n] = e; n++; } return n; }
for (const [name, f] of [['read', r0], ['copy', c0], ['pack', packIntervals], ['read', r0], ['copy', c0], ['pack', packIntervals]] as const) {
  const times: number[] = [];
  for (let r = 0; r < 200; r++) { const t = performance.now(); for (const b of lists) f(b); times.push(performance.now() - t); }
  times.sort((a, b) => a - b); console.log(name, (times[0]*1000).toFixed(0), 'us', (times[100]*1000).toFixed(0));
}
