import {
  createCipheriv,
  createDecipheriv,
  createHash,
  createHmac,
  randomBytes,
  timingSafeEqual,
} from 'node:crypto';
import type { Ids, SecretBox } from '../ports/runtime.ts';

export const randomIds: Ids = {
  newId: (prefix) => `${prefix}_${randomBytes(16).toString('hex')}`,
  newToken: (bytes = 24) => randomBytes(Math.max(bytes, 16)).toString('base64url'),
};

const PLAIN = 'plain:';
const SEALED = 'aes256gcm:';

const deriveKey = (secretKey: string) => createHash('sha256').update(`rtseq:${secretKey}`).digest();

function open(key: Buffer, raw: Buffer): string {
  const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, 12));
  decipher.setAuthTag(raw.subarray(12, 28));
  return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
}

/**
 * Secrets at rest: AES-256-GCM with a key derived from SECRET_KEY when one is configured,
 * otherwise stored as `plain:…` so a key can be introduced later without a migration. During a key
 * rotation `previousKey` (SECRET_KEY_PREVIOUS) still opens what the old key sealed; new values are
 * always sealed with the current key. A wrong key fails GCM's authentication, so trying both is safe.
 */
export function secretBox(secretKey: string | null, previousKey: string | null = null): SecretBox {
  const key = secretKey === null ? null : deriveKey(secretKey);
  const keys = [key, previousKey === null ? null : deriveKey(previousKey)].filter((k) => k !== null);
  return {
    keyed: key !== null,
    isPlain: (value) => value.startsWith(PLAIN),
    hash: (secret) => createHash('sha256').update(secret).digest('hex'),
    equal(a, b) {
      const left = createHash('sha256').update(a).digest();
      const right = createHash('sha256').update(b).digest();
      return timingSafeEqual(left, right) && a.length === b.length;
    },
    seal(plain) {
      if (key === null) return PLAIN + plain;
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
      return SEALED + Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64');
    },
    unseal(sealed) {
      if (sealed.startsWith(PLAIN)) return sealed.slice(PLAIN.length);
      if (!sealed.startsWith(SEALED)) throw new Error('unknown sealed value format');
      if (keys.length === 0) throw new Error('SECRET_KEY is required to read values sealed with it');
      const raw = Buffer.from(sealed.slice(SEALED.length), 'base64');
      let failure: unknown;
      for (const candidate of keys) {
        try {
          return open(candidate, raw);
        } catch (error) {
          failure = error;
        }
      }
      throw failure;
    },
    hmacBase64: (secret, body) => createHmac('sha256', secret).update(body, 'utf8').digest('base64'),
  };
}
