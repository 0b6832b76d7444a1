import { planSteps, sortedSteps } from '../src/domain/engine/sequence.ts';
import { createEngineCache } from '../src/domain/engine/free-time.ts';
const mod = await import('./engine-scen.tmp.ts');
const q = mod.scenario(mod.M, 42);
const plans = planSteps(q, sortedSteps(q), createEngineCache());
console.log(plans.map(p => p.starts.length));
