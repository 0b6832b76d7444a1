/**
 * SECRET_KEY against the database (issue 27 item 2) and the schema check (item 3), on SQLite and,
 * when it runs, PostgreSQL: the check value, plain values sealed at the first keyed start, a wrong
 * or missing key refused, rotation to a new key with the old one still read meanwhile, and a schema
 * newer than the code or behind it refused with what to do.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import pg from 'pg';
import { secretBox } from '../../src/adapters/crypto.ts';
import { PostgresStore } from '../../src/adapters/storage/postgres/postgres-store.ts';
import { SqliteStore } from '../../src/adapters/storage/sqlite/sqlite-store.ts';
import { authenticateApplication } from '../../src/app/accounts/auth.ts';
import { prepareSchema } from '../../src/app/schema.ts';
import { checkSecretKey, rotateSecrets, StartupRefusal } from '../../src/app/secrets.ts';
import { SEALED_KINDS } from '../../src/ports/sealed.ts';
import type { Store } from '../../src/ports/store.ts';
import { makeTestContext } from '../support/context.ts';
import { createTestDatabase } from '../support/postgres.ts';
import { createTestLink, seedScenario, twoStepLinkBody } from '../support/scenario.ts';

const K1 = 'first-key-'.repeat(4);
const K2 = 'second-key-'.repeat(4);

async function sealedColumns(store: Store): Promise<string[]> {
  const values: string[] = [];
  for (const kind of SEALED_KINDS)
    values.push(...(await store.read((r) => r.sealedValues.page(kind, null, 1000))).map((v) => v.sealed));
  return values;
}

const refused = (pattern: RegExp) => (error: unknown) =>
  error instanceof StartupRefusal && pattern.test(error.message);

async function keyLifecycle(database: Record<string, string>, requireKey: boolean) {
  // Written without a key: a client secret and a link token in plain form.
  const plain = await makeTestContext({ database });
  const scenario = await seedScenario(plain.ctx);
  await createTestLink(plain.ctx, scenario, twoStepLinkBody(scenario));
  const store = plain.ctx.store;
  assert.ok((await sealedColumns(store)).every((v) => v.startsWith('plain:')));
  if (requireKey)
    await assert.rejects(
      checkSecretKey(store, secretBox(null), { requireKey }),
      refused(/required with DATABASE_URL/),
    );
  else assert.deepEqual(await checkSecretKey(store, secretBox(null), { requireKey }), { outcome: 'no-key' });

  // The first start with a key seals what was plain, then records the key.
  const first = await checkSecretKey(store, secretBox(K1), { requireKey });
  assert.equal(first.outcome, 'recorded');
  assert.ok(first.outcome === 'recorded' && first.sealed >= 2, 'client secret and link token sealed');
  assert.ok((await sealedColumns(store)).every((v) => !v.startsWith('plain:')));
  assert.deepEqual(await checkSecretKey(store, secretBox(K1), { requireKey }), { outcome: 'verified' });
  await assert.rejects(
    checkSecretKey(store, secretBox(K2), { requireKey }),
    refused(/not the key this database/),
  );
  await assert.rejects(
    checkSecretKey(store, secretBox(null), { requireKey: false }),
    refused(/written with a SECRET_KEY/),
  );

  // Rotation: processes run with the new key and the old one as SECRET_KEY_PREVIOUS meanwhile.
  assert.deepEqual(await checkSecretKey(store, secretBox(K2, K1), { requireKey }), { outcome: 'verified' });
  const rotation = await rotateSecrets(store, secretBox(K1), secretBox(K2));
  assert.ok(rotation.resealed >= 2);
  assert.deepEqual(rotation.unreadable, []);
  assert.deepEqual(await checkSecretKey(store, secretBox(K2), { requireKey }), { outcome: 'verified' });
  await assert.rejects(checkSecretKey(store, secretBox(K1), { requireKey }), refused(/not the key/));
  const again = await rotateSecrets(store, secretBox(K1), secretBox(K2));
  assert.equal(again.resealed, 0, 'an interrupted or repeated rotation is harmless');
  assert.equal(again.current, rotation.resealed);

  // The application's secret still authenticates under the new key alone.
  const rotated = { ...plain.ctx, secrets: secretBox(K2) };
  const application = await authenticateApplication(rotated, {
    bearer: scenario.clientSecret,
    bodyClientId: undefined,
    bodyClientSecret: undefined,
  });
  assert.equal(application.id, scenario.application.id);
  await plain.dispose();
}

test('SECRET_KEY on SQLite: optional until used, then checked; plain values sealed; rotation', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'rtseq-secrets-'));
  try {
    const path = join(dir, 'rtseq.db');
    const store = new SqliteStore(path);
    await store.migrate();
    await store.close();
    await keyLifecycle({ SQLITE_PATH: path }, false);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('SECRET_KEY on PostgreSQL: required, checked, rotated', async (t) => {
  const database = await createTestDatabase();
  if (database === null) return t.skip('PostgreSQL not reachable');
  try {
    const store = new PostgresStore(database.url, { poolMax: 2 });
    await store.migrate();
    await store.close();
    await keyLifecycle({ DATABASE_URL: database.url }, true);
  } finally {
    await database.drop();
  }
});

test('a schema newer than the code is refused; one behind it is migrated only where allowed', async (t) => {
  const database = await createTestDatabase();
  if (database === null) return t.skip('PostgreSQL not reachable');
  const store = new PostgresStore(database.url, { poolMax: 2 });
  try {
    await assert.rejects(prepareSchema(store, 'refuse'), refused(/no rtseq schema yet: run `rtseq migrate`/));
    const all = await prepareSchema(store, 'apply');
    assert.ok(all.includes('0013_settings.sql'));
    assert.deepEqual(await prepareSchema(store, 'refuse'), [], 'up to date: nothing to refuse');

    // An older schema (0013 not applied yet): refused with the missing names, then applied.
    const client = new pg.Client({ connectionString: database.url });
    await client.connect();
    try {
      await client.query("DELETE FROM schema_migrations WHERE name = '0013_settings.sql'");
      await client.query('DROP TABLE settings');
      await assert.rejects(
        prepareSchema(store, 'refuse'),
        refused(/needs migrations this rtseq brings \(0013_settings\.sql\)/),
      );
      assert.deepEqual(await prepareSchema(store, 'apply'), ['0013_settings.sql']);

      // A newer rtseq applied a migration this code does not know.
      await client.query(
        "INSERT INTO schema_migrations (name, applied_at) VALUES ('9999_from_the_future.sql', 0)",
      );
      for (const policy of ['refuse', 'apply'] as const)
        await assert.rejects(
          prepareSchema(store, policy),
          refused(/newer than this rtseq.*9999_from_the_future\.sql/),
        );
    } finally {
      await client.end();
    }
  } finally {
    await store.close();
    await database.drop();
  }
});
