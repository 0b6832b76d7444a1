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

test("each command takes only its own flags: another command's is refused in one line naming them", () => {
  const refused = (argv: string[]) => {
    try {
      readArgs(argv);
    } catch (error) {
      assert.ok(error instanceof UsageError);
      return error.message;
    }
    assert.fail(`${argv.join(' ')} was accepted`);
  };
  assert.equal(
    refused(['app', 'list', '--name', 'x']),
    'rtseq: `app list` takes --json, not --name. See `rtseq app list --help`.',
  );
  assert.equal(
    refused(['migrate', '--json', '--demo']),
    'rtseq: `migrate` takes no flags, not --json, --demo. See `rtseq migrate --help`.',
  );
  assert.match(
    refused(['serve', '--client-id', 'a']),
    /^rtseq: `serve` takes --migrate, --demo, --force-demo, not --client-id\./,
  );
  assert.match(
    refused(['app', 'list', '--bogus']),
    /^rtseq: unknown flag --bogus: `app list` takes --json\. See `rtseq app list --help`\.$/,
  );
  // Their own flags, the synopsis' extras, --help and --version, and unknown commands pass.
  assert.equal(readArgs(['links', 'explain', '--id', 'lnk_1', '--json']).required('id'), 'lnk_1');
  assert.deepEqual(
    readArgs(['app', 'set', '--client-id', 'c', '--redirect-uri', 'a', '--redirect-uri', 'b']).many(
      'redirect-uri',
    ),
    ['a', 'b'],
  );
  assert.equal(readArgs(['app', 'list', '--name', 'x', '--help']).help, true);
  assert.equal(readArgs(['serve', '--migrate', '--demo', '--force-demo']).forceDemo, true);
  assert.equal(readArgs(['frobnicate', '--name', 'x']).command, 'frobnicate');
});
