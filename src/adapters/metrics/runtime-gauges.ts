/**
 * Gauges read at scrape time from the running process (docs/deployment.md, "Metrics"): build info,
 * the worker pools' queues, running jobs, refusals and replaced workers, the engine's compute
 * budget rejections, and the PostgreSQL pool.
 */
import { Counter, Gauge, type Registry } from 'prom-client';

/** What a worker pool (adapters/worker-pool.ts) reports. */
export type PoolReport = {
  counts(): Record<string, { queued: number; running: number }>;
  readonly replaced: number;
  readonly refused: number;
};

/** What the PostgreSQL pool reports (pg.Pool's counts). */
export type DatabasePoolReport = () => { total: number; idle: number; waiting: number };

export function registerBuildInfo(registry: Registry, version: string): void {
  new Gauge({
    name: 'rtseq_build_info',
    help: 'Always 1; the labels say which rtseq and Node.js this process runs',
    labelNames: ['version', 'node'],
    registers: [registry],
  }).set({ version, node: process.version }, 1);
}

/**
 * A counter that follows numbers kept elsewhere (they only grow), one per value of its one label
 * (`pool` unless said): increased by the difference at scrape.
 */
function followingCounter(
  registry: Registry,
  spec: { name: string; help: string; label?: string },
  read: () => Readonly<Record<string, number>>,
): void {
  const label = spec.label ?? 'pool';
  const last = new Map<string, number>();
  new Counter({
    name: spec.name,
    help: spec.help,
    labelNames: [label],
    registers: [registry],
    collect() {
      for (const [value, total] of Object.entries(read())) {
        this.inc({ [label]: value }, Math.max(0, total - (last.get(value) ?? 0)));
        last.set(value, total);
      }
    },
  });
}

/** The compute and expansion pools: jobs by lane and state, refusals, replaced workers. */
export function registerPools(registry: Registry, pools: Readonly<Record<string, PoolReport>>): void {
  new Gauge({
    name: 'rtseq_worker_pool_jobs',
    help: 'Jobs of a worker pool by lane (api, page) and state (queued, running)',
    labelNames: ['pool', 'lane', 'state'],
    registers: [registry],
    collect() {
      for (const [pool, report] of Object.entries(pools)) {
        for (const [lane, counts] of Object.entries(report.counts())) {
          this.set({ pool, lane, state: 'queued' }, counts.queued);
          this.set({ pool, lane, state: 'running' }, counts.running);
        }
      }
    },
  });
  const each = (pick: (report: PoolReport) => number) => () =>
    Object.fromEntries(Object.entries(pools).map(([pool, report]) => [pool, pick(report)]));
  followingCounter(
    registry,
    {
      name: 'rtseq_worker_pool_refused_total',
      help: 'Jobs refused by admission control (queue full) or dropped after waiting out their budget (429/503)',
    },
    each((r) => r.refused),
  );
  followingCounter(
    registry,
    {
      name: 'rtseq_worker_pool_workers_replaced_total',
      help: 'Workers stopped for running over their budget or dying, and replaced',
    },
    each((r) => r.replaced),
  );
}

/**
 * The engine pool's jobs stopped for running over COMPUTE_BUDGET_MS, by lane (api, page): the
 * 422 `errors.too_complex` answers of the budget (SPEC 9). Both lanes are there from the start.
 */
export function registerComputeBudget(
  registry: Registry,
  overBudget: () => Readonly<Record<string, number>>,
): void {
  followingCounter(
    registry,
    {
      name: 'rtseq_compute_budget_rejections_total',
      help: 'Availability computations stopped for running over COMPUTE_BUDGET_MS (422 errors.too_complex), by lane',
      label: 'lane',
    },
    overBudget,
  );
}

export function registerDatabasePool(registry: Registry, report: DatabasePoolReport): void {
  new Gauge({
    name: 'rtseq_database_pool_connections',
    help: 'PostgreSQL connections of this process: total open, idle, and requests waiting for one',
    labelNames: ['state'],
    registers: [registry],
    collect() {
      const now = report();
      this.set({ state: 'total' }, now.total);
      this.set({ state: 'idle' }, now.idle);
      this.set({ state: 'waiting' }, now.waiting);
    },
  });
}
