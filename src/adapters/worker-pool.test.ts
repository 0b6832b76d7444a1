import assert from 'node:assert/strict';
import { AsyncLocalStorage } from 'node:async_hooks';
import test from 'node:test';
import type { ResourceLimits } from 'node:worker_threads';
import type { ComputeClient, ComputeLane } from '../ports/compute.ts';

/** Whose work a job is, as the server's edge sets it around a request. */
const computeClients = new AsyncLocalStorage<ComputeClient>();

import type { AdmissionLimits } from './admission.ts';
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
      busy: () => new Error('busy'),
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

/** A worker that answers every job with the job itself. */
const ECHO_WORKER = new URL(
  `data:text/javascript,${encodeURIComponent(`
    import { parentPort } from 'node:worker_threads';
    parentPort.on('message', ({ id, job }) => parentPort.postMessage({ id, job }));
    parentPort.postMessage({ id: 0, ready: true });
  `)}`,
);

class BusyError extends Error {
  readonly lane: ComputeLane;
  readonly reason: 'full' | 'waited';
  constructor(lane: ComputeLane, reason: 'full' | 'waited') {
    super(`${lane} ${reason}`);
    this.lane = lane;
    this.reason = reason;
  }
}

function echoPool(now: () => number, admission: Omit<AdmissionLimits, 'apiThreads'>) {
  return new BudgetedWorkerPool<string, PoolReply | { id: number; job: string }, string>(
    {
      workers: 1,
      pageWorkers: 1,
      budgetMs: 1000,
      now,
      admission,
      clientOf: () => computeClients.getStore() ?? { lane: 'api', tenant: '' },
    },
    {
      file: ECHO_WORKER,
      closedMessage: 'closed',
      transfer: () => [],
      settle: (reply) => ({ ok: true, result: (reply as { job: string }).job }),
      overBudget: () => new Error('over budget'),
      workerLost: () => new Error('lost'),
      busy: (lane, reason) => new BusyError(lane, reason),
    },
  );
}

test('a job over its application’s share or a full lane is refused at once, as the request’s lane', async () => {
  const pool = echoPool(() => 0, { api: { queue: 2, perTenant: 2 }, page: { queue: 1, perTenant: 1 } });
  try {
    const asA = (job: string) => computeClients.run({ lane: 'api', tenant: 'A' }, () => pool.run(job));
    const asPage = (job: string) => computeClients.run({ lane: 'page', tenant: 'V' }, () => pool.run(job));
    const accepted = [asA('a1'), asA('a2')];
    await assert.rejects(asA('a3'), (error) => error instanceof BusyError && error.reason === 'full');
    const page = asPage('p1');
    await assert.rejects(asPage('p2'), (error) => error instanceof BusyError && error.lane === 'page');
    assert.deepEqual(await Promise.all([...accepted, page]), ['a1', 'a2', 'p1']);
    assert.equal(pool.refused, 2);
    assert.deepEqual(pool.counts(), { api: { queued: 0, running: 0 }, page: { queued: 0, running: 0 } });
  } finally {
    await pool.close();
  }
});

test('waiting counts in the budget: a job still queued when its budget is spent is dropped', async () => {
  let now = 0;
  const pool = echoPool(() => now, { api: { queue: 8, perTenant: 8 }, page: { queue: 8, perTenant: 8 } });
  try {
    const first = pool.run('first'); // queued until the threads are ready: start-up is free
    now = 5000;
    assert.equal(await first, 'first');
    const running = pool.run('running'); // on the one API thread
    const late = pool.run('late'); // waits for it…
    now += 1000; // …past its budget
    assert.equal(await running, 'running');
    await assert.rejects(late, (error) => error instanceof BusyError && error.reason === 'waited');
    assert.equal(pool.expired, 1);
    assert.equal(await pool.run('fresh'), 'fresh', 'a job that arrives now has its whole budget');
  } finally {
    await pool.close();
  }
});

/** A worker that never answers a job. */
const SILENT_WORKER = new URL(
  `data:text/javascript,${encodeURIComponent(`
    import { parentPort } from 'node:worker_threads';
    parentPort.on('message', () => {});
    parentPort.postMessage({ id: 0, ready: true });
  `)}`,
);

test('a job that runs over its budget is stopped, its worker replaced, and counted by lane', async () => {
  const pool = new BudgetedWorkerPool<string, PoolReply, string>(
    {
      workers: 1,
      pageWorkers: 1,
      budgetMs: 50,
      clientOf: () => computeClients.getStore() ?? { lane: 'api', tenant: '' },
    },
    {
      file: SILENT_WORKER,
      closedMessage: 'closed',
      transfer: () => [],
      settle: () => ({ ok: true, result: '' }),
      overBudget: () => new Error('over budget'),
      workerLost: () => new Error('lost'),
      busy: (lane, reason) => new BusyError(lane, reason),
    },
  );
  try {
    assert.deepEqual(pool.overBudget, { api: 0, page: 0 });
    const asPage = () => computeClients.run({ lane: 'page', tenant: 'V' }, () => pool.run('p'));
    await assert.rejects(asPage(), /over budget/);
    assert.deepEqual(pool.overBudget, { api: 0, page: 1 });
    assert.equal(pool.replaced, 1);
  } finally {
    await pool.close();
  }
});
