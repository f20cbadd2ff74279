/**
 * API keys: `tp_<prefix>_<secret>`, where the prefix is 8 random
 * alphanumerics (shown in lists, stored as `key_prefix` = `tp_<prefix>`, used
 * to find the row) and the secret is 32 random bytes as base64url. Only the
 * SHA-256 digest of the whole key is stored, so the prefix is bound to its
 * secret; a key carries 256 bits of entropy, so a fast digest is safe.
 * Comparison is in constant time.
 */
import { randomBytes, randomInt } from 'node:crypto';
import { digestsEqual, sha256Hex } from './compare.js';
import { reveal, Secret, type SecretInput } from './secret.js';

export const API_KEY_SCHEME = 'tp';
const ALPHANUMERIC = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const PREFIX_LENGTH = 8;
const SECRET_BYTES = 32;
const KEY_FORMAT = /^(tp_[A-Za-z0-9]{8})_([A-Za-z0-9_-]{43})$/;

export interface GeneratedApiKey {
  /** The whole key: shown to its owner once, never stored. */
  key: Secret;
  /** The visible part, `tp_XXXXXXXX` (the `key_prefix` column). */
  prefix: string;
  /** SHA-256 hex of the whole key (the `key_hash` column). */
  hash: string;
}

export function generateApiKey(): GeneratedApiKey {
  // randomInt is uniform (rejection sampling): no modulo bias over 62 symbols.
  let random = '';
  for (let i = 0; i < PREFIX_LENGTH; i++) random += ALPHANUMERIC[randomInt(ALPHANUMERIC.length)];
  const prefix = `${API_KEY_SCHEME}_${random}`;
  const key = `${prefix}_${randomBytes(SECRET_BYTES).toString('base64url')}`;
  return { key: new Secret(key), prefix, hash: hashApiKey(key) };
}

/** The prefix and secret of a well-formed key, or null. */
export function parseApiKey(key: SecretInput): { prefix: string; secret: Secret } | null {
  const m = KEY_FORMAT.exec(reveal(key));
  return m ? { prefix: m[1]!, secret: new Secret(m[2]!) } : null;
}

export function hashApiKey(key: SecretInput): string {
  return sha256Hex(reveal(key));
}

/** Whether `key` is well formed and digests to `storedHash`, compared in constant time. */
export function verifyApiKey(key: SecretInput, storedHash: string): boolean {
  return parseApiKey(key) !== null && digestsEqual(hashApiKey(key), storedHash);
}
