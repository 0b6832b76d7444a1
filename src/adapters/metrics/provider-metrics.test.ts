import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PrometheusMetrics } from './prometheus.ts';

test('provider metrics: every series at 0 before its first event, then counted per provider', async () => {
  const metrics = new PrometheusMetrics({ clock: { now: () => 0 } });
  let text = await metrics.render();
  for (const provider of ['google', 'office365']) {
    for (const outcome of ['ok', 'failed', 'reset'])
      assert.match(
        text,
        new RegExp(`^rtseq_provider_syncs_total\\{provider="${provider}",outcome="${outcome}"\\} 0$`, 'm'),
      );
    assert.match(
      text,
      new RegExp(`^rtseq_provider_pushes_total\\{provider="${provider}",outcome="ignored"\\} 0$`, 'm'),
    );
    assert.match(
      text,
      new RegExp(`^rtseq_provider_disconnections_total\\{provider="${provider}"\\} 0$`, 'm'),
    );
  }
  metrics.providerSync('google', 'ok', 0.2, 1.5);
  metrics.providerSync('google', 'failed', 3, 9);
  metrics.providerPush('office365', 'accepted');
  metrics.providerDisconnected('google');
  text = await metrics.render();
  assert.match(text, /^rtseq_provider_syncs_total\{provider="google",outcome="ok"\} 1$/m);
  assert.match(text, /^rtseq_provider_syncs_total\{provider="google",outcome="failed"\} 1$/m);
  assert.match(text, /^rtseq_provider_sync_seconds_count\{provider="google"\} 2$/m);
  // A failed sync stored nothing: it has no lag.
  assert.match(text, /^rtseq_provider_sync_lag_seconds_count\{provider="google"\} 1$/m);
  assert.match(text, /^rtseq_provider_sync_lag_seconds_bucket\{le="2\.5",provider="google"\} 1$/m);
  assert.match(text, /^rtseq_provider_pushes_total\{provider="office365",outcome="accepted"\} 1$/m);
  assert.match(text, /^rtseq_provider_disconnections_total\{provider="google"\} 1$/m);
});
