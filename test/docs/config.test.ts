import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConfigError, loadConfig } from '../../src/config/config.ts';

test('2 defaults follow the specification', () => {
  const config = loadConfig({});
  assert.equal(config.port, 8080);
  assert.equal(config.host, '127.0.0.1');
  assert.equal(config.publicUrl, 'http://localhost:8080');
  assert.equal(config.sqlitePath, './data/rtseq.db');
  assert.equal(config.databaseUrl, null);
  assert.equal(config.holdSeconds, 300);
  assert.equal(config.calendarCacheSeconds, 30);
  assert.equal(config.calendarTimeoutMs, 5000);
  assert.equal(config.allowPrivateCallbacks, false);
  assert.equal(config.limits.bodyBytes, 1_048_576);
  assert.equal(config.limits.maxResults, 512);
});

test('2 PUBLIC_URL follows PORT and the config is frozen', () => {
  const config = loadConfig({ PORT: '9000' });
  assert.equal(config.publicUrl, 'http://localhost:9000');
  assert.ok(Object.isFrozen(config) && Object.isFrozen(config.limits));
});

test('2 every bad value is named in one error', () => {
  assert.throws(
    () =>
      loadConfig({
        PORT: 'eighty',
        LOG_LEVEL: 'loud',
        DATABASE_URL: 'mysql://x',
        SECRET_KEY: 'short',
        ALLOW_PRIVATE_CALLBACKS: 'perhaps',
      }),
    (error: unknown) => {
      assert.ok(error instanceof ConfigError);
      for (const name of ['PORT', 'LOG_LEVEL', 'DATABASE_URL', 'SECRET_KEY', 'ALLOW_PRIVATE_CALLBACKS']) {
        assert.match(error.message, new RegExp(name));
      }
      return true;
    },
  );
});
