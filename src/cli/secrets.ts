/**
 * `rtseq secrets generate|rotate` (docs/deployment.md, "Secrets"): a new key, and moving every
 * sealed value of this database to SECRET_KEY while the servers keep running.
 */
import { randomBytes } from 'node:crypto';
import { prepareSchema } from '../app/schema.ts';
import { rotateSecrets } from '../app/secrets.ts';
import type { Config } from '../config/config.ts';
import { keyBox, openStore } from '../wiring/wire.ts';
import { type Args, UsageError } from './args.ts';
import { describeDatabase } from './context.ts';

export async function runSecretCommand(
  config: Config,
  args: Args,
  out: (text: string) => void,
): Promise<boolean> {
  if (args.sub === 'generate') {
    // 32 random bytes: the full strength of the AES-256 key derived from it.
    out(randomBytes(32).toString('base64url'));
    return true;
  }
  if (args.sub !== 'rotate') return false;
  if (config.secretKey === null)
    throw new UsageError(
      'rtseq: set SECRET_KEY to the new key (`rtseq secrets generate`), then rotate to it.',
    );
  const from = args.optional('from') ?? config.secretKeyPrevious;
  if (from !== null && from.length < 32) throw new UsageError('rtseq: --from must be at least 32 characters');
  process.stderr.write(`rtseq: database: ${describeDatabase(config)}\n`);
  const store = await openStore(config);
  try {
    await prepareSchema(store, 'refuse');
    const rotation = await rotateSecrets(store, keyBox(from), keyBox(config.secretKey));
    out(
      `Re-sealed ${rotation.resealed} value${rotation.resealed === 1 ? '' : 's'} with SECRET_KEY; ` +
        `${rotation.current} already used it.`,
    );
    if (rotation.unreadable.length > 0) {
      out(
        `${rotation.unreadable.length} value(s) opened with neither key, left as they are:\n` +
          rotation.unreadable.map((u) => `  ${u.kind} ${u.id}`).join('\n'),
      );
      process.exitCode = 1;
    }
    if (from !== null) out('Now remove SECRET_KEY_PREVIOUS (and the old key) from every process.');
  } finally {
    await store.close();
  }
  return true;
}
