import { sortNumbers, packIntervals } from '../src/domain/time/intervals.ts';
const mod = await import('./engine-scen.tmp.ts');
const q = mod.scenario(mod.L, 42);
const busy = q.steps[0].groups[0].members[0].busy;
const n = busy.length; const src = new Float64Array(n); busy.forEach((b, i) => src[i] = b.start);
const a = new Float64Array(n);
for (const [name, f] of [['typed', (x: Float64Array) => x.sort()], ['bucket', sortNumbers]] as const) {
  for (let w = 0; w < 200; w++) { a.set(src); f(a); }
  const t = performance.now(); for (let k = 0; k < 2000; k++) { a.set(src); f(a); } console.log(name, (performance.now() - t) / 2000 * 1000, 'us');
}
for (let w = 0; w < 200; w++) packIntervals(busy);
let t = performance.now(); for (let k = 0; k < 2000; k++) packIntervals(busy); console.log('pack', (performance.now() - t) / 2000 * 1000, 'us');
