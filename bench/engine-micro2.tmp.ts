import { sortNumbers } from '../src/domain/time/intervals.ts';
const mod = await import('./engine-scen.tmp.ts');
const q = mod.scenario(mod.L, 42);
const busy = q.steps[0].groups[0].members[0].busy;
const n = busy.length;
function bench(name: string, f: () => void) { for (let w = 0; w < 300; w++) f(); const t = performance.now(); for (let k = 0; k < 3000; k++) f(); console.log(name, ((performance.now() - t) / 3000 * 1000).toFixed(1), 'us'); }
const a = new Float64Array(n);
bench('copy starts', () => { let k = 0; for (const b of busy) a[k++] = b.start; });
bench('copy+typed sort', () => { let k = 0; for (const b of busy) a[k++] = b.start; a.sort(); });
bench('copy+bucket', () => { let k = 0; for (const b of busy) a[k++] = b.start; sortNumbers(a); });
const min = Math.min(...busy.map(b => b.start));
bench('keys+bucket', () => { let k = 0; for (const b of busy) { a[k] = (b.start - min) * n + k; k++; } sortNumbers(a); });
bench('keys+typed', () => { let k = 0; for (const b of busy) { a[k] = (b.start - min) * n + k; k++; } a.sort(); });
let s = 0;
bench('mod', () => { for (let i = 0; i < n; i++) s += a[i]! % n; });
