import { packIntervals } from '../src/domain/time/intervals.ts';
const mod = await import('./engine-scen.tmp.ts');
const q = mod.scenario(mod.L, 42);
const all = q.steps.flatMap(s => s.groups.flatMap(g => g.members.map(m => m.busy)));
const sorted = all.map(b => [...b].sort((x, y) => x.start - y.start));
for (const [name, lists] of (process.argv[2] === 's' ? [['sorted', sorted]] : [['shuffled', all], ['sorted', sorted]]) as const) {
  const times: number[] = [];
  for (let r = 0; r < 30; r++) { const t = performance.now(); for (const b of lists) packIntervals(b); times.push(performance.now() - t); }
  times.sort((a, b) => a - b); console.log(name, 'min', times[0].toFixed(1), 'p50', times[15].toFixed(1));
}
{ const times: number[] = [];
for (let r = 0; r < 30; r++) { const t = performance.now(); let s = 0; for (const b of all) for (let i = 0; i < b.length; i++) s += b[i].start + b[i].end; times.push(performance.now() - t); }
times.sort((a, b) => a - b); console.log('read only', 'min', times[0].toFixed(1)); }
{ const times: number[] = [];
for (let r = 0; r < 30; r++) { const t = performance.now(); for (const b of all) { const a = new Float64Array(b.length*2); a[0]=1; } times.push(performance.now() - t); }
times.sort((a, b) => a - b); console.log('alloc only', 'min', times[0].toFixed(1)); }
