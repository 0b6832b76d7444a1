/**
 * What SECRET_KEY protects, seen from the store: every column that holds a sealed value
 * (SecretBox.seal), reachable in id order so a key rotation can re-seal them in batches while the
 * server runs, and the small settings table that keeps the key's check value.
 */

/**
 * The sealed columns. A column added later that holds a sealed value must be listed here (and in
 * the repository's table map), or `rtseq secrets rotate` would leave it under the old key.
 */
export const SEALED_KINDS = [
  'client_secret',
  'link_token',
  'calendar_source',
  'profile_credentials',
  'profile_relink',
] as const;
export type SealedKind = (typeof SEALED_KINDS)[number];

export type SealedValue = { readonly id: string; readonly sealed: string };

export interface SealedValuesRepo {
  /** Up to `limit` values of one kind with an id after `afterId` (null: from the start), by id. */
  page(kind: SealedKind, afterId: string | null, limit: number): Promise<SealedValue[]>;
  /** Replaces one value if it is still `before` (a concurrent change wins); true when replaced. */
  replace(kind: SealedKind, id: string, before: string, after: string): Promise<boolean>;
  /** Any one value that is not stored in plain form (`plain:`), to test a key against. */
  anyKeyed(): Promise<string | undefined>;
}

export interface SettingsRepo {
  get(name: string): Promise<string | undefined>;
  /** Writes the value; with `onlyIfAbsent` an existing value is kept. */
  put(name: string, value: string, options?: { readonly onlyIfAbsent?: boolean }): Promise<void>;
}

/** Migrations as the database records them against the ones this code carries. */
export type SchemaStatus = {
  /** Known to this code, not yet applied. */
  readonly pending: readonly string[];
  /** Recorded in the database, unknown to this code: a newer rtseq migrated it. */
  readonly unknown: readonly string[];
  /** True when nothing is recorded at all (a new, empty database). */
  readonly empty: boolean;
};
