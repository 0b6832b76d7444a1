import { findSequences } from '../src/domain/engine/sequence.ts';
const mod = await import('./engine-scen.tmp.ts');
const q = mod.scenario(mod.M, 42);
for (let i = 0; i < 2000; i++) findSequences(q);
