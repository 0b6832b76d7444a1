import { findSequences } from '../src/domain/engine/sequence.ts';
import { packIntervals } from '../src/domain/time/intervals.ts';
import { alignedStarts } from '../src/domain/time/zones.ts';
const mod = await import('./engine-scen.tmp.ts');
const q = mod.scenario(mod.L, 42);
for (let i = 0; i < 5; i++) findSequences(q);
let t = performance.now(); for (let i = 0; i < 10; i++) findSequences(q); console.log('full', (performance.now() - t) / 10);
t = performance.now(); for (let i = 0; i < 10; i++) for (const s of q.steps) for (const g of s.groups) for (const m of g.members) packIntervals(m.busy); console.log('pack', (performance.now() - t) / 10);
t = performance.now(); for (let i = 0; i < 10; i++) alignedStarts('America/New_York', 5, q.queryPeriods[0].start, q.queryPeriods[0].end); console.log('aligned', (performance.now() - t) / 10);
