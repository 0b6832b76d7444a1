import assert from 'node:assert/strict';
import test from 'node:test';
import type { ResourceLimits } from 'node:worker_threads';
import { BudgetedWorkerPool, DEFAULT_WORKER_LIMITS, type PoolReply } from './worker-pool.ts';

/** A worker that answers every job with the heap limits it was started with. */
const LIMITS_WORKER = new URL(
  `data:text/javascript,${encodeURIComponent(`
    import { parentPort, resourceLimits } from 'node:worker_threads';
    parentPort.on('message', ({ id }) => parentPort.postMessage({ id, limits: resourceLimits }));
    parentPort.postMessage({ id: 0, ready: true });
  `)}`,
);

type LimitsReply = PoolReply | { readonly id: number; readonly limits: ResourceLimits };

function limitsPool(resourceLimits?: ResourceLimits) {
  return new BudgetedWorkerPool<null, LimitsReply, ResourceLimits>(
    { workers: 1, budgetMs: 60_000, ...(resourceLimits === undefined ? {} : { resourceLimits }) },
    {
      file: LIMITS_WORKER,
      closedMessage: 'closed',
      transfer: () => [],
      settle: (reply) => ({ ok: true, result: (reply as { limits: ResourceLimits }).limits }),
      overBudget: () => new Error('over budget'),
      workerLost: () => new Error('lost'),
    },
  );
}

test('workers start with the default young generation unless the pool is given its own limits', async () => {
  const plain = limitsPool();
  const limited = limitsPool({ maxYoungGenerationSizeMb: 32, maxOldGenerationSizeMb: 512 });
  try {
    const byDefault = await plain.run(null);
    assert.equal(byDefault.maxYoungGenerationSizeMb, DEFAULT_WORKER_LIMITS.maxYoungGenerationSizeMb);
    const given = await limited.run(null);
    assert.equal(given.maxYoungGenerationSizeMb, 32);
    assert.equal(given.maxOldGenerationSizeMb, 512);
  } finally {
    await plain.close();
    await limited.close();
  }
});
