/** Small runtime ports: time, randomness and secret handling, injected so tests control them. */

export interface Clock {
  /** Epoch milliseconds. */
  now(): number;
}

export interface Ids {
  /** A new identifier with a prefix, e.g. `newId('acc')` → `acc_…` (128 bits of randomness). */
  newId(prefix: string): string;
  /** A new unguessable secret token (at least 128 bits), URL-safe. */
  newToken(bytes?: number): string;
}

export interface SecretBox {
  /** True when SECRET_KEY is configured (values are sealed, not stored in plain form). */
  readonly keyed: boolean;
  /** True for a value stored before any key was configured (`plain:…`). */
  isPlain(stored: string): boolean;
  /** One-way hash for lookup of tokens and secrets (hex SHA-256). */
  hash(secret: string): string;
  /** Constant-time equality of two strings. */
  equal(a: string, b: string): boolean;
  /** Encrypts at rest when a key is configured; otherwise stores plainly (prefix says which). */
  seal(plain: string): string;
  unseal(sealed: string): string;
  /** base64 HMAC-SHA256 of `body` keyed by `key` (Cronofy-HMAC-SHA256). */
  hmacBase64(key: string, body: string): string;
}
