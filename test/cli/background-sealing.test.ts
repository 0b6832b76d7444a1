/**
 * Values stored in plain form before SECRET_KEY was set are sealed after the server listens, not
 * before (issue 28): the key is checked and recorded first, the sweep runs in short batches, can be
 * stopped and goes on at the next start, and plain values are read meanwhile. On PostgreSQL a real
 * `rtseq serve` answers while its sweep cannot go on (a lock held by the test), then finishes.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import pg from 'pg';
import { secretBox } from '../../src/adapters/crypto.ts';
import { authenticateApplication } from '../../src/app/accounts/auth.ts';
import { checkSecretKey, PLAIN_SEALED_SETTING } from '../../src/app/secrets.ts';
import { SealingJob } from '../../src/jobs/sealing-job.ts';
import { SEALED_KINDS } from '../../src/ports/sealed.ts';
import type { Store } from '../../src/ports/store.ts';
import { makeTestContext } from '../support/context.ts';
import { createTestDatabase } from '../support/postgres.ts';
import { startServerProcess } from '../support/process.ts';
import { createTestLink, seedScenario, twoStepLinkBody } from '../support/scenario.ts';

const KEY = 'background-sealing-key-'.repeat(2);

async function storedValues(store: Store): Promise<string[]> {
  const values: string[] = [];
  for (const kind of SEALED_KINDS)
    values.push(...(await store.read((r) => r.sealedValues.page(kind, null, 1000))).map((v) => v.sealed));
  return values;
}

const allPlain = async (store: Store) => (await storedValues(store)).every((v) => v.startsWith('plain:'));
const noneLeft = async (store: Store) => !(await storedValues(store)).some((v) => v.startsWith('plain:'));

type Logged = { level: string; object: object; message: string };
function recordingLogger() {
  const lines: Logged[] = [];
  const log = (level: string) => (object: object, message: string) => lines.push({ level, object, message });
  return { lines, logger: { info: log('info'), warn: log('warn'), error: log('error') } };
}

test('the key is recorded before serving; the sweep seals later, stops cleanly, resumes, then is skipped', async () => {
  const written = await makeTestContext();
  try {
    // Without a key: a client secret, three link tokens, stored plainly.
    const s = await seedScenario(written.ctx);
    for (let i = 0; i < 3; i++) await createTestLink(written.ctx, s, twoStepLinkBody(s));
    const store = written.ctx.store;
    assert.ok(await allPlain(store));
    const box = secretBox(KEY);
    const check = await checkSecretKey(store, box, { requireKey: false, sealing: 'later' });
    assert.deepEqual(check, { outcome: 'recorded', sealed: 0 });
    assert.ok(await allPlain(store), 'nothing sealed before serving');
    assert.deepEqual(await checkSecretKey(store, box, { requireKey: false, sealing: 'later' }), {
      outcome: 'verified',
    });
    const keyed = { ...written.ctx, secrets: box };
    // A plain client secret still authenticates with the key set.
    const app = await authenticateApplication(keyed, {
      bearer: s.clientSecret,
      bodyClientId: undefined,
      bodyClientSecret: undefined,
    });
    assert.equal(app.id, s.application.id);

    // Stopped after its first batch (as at shutdown): part sealed, the rest left plain, no setting.
    const first = recordingLogger();
    let stopping: Promise<void> | undefined;
    const stopped: SealingJob = new SealingJob({
      ctx: keyed,
      batchSize: 1,
      logger: {
        ...first.logger,
        info: (object, message) => {
          first.logger.info(object, message);
          stopping ??= stopped.stop();
        },
      },
    });
    stopped.start();
    await stopped.settled();
    await stopping;
    const values = await storedValues(store);
    assert.equal(values.filter((v) => !v.startsWith('plain:')).length, 1, 'one batch of one');
    assert.ok(first.lines.some((l) => l.message.startsWith('sealing plain values stopped by shutdown')));
    assert.equal(await store.read((r) => r.settings.get(PLAIN_SEALED_SETTING)), undefined);

    // The next start goes on and finishes, logging the end.
    const second = recordingLogger();
    const job = new SealingJob({ ctx: keyed, logger: second.logger, batchSize: 1 });
    job.start();
    await job.settled();
    assert.ok(await noneLeft(store));
    const end = second.lines.find((l) => l.message.startsWith('plain values sealed'));
    assert.ok(end !== undefined, JSON.stringify(second.lines));
    assert.equal((end.object as { sealed: number }).sealed >= 1, true);
    assert.deepEqual(
      second.lines.filter((l) => l.level !== 'info'),
      [],
    );
    assert.equal(await store.read((r) => r.settings.get(PLAIN_SEALED_SETTING)), 'yes');
    const again = await authenticateApplication(keyed, {
      bearer: s.clientSecret,
      bodyClientId: undefined,
      bodyClientSecret: undefined,
    });
    assert.equal(again.id, s.application.id);

    // Once finished, later starts do not sweep (and say nothing).
    const third = recordingLogger();
    const skipped = new SealingJob({ ctx: keyed, logger: third.logger });
    skipped.start();
    await skipped.settled();
    assert.deepEqual(third.lines, []);
  } finally {
    await written.dispose();
  }
});

test('serve on PostgreSQL with plain values listens and answers before sealing them, then seals them', async (t) => {
  const database = await createTestDatabase();
  if (database === null) return t.skip('PostgreSQL not reachable');
  const env = { DATABASE_URL: database.url };
  const written = await makeTestContext({ database: env });
  const locker = new pg.Client({ connectionString: database.url });
  let server: Awaited<ReturnType<typeof startServerProcess>> | undefined;
  try {
    const s = await seedScenario(written.ctx);
    await createTestLink(written.ctx, s, twoStepLinkBody(s));
    assert.ok(await allPlain(written.ctx.store));
    // Client secrets are the sweep's first kind: while this lock is held, no batch can write.
    await locker.connect();
    await locker.query('BEGIN');
    await locker.query('LOCK TABLE client_secrets IN EXCLUSIVE MODE');

    server = await startServerProcess({ ...env, SECRET_KEY: KEY, LOG_LEVEL: 'info', LOG_FORMAT: 'json' });
    assert.equal((await fetch(`${server.url}/readyz`)).status, 200);
    const listed = await fetch(`${server.url}/v1/callbacks`, {
      headers: { authorization: `Bearer ${s.clientSecret}` },
    });
    assert.equal(listed.status, 200, 'the plain client secret authenticates');
    assert.ok(await allPlain(written.ctx.store), 'nothing sealed yet');
    const messages = () =>
      server!
        .stderr()
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => String((JSON.parse(l) as { msg: unknown }).msg));
    assert.ok(messages().includes('rtseq listening'));
    assert.ok(!messages().some((m) => m.startsWith('plain values sealed')));

    await locker.query('COMMIT');
    const deadline = Date.now() + 60_000;
    while (!messages().some((m) => m.startsWith('plain values sealed')) && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 100));
    assert.ok(await noneLeft(written.ctx.store), server.stderr());
    assert.equal(
      (await fetch(`${server.url}/v1/callbacks`, { headers: { authorization: `Bearer ${s.clientSecret}` } }))
        .status,
      200,
    );
  } finally {
    await locker.end().catch(() => undefined);
    await server?.stop();
    await written.dispose();
    await database.drop();
  }
});
