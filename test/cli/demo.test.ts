/**
 * The demo as a newcomer meets it (issue 16): `rtseq serve --demo` in a real process prints working
 * credentials and a link for tomorrow on stdout (logs, JSON lines, on stderr); booking that link in
 * plain form posts lands on the demo "back in the application" page, the callback reaches the demo
 * receiver with a verified HMAC, and GET /metrics counted all of it. A restart prints fresh
 * credentials again; a second server on the same port fails with one line naming PORT.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { bookFirstTime, pageBrowser } from '../support/page-visitor.ts';
import { type ServerProcess, startServerProcess } from '../support/process.ts';

const BIN = new URL('../../bin/rtseq.js', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'rtseq-demo-'));
const env = { SQLITE_PATH: join(dir, 'demo.db'), LOG_LEVEL: 'info', METRICS_PUBLIC: 'true' };
after(() => rmSync(dir, { recursive: true, force: true }));

type LinkBody = { availability: { query_periods: { start: string }[] } };
type Banner = {
  clientSecret: string;
  linkUrl: string;
  accessTokens: string[];
  calendarIds: string[];
  body: LinkBody;
};

async function bannerOf(server: ServerProcess): Promise<Banner> {
  const deadline = Date.now() + 20_000;
  while (!/To start over/.test(server.stdout())) {
    if (Date.now() > deadline) throw new Error(`no demo banner:\n${server.output()}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const out = server.stdout();
  const body = JSON.parse(/-d '(\{.*\})'/.exec(out)![1]!) as LinkBody;
  return {
    clientSecret: /client_secret\s+(\S+)/.exec(out)![1]!,
    linkUrl: /link \(times from tomorrow\): (\S+)/.exec(out)![1]!,
    accessTokens: [...out.matchAll(/access_token (\S+)/g)].map((m) => m[1]!),
    calendarIds: [...out.matchAll(/calendar_id (\S+)/g)].map((m) => m[1]!),
    body,
  };
}

function metric(text: string, name: string, labels = ''): number {
  const line = text.split('\n').find((l) => l.startsWith(`${name}${labels === '' ? ' ' : `{${labels}} `}`));
  return line === undefined ? 0 : Number(line.slice(line.lastIndexOf(' ') + 1));
}

test('demo: banner on stdout, booking loop to the demo pages, verified callback, metrics, restart', async () => {
  const first = await startServerProcess(env, ['--demo']);
  let second: ServerProcess | undefined;
  try {
    const demo = await bannerOf(first);
    const tomorrow = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
    assert.ok(demo.body.availability.query_periods[0].start.startsWith(tomorrow), 'the link starts tomorrow');
    assert.equal(demo.accessTokens.length, 4, 'the recruiter and three engineers');
    assert.equal(demo.calendarIds.length, 4);
    // Logs are JSON lines on stderr, never mixed with the banner.
    assert.ok(!first.stdout().includes('"level"'));
    const logLines = first.stderr().trim().split('\n');
    assert.ok(logLines.length > 0);
    for (const line of logLines) assert.doesNotThrow(() => JSON.parse(line), line);

    // An engineer's token and calendar id work as printed.
    const calendars = await fetch(`${first.url}/v1/calendars`, {
      headers: { authorization: `Bearer ${demo.accessTokens[1]}` },
    });
    assert.equal(calendars.status, 200);
    assert.equal(
      ((await calendars.json()) as { calendars: { calendar_id: string }[] }).calendars[0]!.calendar_id,
      demo.calendarIds[1],
    );

    // Book the demo link in plain form posts (confirm mode: hold, then confirm).
    const { continueUrl: back } = await bookFirstTime(demo.linkUrl);
    assert.ok(back.startsWith(`${first.url}/demo/back`), back);
    const page = pageBrowser();
    const landed = await page(back);
    assert.equal(landed.status, 200);
    assert.match(landed.body, /You are back in the application/);
    assert.match(landed.body, /state = demo-state/);

    // The callback reaches the demo receiver, signed with the demo application's secret.
    let receiver = '';
    for (let i = 0; i < 200 && !/HMAC verified/.test(receiver); i++) {
      receiver = (await page(`${first.url}/demo/callbacks`)).body;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    assert.match(receiver, /HMAC verified/);
    assert.doesNotMatch(receiver, /HMAC did not verify/);

    // The counters moved.
    const scraped = await fetch(`${first.url}/metrics`);
    assert.equal(scraped.status, 200);
    assert.match(scraped.headers.get('content-type') ?? '', /^text\/plain/);
    const text = await scraped.text();
    assert.equal(metric(text, 'rtseq_bookings_total'), 1);
    assert.equal(metric(text, 'rtseq_holds_total'), 1);
    assert.equal(metric(text, 'rtseq_taken_meanwhile_total'), 0);
    assert.ok(metric(text, 'rtseq_outbox_deliveries_total', 'kind="callback",outcome="delivered"') >= 1);
    assert.equal(metric(text, 'rtseq_outbox_pending'), 0);
    assert.ok(metric(text, 'rtseq_availability_computation_seconds_count', 'kind="page"') >= 1);
    assert.ok(
      metric(
        text,
        'rtseq_http_request_duration_seconds_count',
        'method="POST",route="/book/:token/confirm",status="303"',
      ) >= 1,
    );
    assert.match(text, /^process_cpu_user_seconds_total /m);

    // A second server on the same port: one line naming PORT, no stack.
    const clash = spawnSync(process.execPath, [BIN, 'serve'], {
      env: { ...process.env, ...env, PORT: new URL(first.url).port, HOST: '127.0.0.1' },
      encoding: 'utf8',
      timeout: 30_000,
    });
    assert.equal(clash.status, 1, clash.stderr);
    const clashLines = clash.stderr.trim().split('\n');
    assert.match(clashLines.at(-1)!, /PORT=\d+.*already in use/);
    assert.doesNotMatch(clash.stderr, /EADDRINUSE|\n\s+at /);

    // A restart prints fresh, working credentials and a new link; the old secret is revoked.
    await first.stop();
    second = await startServerProcess(env, ['--demo']);
    const again = await bannerOf(second);
    assert.notEqual(again.clientSecret, demo.clientSecret);
    assert.notEqual(again.linkUrl, demo.linkUrl);
    assert.ok(again.body.availability.query_periods[0].start.startsWith(tomorrow));
    const auth = (secret: string) =>
      fetch(`${second!.url}/v1/callbacks`, { headers: { authorization: `Bearer ${secret}` } }).then(
        (r) => r.status,
      );
    assert.equal(await auth(again.clientSecret), 200);
    assert.equal(await auth(demo.clientSecret), 401);
    assert.equal((await fetch(again.linkUrl.replace(/^http:\/\/[^/]+/, second.url))).status, 200);
  } finally {
    await first.stop();
    await second?.stop();
  }
});
