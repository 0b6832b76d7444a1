/**
 * Metrics (issue 16; docs/deployment.md "Logs and metrics"): the use cases report holds, bookings
 * and taken-meanwhile outcomes and computation times through the Metrics port; the Prometheus
 * adapter exports them with the outbox backlog and external read latency; /metrics can move to
 * METRICS_PORT (or on PORT with METRICS_PUBLIC) or be turned off. (test/cli/demo.test.ts scrapes a real server after a real booking.)
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { measuredReader } from '../../src/adapters/metrics/measured-reader.ts';
import { PrometheusMetrics } from '../../src/adapters/metrics/prometheus.ts';
import { bookOption, holdOption, viewLink } from '../../src/app/booking/booking.ts';
import type { AppContext } from '../../src/app/context.ts';
import { loadLinkForPage } from '../../src/app/links/links.ts';
import { buildServer } from '../../src/server.ts';
import { makeTestContext } from '../support/context.ts';
import { freePort, startServerProcess } from '../support/process.ts';
import { createTestLink, seedScenario, twoStepLinkBody } from '../support/scenario.ts';

function metric(text: string, name: string, labels = ''): number {
  const line = text.split('\n').find((l) => l.startsWith(`${name}${labels === '' ? ' ' : `{${labels}} `}`));
  return line === undefined ? 0 : Number(line.slice(line.lastIndexOf(' ') + 1));
}

test('holds, bookings and taken-meanwhile outcomes are counted at the use cases; pages are timed', async () => {
  const t = await makeTestContext();
  const metrics = new PrometheusMetrics({
    clock: t.ctx.clock,
    outboxBacklog: () => t.ctx.store.read((r) => r.outbox.backlog()),
  });
  const ctx: AppContext = { ...t.ctx, metrics };
  try {
    const s = await seedScenario(ctx);
    const body = twoStepLinkBody(s, { callback_url: 'https://app.example/cb' });
    const first = await createTestLink(ctx, s, body);
    const second = await createTestLink(ctx, s, { ...body, event: { event_id: 'other', summary: 'Other' } });
    const firstPage = await viewLink(ctx, first.token);
    const secondPage = await viewLink(ctx, second.token);
    assert.ok(firstPage?.kind === 'open' && secondPage?.kind === 'open');
    const steps = firstPage.options[0]!.steps.map((step) => ({ index: step.index, start: step.start }));

    const held = await holdOption(ctx, (await loadLinkForPage(ctx, first.token))!, steps, 'holder-1');
    assert.equal(held.kind, 'held');
    const booked = await bookOption(ctx, (await loadLinkForPage(ctx, first.token))!, steps, 'holder-1');
    assert.equal(booked.kind, 'booked');
    // The same people at the same time on the other link: taken meanwhile, for a hold and a booking.
    const lostHold = await holdOption(ctx, (await loadLinkForPage(ctx, second.token))!, steps, 'holder-2');
    assert.equal(lostHold.kind, 'taken');
    const lostBooking = await bookOption(ctx, (await loadLinkForPage(ctx, second.token))!, steps, null);
    assert.equal(lostBooking.kind, 'taken');

    const text = await metrics.render();
    assert.equal(metric(text, 'rtseq_holds_total'), 1);
    assert.equal(metric(text, 'rtseq_bookings_total'), 1);
    assert.equal(metric(text, 'rtseq_taken_meanwhile_total', 'action="hold"'), 1);
    assert.equal(metric(text, 'rtseq_taken_meanwhile_total', 'action="book"'), 1);
    assert.ok(metric(text, 'rtseq_availability_computation_seconds_count', 'kind="page"') >= 2);
    // The completed callback waits in the outbox, queued at the (settable) clock's now.
    assert.equal(metric(text, 'rtseq_outbox_pending'), 1);
    t.clock.advance(90_000);
    assert.equal(metric(await metrics.render(), 'rtseq_outbox_oldest_pending_age_seconds'), 90);
  } finally {
    await t.dispose();
  }
});

test('HTTP requests are timed by route pattern and status; external reads by provider and outcome', async () => {
  const t = await makeTestContext();
  const metrics = new PrometheusMetrics({ clock: t.ctx.clock });
  const app = buildServer({ ctx: t.ctx, logger: false, version: 'test', metrics, metricsPage: metrics });
  try {
    assert.equal((await app.inject({ method: 'GET', url: '/book/not-a-real-token-at-all' })).statusCode, 404);
    assert.equal((await app.inject({ method: 'GET', url: '/healthz' })).statusCode, 200);
    const reader = measuredReader(
      {
        readBusy: async (ref) => {
          if (ref.kind === 'ics') throw new Error('unreachable');
          return { busy: [] };
        },
      },
      metrics,
    );
    const window = { start: 0, end: 1 };
    await reader.readBusy(
      {
        kind: 'caldav',
        calendarUrl: 'https://dav.example/',
        credentials: { username: 'u', password: 'p' },
      } as never,
      window,
      'UTC',
    );
    await assert.rejects(
      reader.readBusy({ kind: 'ics', feedUrl: 'https://feed.example/x.ics' }, window, 'UTC'),
    );

    const scraped = await app.inject({ method: 'GET', url: '/metrics' });
    assert.equal(scraped.statusCode, 200);
    assert.match(String(scraped.headers['content-type']), /^text\/plain; version=0\.0\.4/);
    const text = scraped.body;
    assert.equal(
      metric(
        text,
        'rtseq_http_request_duration_seconds_count',
        'method="GET",route="/book/:token",status="404"',
      ),
      1,
    );
    assert.equal(
      metric(text, 'rtseq_http_request_duration_seconds_count', 'method="GET",route="/healthz",status="200"'),
      1,
    );
    assert.equal(
      metric(text, 'rtseq_external_calendar_read_seconds_count', 'provider="caldav",outcome="ok"'),
      1,
    );
    assert.equal(
      metric(text, 'rtseq_external_calendar_read_seconds_count', 'provider="ics",outcome="failed"'),
      1,
    );
    assert.equal(metric(text, 'rtseq_external_calendar_read_failures_total', 'provider="ics"'), 1);
    assert.doesNotMatch(text, /not-a-real-token/, 'URLs never become labels');
  } finally {
    await app.close();
    await t.dispose();
  }
});

test('/metrics is not on the public port by default; METRICS_PORT serves it apart; METRICS_PUBLIC puts it on PORT', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'rtseq-metrics-'));
  const plain = await startServerProcess({ SQLITE_PATH: join(dir, 'plain.db') });
  try {
    assert.equal((await fetch(`${plain.url}/metrics`)).status, 404, 'not public unless asked for');
  } finally {
    await plain.stop();
  }
  const metricsPort = await freePort();
  const moved = await startServerProcess({
    SQLITE_PATH: join(dir, 'a.db'),
    METRICS_PORT: String(metricsPort),
  });
  try {
    assert.equal((await fetch(`${moved.url}/metrics`)).status, 404);
    const scraped = await fetch(`http://127.0.0.1:${metricsPort}/metrics`);
    assert.equal(scraped.status, 200);
    assert.match(await scraped.text(), /^rtseq_outbox_pending 0$/m);
  } finally {
    await moved.stop();
  }
  const pub = await startServerProcess({ SQLITE_PATH: join(dir, 'p.db'), METRICS_PUBLIC: 'true' });
  try {
    assert.equal((await fetch(`${pub.url}/metrics`)).status, 200);
  } finally {
    await pub.stop();
  }
  const off = await startServerProcess({
    SQLITE_PATH: join(dir, 'b.db'),
    METRICS: 'false',
    METRICS_PUBLIC: 'true',
  });
  try {
    assert.equal((await fetch(`${off.url}/metrics`)).status, 404);
  } finally {
    await off.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});
