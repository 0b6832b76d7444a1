/**
 * docs/quickstart.md as written: its `sh server` block is how the server is started (here a fresh
 * `rtseq serve --demo` process, which `npm start` runs, on a new database and a free port); every
 * other `sh` block runs in order in one bash session from the checkout, with only the server
 * address and the receiver port substituted. When a block prints the link, the test books it over
 * HTTP as the invitee's browser would, then expects the walkthrough's receiver to report a
 * verified HMAC and the later blocks to see the delivery and the events.
 */
import assert from 'node:assert/strict';
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { bookFirstTime } from '../support/page-visitor.ts';
import { freePort, startServerProcess } from '../support/process.ts';

const ROOT = new URL('../../', import.meta.url).pathname;
const doc = readFileSync(join(ROOT, 'docs/quickstart.md'), 'utf8');
const receiver = readFileSync(join(ROOT, 'examples/callback-receiver.mjs'), 'utf8');

type Block = { lang: string; tag: string; code: string };
const blocks: Block[] = [...doc.matchAll(/^```(\w+)([^\n]*)\n([\s\S]*?)^```$/gm)].map((m) => ({
  lang: m[1]!,
  tag: m[2]!.trim(),
  code: m[3]!,
}));

/** One long-lived bash: a block is written to its stdin, then a marker that says it finished. */
class Shell {
  readonly #child: ChildProcessWithoutNullStreams;
  stdout = '';
  stderr = '';
  #exited = false;

  constructor(env: Record<string, string>) {
    this.#child = spawn('bash', ['--noprofile', '--norc'], { cwd: ROOT, env: { ...process.env, ...env } });
    this.#child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      this.stdout += chunk;
    });
    this.#child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      this.stderr += chunk;
    });
    this.#child.once('exit', () => {
      this.#exited = true;
    });
    this.#child.stdin.write('set -eo pipefail\n');
  }

  /** Runs one block; resolves with what it printed. */
  async run(code: string, index: number): Promise<string> {
    const marker = `__quickstart_block_${index}_done__`;
    const from = this.stdout.length;
    this.#child.stdin.write(`${code}\necho ${marker}\n`);
    await this.until(() => this.stdout.includes(marker, from), 120_000, `block ${index + 1}:\n${code}`);
    return this.stdout.slice(from, this.stdout.indexOf(marker, from));
  }

  async until(done: () => boolean, ms: number, what: string): Promise<void> {
    const deadline = Date.now() + ms;
    while (!done()) {
      if (this.#exited)
        throw new Error(`the shell stopped at ${what}\nstdout:\n${this.stdout}\nstderr:\n${this.stderr}`);
      if (Date.now() > deadline)
        throw new Error(`timed out at ${what}\nstdout:\n${this.stdout}\nstderr:\n${this.stderr}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  async close(): Promise<void> {
    if (this.#exited) return;
    this.#child.stdin.end('kill $(jobs -p) 2>/dev/null; exit 0\n');
    await new Promise((resolve) => this.#child.once('exit', resolve));
  }
}

test('docs/quickstart.md runs as written, from app create to a verified callback', async () => {
  const server = blocks.filter((b) => b.lang === 'sh' && b.tag === 'server');
  assert.equal(server.length, 1, 'one server block');
  assert.match(server[0]!.code, /^ALLOW_PRIVATE_CALLBACKS=true npm start$/m);
  assert.ok(
    receiver.includes(blocks.find((b) => b.lang === 'js')!.code.trim()),
    'the doc quotes the receiver',
  );
  const steps = blocks.filter((b) => b.lang === 'sh' && b.tag === '');
  assert.ok(steps.length >= 6);

  const dir = mkdtempSync(join(tmpdir(), 'rtseq-quickstart-'));
  const database = { SQLITE_PATH: join(dir, 'rtseq.db') };
  const rtseq = await startServerProcess({ ...database, ALLOW_PRIVATE_CALLBACKS: 'true' }, ['--demo']);
  const receiverPort = await freePort();
  const shell = new Shell({ ...database, LOG_LEVEL: 'warn' });
  try {
    let booked = false;
    const outputs: string[] = [];
    for (const [index, step] of steps.entries()) {
      const code = step.code
        .replaceAll('http://localhost:8080', rtseq.url)
        .replaceAll('RECEIVER_PORT=4000', `RECEIVER_PORT=${receiverPort}`);
      const printed = await shell.run(code, index);
      outputs.push(printed);
      const link = /^Open (http\S+)$/m.exec(printed)?.[1];
      if (link !== undefined && !booked) {
        booked = true;
        await bookFirstTime(link);
        await shell.until(() => /HMAC (verified|NOT verified)/.test(shell.stdout), 30_000, 'the callback');
        assert.match(shell.stdout, /callback real_time_sequencing_completed: HMAC verified/);
      }
    }
    assert.ok(booked, 'a block printed the link to open');
    const all = outputs.join('\n');
    assert.match(all, /client_id \S+/);
    assert.match(all, /"calendar_id":"cal_/);
    assert.match(all, /"status":"delivered"/, 'GET /v1/callbacks shows the delivery');
    assert.match(all, /"event_id":"interview-42-pre"/, 'the booked event is in the recruiter calendar');
    assert.match(all, /"event_id":"interview-42-f2f"/, "the face-to-face is in the engineer's calendar");
    assert.doesNotMatch(shell.stdout, /NOT verified/);
  } finally {
    await shell.close();
    await rtseq.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});
