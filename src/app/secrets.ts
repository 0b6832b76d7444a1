/**
 * SECRET_KEY and what it seals (SPEC 3; docs/deployment.md, "Secrets"): the check every process
 * makes at start, the sealing of values stored before a key was set, and key rotation. Every
 * sealed column is reached through SealedValuesRepo (ports/sealed.ts), in batches, each value
 * replaced only if nobody changed it meanwhile, so all of it runs while the servers serve: `serve`
 * checks the key before it listens and seals the plain values after (jobs/sealing-job.ts).
 */

import type { SecretBox } from '../ports/runtime.ts';
import { SEALED_KINDS, type SealedKind, type SealedValue } from '../ports/sealed.ts';
import type { Store } from '../ports/store.ts';

/** The setting holding a constant sealed with the database's key; opening it proves the key. */
export const KEY_CHECK_SETTING = 'secret_key_check';
/**
 * The setting written once a keyed sweep found no plain value left: from then on no process
 * writes one (a keyless one is refused), so later starts skip the sweep.
 */
export const PLAIN_SEALED_SETTING = 'secret_plain_values_sealed';
const KEY_CHECK_TEXT = 'rtseq secret key check';
const BATCH = 200;

/** A start that must not go on (wrong key, newer schema…): the message says what to do. */
export class StartupRefusal extends Error {
  override name = 'StartupRefusal';
}

export type KeyCheck =
  /** The stored check value opened: this is the database's key. */
  | { readonly outcome: 'verified' }
  /**
   * First start with a key: the check value stored, and the plain values sealed before it
   * (`sealed` of them), or left to sealPlainValuesLeft with `sealing: 'later'` (`sealed` is 0).
   */
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
 * With `sealing: 'later'` (`serve`) the check value alone is written: the caller runs
 * sealPlainValuesLeft once it serves, and every start runs it again until it has finished.
 */
export async function checkSecretKey(
  store: Store,
  box: SecretBox,
  options: { readonly requireKey: boolean; readonly sealing?: 'now' | 'later' },
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
  const sealed = options.sealing === 'later' ? 0 : await sealPlainValues(store, box);
  await store.transaction(async (repos) => {
    await repos.settings.put(KEY_CHECK_SETTING, box.seal(KEY_CHECK_TEXT), { onlyIfAbsent: true });
    if (options.sealing !== 'later') await repos.settings.put(PLAIN_SEALED_SETTING, 'yes');
  });
  return { outcome: 'recorded', sealed };
}

/** How far a sweep has gone (sealPlainValuesLeft's `onBatch`). */
export type SweepProgress = {
  /** Values looked at so far. */
  readonly scanned: number;
  /** Values replaced so far. */
  readonly replaced: number;
};

export type SweepOptions = {
  readonly batchSize?: number;
  /** Awaited between batches: a server frees its event loop there. */
  readonly pause?: () => Promise<void>;
  /** Asked before each batch; true ends the sweep there (the next start goes on). */
  readonly stopped?: () => boolean;
  readonly onBatch?: (progress: SweepProgress) => void;
};

type Sweep = SweepProgress & {
  /** False when `stopped` ended the sweep early. */
  readonly complete: boolean;
};

/**
 * Every value of every sealed kind, a batch at a time (one transaction each); `each` decides each
 * value's replacement.
 */
async function eachBatch(
  store: Store,
  each: (kind: SealedKind, value: SealedValue) => string | null,
  options: SweepOptions = {},
): Promise<Sweep> {
  const batch = options.batchSize ?? BATCH;
  let replaced = 0;
  let scanned = 0;
  for (const kind of SEALED_KINDS) {
    let after: string | null = null;
    for (;;) {
      if (options.stopped?.() === true) return { scanned, replaced, complete: false };
      const page = await store.read((repos) => repos.sealedValues.page(kind, after, batch));
      scanned += page.length;
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
      options.onBatch?.({ scanned, replaced });
      if (page.length < batch) break;
      after = page.at(-1)!.id;
      await options.pause?.();
    }
  }
  return { scanned, replaced, complete: true };
}

const sealIfPlain = (box: SecretBox) => (_kind: SealedKind, value: SealedValue) =>
  box.isPlain(value.sealed) ? box.seal(box.unseal(value.sealed)) : null;

/** Seals, with the configured key, every value stored in plain form before a key was set. */
export async function sealPlainValues(store: Store, box: SecretBox): Promise<number> {
  if (!box.keyed) return 0;
  return (await eachBatch(store, sealIfPlain(box))).replaced;
}

/**
 * What `serve` runs once it listens: seals the values still stored in plain form, in short
 * batches, unless an earlier sweep finished (PLAIN_SEALED_SETTING), which it records when it
 * finishes. Values still plain meanwhile are read as they are (SecretBox.unseal opens `plain:`).
 * Undefined when there is nothing to do (no key, or swept before).
 */
export async function sealPlainValuesLeft(
  store: Store,
  box: SecretBox,
  options: SweepOptions = {},
): Promise<Sweep | undefined> {
  if (!box.keyed) return undefined;
  if ((await store.read((repos) => repos.settings.get(PLAIN_SEALED_SETTING))) !== undefined) return undefined;
  const sweep = await eachBatch(store, sealIfPlain(box), options);
  if (sweep.complete) await store.transaction((repos) => repos.settings.put(PLAIN_SEALED_SETTING, 'yes'));
  return sweep;
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
  const { replaced: resealed } = await eachBatch(store, (kind, { id, sealed }) => {
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
