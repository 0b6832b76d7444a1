/**
 * SECRET_KEY and what it seals (SPEC 3; docs/deployment.md, "Secrets"): the check every process
 * makes at start, the sealing of values stored before a key was set, and key rotation. Every
 * sealed column is reached through SealedValuesRepo (ports/sealed.ts), in batches, each value
 * replaced only if nobody changed it meanwhile, so all of it runs while the servers serve.
 */

import type { SecretBox } from '../ports/runtime.ts';
import { SEALED_KINDS, type SealedKind, type SealedValue } from '../ports/sealed.ts';
import type { Store } from '../ports/store.ts';

/** The setting holding a constant sealed with the database's key; opening it proves the key. */
export const KEY_CHECK_SETTING = 'secret_key_check';
const KEY_CHECK_TEXT = 'rtseq secret key check';
const BATCH = 200;

/** A start that must not go on (wrong key, newer schema…): the message says what to do. */
export class StartupRefusal extends Error {
  override name = 'StartupRefusal';
}

export type KeyCheck =
  /** The stored check value opened: this is the database's key. */
  | { readonly outcome: 'verified' }
  /** First start with a key: plain values were sealed, and the check value stored. */
  | { readonly outcome: 'recorded'; readonly sealed: number }
  /** No key, and nothing in the database needs one (SQLite only). */
  | { readonly outcome: 'no-key' };

/**
 * The warning of a database used without SECRET_KEY (SQLite only: `no-key`), or undefined. Said
 * once by `serve` (in its log) and by every CLI command that opens the database (on stderr).
 */
export function keylessWarning(check: KeyCheck): string | undefined {
  if (check.outcome !== 'no-key') return undefined;
  return (
    'SECRET_KEY is not set: client secrets, link tokens and calendar credentials are stored in plain form ' +
    'in the SQLite file. Set SECRET_KEY (`rtseq secrets generate`); what was stored before is sealed ' +
    'the first time rtseq runs with it.'
  );
}

function opens(box: SecretBox, stored: string, expected?: string): boolean {
  try {
    const plain = box.unseal(stored);
    return expected === undefined || plain === expected;
  } catch {
    return false;
  }
}

const WRONG_KEY =
  'SECRET_KEY is not the key this database was written with (nor is SECRET_KEY_PREVIOUS): with it, ' +
  'client secrets, link tokens and calendar credentials cannot be read. Start with the key the ' +
  'database was written with; `rtseq secrets rotate` moves a database to a new key.';

/**
 * Checks the configured key against the database before anything is served. With `requireKey`
 * (PostgreSQL) a missing key is refused outright; without it (SQLite) it is refused only when the
 * database holds sealed values. On the first start with a key, values stored in plain form before
 * are sealed, then the check value is written (so an interrupted first start simply resumes).
 */
export async function checkSecretKey(
  store: Store,
  box: SecretBox,
  options: { readonly requireKey: boolean },
): Promise<KeyCheck> {
  const stored = await store.read((repos) => repos.settings.get(KEY_CHECK_SETTING));
  const sample = stored ?? (await store.read((repos) => repos.sealedValues.anyKeyed()));
  if (!box.keyed) {
    if (options.requireKey)
      throw new StartupRefusal(
        'SECRET_KEY is required with DATABASE_URL: it encrypts client secrets, link tokens and calendar ' +
          'credentials, and every process must have the same one. `rtseq secrets generate` prints a new key.',
      );
    if (sample !== undefined)
      throw new StartupRefusal(
        'This database was written with a SECRET_KEY and none is set: set SECRET_KEY to that key.',
      );
    return { outcome: 'no-key' };
  }
  if (stored !== undefined) {
    if (!opens(box, stored, KEY_CHECK_TEXT)) throw new StartupRefusal(WRONG_KEY);
    return { outcome: 'verified' };
  }
  if (sample !== undefined && !opens(box, sample)) throw new StartupRefusal(WRONG_KEY);
  const sealed = await sealPlainValues(store, box);
  await store.transaction((repos) =>
    repos.settings.put(KEY_CHECK_SETTING, box.seal(KEY_CHECK_TEXT), { onlyIfAbsent: true }),
  );
  return { outcome: 'recorded', sealed };
}

/** Every value of every sealed kind, a batch at a time; `each` decides each value's replacement. */
async function eachBatch(
  store: Store,
  each: (kind: SealedKind, value: SealedValue) => string | null,
): Promise<number> {
  let replaced = 0;
  for (const kind of SEALED_KINDS) {
    let after: string | null = null;
    for (;;) {
      const page = await store.read((repos) => repos.sealedValues.page(kind, after, BATCH));
      const changes = page.flatMap((value) => {
        const next = each(kind, value);
        return next === null ? [] : [{ value, next }];
      });
      if (changes.length > 0) {
        replaced += await store.transaction(async (repos) => {
          let n = 0;
          for (const { value, next } of changes)
            if (await repos.sealedValues.replace(kind, value.id, value.sealed, next)) n++;
          return n;
        });
      }
      if (page.length < BATCH) break;
      after = page.at(-1)!.id;
    }
  }
  return replaced;
}

/** Seals, with the configured key, every value stored in plain form before a key was set. */
export function sealPlainValues(store: Store, box: SecretBox): Promise<number> {
  if (!box.keyed) return Promise.resolve(0);
  return eachBatch(store, (_kind, { sealed }) => (box.isPlain(sealed) ? box.seal(box.unseal(sealed)) : null));
}

export type Rotation = {
  /** Values re-sealed with the new key (plain ones included). */
  readonly resealed: number;
  /** Values the new key already opened. */
  readonly current: number;
  /** Values neither key opens (damaged, or sealed with a third key): listed, left as they are. */
  readonly unreadable: readonly { readonly kind: SealedKind; readonly id: string }[];
};

/**
 * Re-seals everything with `to` (the new key alone): values `from` (the old key) opens, and plain
 * ones. Values `to` already opens are left alone, so a rotation interrupted half way is simply run
 * again. The check value is moved to the new key at the end.
 */
export async function rotateSecrets(store: Store, from: SecretBox, to: SecretBox): Promise<Rotation> {
  let current = 0;
  const unreadable: { kind: SealedKind; id: string }[] = [];
  const resealed = await eachBatch(store, (kind, { id, sealed }) => {
    if (!to.isPlain(sealed) && opens(to, sealed)) {
      current++;
      return null;
    }
    if (to.isPlain(sealed) || opens(from, sealed)) return to.seal(from.unseal(sealed));
    unreadable.push({ kind, id });
    return null;
  });
  await store.transaction((repos) => repos.settings.put(KEY_CHECK_SETTING, to.seal(KEY_CHECK_TEXT)));
  return { resealed, current, unreadable };
}
