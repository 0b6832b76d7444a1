import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PrometheusMetrics } from './prometheus.ts';

test('build info, labelled counters at 0, worker pools, budget rejections and the database pool are exported', async () => {
  const metrics = new PrometheusMetrics({ clock: { now: () => 0 }, version: '9.9.9' });
  const pool = {
    replaced: 0,
    refused: 2,
    counts: () => ({ api: { queued: 3, running: 1 }, page: { queued: 0, running: 1 } }),
  };
  metrics.watchPools({ engine: pool });
  const engine = { overBudget: { api: 0, page: 0 } };
  metrics.watchComputeBudget(engine);
  metrics.watchDatabasePool(() => ({ total: 4, idle: 3, waiting: 0 }));
  let text = await metrics.render();
  assert.match(
    text,
    new RegExp(`^rtseq_build_info\\{version="9\\.9\\.9",node="${process.version}"\\} 1$`, 'm'),
  );
  assert.match(text, /^rtseq_taken_meanwhile_total\{action="book"\} 0$/m);
  assert.match(text, /^rtseq_outbox_deliveries_total\{kind="callback",outcome="failed"\} 0$/m);
  assert.match(text, /^rtseq_external_calendar_read_failures_total\{provider="ics"\} 0$/m);
  assert.match(text, /^rtseq_worker_pool_jobs\{pool="engine",lane="api",state="queued"\} 3$/m);
  assert.match(text, /^rtseq_worker_pool_refused_total\{pool="engine"\} 2$/m);
  assert.match(text, /^rtseq_database_pool_connections\{state="idle"\} 3$/m);
  assert.match(text, /^rtseq_compute_budget_rejections_total\{lane="api"\} 0$/m, 'present before any');
  assert.match(text, /^rtseq_compute_budget_rejections_total\{lane="page"\} 0$/m);
  pool.refused = 5;
  engine.overBudget.api = 2;
  pool.replaced = 1;
  text = await metrics.render();
  assert.match(
    text,
    /^rtseq_worker_pool_refused_total\{pool="engine"\} 5$/m,
    'follows the pool, never double counts',
  );
  assert.match(text, /^rtseq_worker_pool_workers_replaced_total\{pool="engine"\} 1$/m);
  assert.match(text, /^rtseq_compute_budget_rejections_total\{lane="api"\} 2$/m);
  assert.match(text, /^rtseq_compute_budget_rejections_total\{lane="page"\} 0$/m);
});
