import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { CONFIG_KEYS } from '../../src/config/config.ts';

const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');

test('README documents every configuration key', () => {
  const missing = CONFIG_KEYS.filter((key) => !readme.includes(`\`${key.name}\``)).map((k) => k.name);
  assert.deepEqual(missing, []);
});

test('README shows the two commands of the quick start', () => {
  assert.match(readme, /npm install && npm start/);
  assert.match(readme, /^npm test$/m);
});
