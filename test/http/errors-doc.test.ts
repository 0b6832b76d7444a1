/** docs/errors.md must document every error key the code can send, and the status table. */
import assert from 'node:assert/strict';
import { globSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { STATUS_BY_CODE } from '../../src/http/errors.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));
const doc = readFileSync(join(root, 'docs/errors.md'), 'utf8');

function keysUsedInSource(): Map<string, string> {
  const keys = new Map<string, string>();
  for (const file of globSync('src/**/*.ts', { cwd: root })) {
    if (file.endsWith('.test.ts') || file.includes('.test-support.')) continue;
    for (const match of readFileSync(join(root, file), 'utf8').matchAll(/['"`](errors\.[a-z_]+)/g)) {
      if (!keys.has(match[1]!)) keys.set(match[1]!, file);
    }
  }
  return keys;
}

describe('docs/errors.md', () => {
  it('documents every errors.* key used in src/', () => {
    const keys = keysUsedInSource();
    assert.ok(keys.size > 20, 'the scan finds the keys');
    const missing = [...keys]
      .filter(([key]) => !doc.includes(`\`${key}\``))
      .map(([key, file]) => `${key} (${file})`);
    assert.deepEqual(missing, [], 'add these keys to docs/errors.md');
  });

  it('lists every domain error code with its status', () => {
    for (const [code, status] of Object.entries(STATUS_BY_CODE)) {
      assert.match(doc, new RegExp(`\\|\\s*\`${code}\`\\s*\\|\\s*${status}`), code);
    }
  });
});
