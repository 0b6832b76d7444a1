import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readArgs, UsageError } from './args.ts';

test('a string flag takes the next word even when it begins with a dash (base64url ids)', () => {
  const args = readArgs(['app', 'rotate-secret', '--client-id', '-Ab_c', '--json']);
  assert.equal(args.command, 'app');
  assert.equal(args.sub, 'rotate-secret');
  assert.equal(args.required('client-id'), '-Ab_c');
  assert.equal(args.json, true);
});

test('the --flag=value form and a missing value still read as before', () => {
  assert.equal(readArgs(['callbacks', 'replay', '--id=cb_1']).required('id'), 'cb_1');
  assert.throws(() => readArgs(['callbacks', 'replay', '--id']), UsageError);
  assert.throws(() => readArgs(['app', 'list', '--bogus']), UsageError);
});
