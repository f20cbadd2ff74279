/**
 * Single-use tokens (email verification, password reset, invitations):
 * 32 random bytes (256 bits) as base64url, 43 characters. Only the SHA-256
 * digest is stored: a salt or a slow hash adds nothing to 256 bits of
 * entropy, and a fast digest lets the row be found by the hash. Single use
 * and expiry are the schema's and the repository's job.
 */
import { randomBytes } from 'node:crypto';
import { digestsEqual, sha256Hex } from './compare.js';
import { reveal, Secret, type SecretInput } from './secret.js';

export const TOKEN_BYTES = 32;
const TOKEN_FORMAT = /^[A-Za-z0-9_-]{43}$/;

/** A fresh token; send `reveal()` to the user, store `hashToken(token)`. */
export function generateToken(): Secret {
  return new Secret(randomBytes(TOKEN_BYTES).toString('base64url'));
}

/** Whether `token` has the shape generateToken produces (a cheap check before any lookup). */
export function isWellFormedToken(token: SecretInput): boolean {
  return TOKEN_FORMAT.test(reveal(token));
}

/** The SHA-256 digest (64 lowercase hex characters) to store and look up. */
export function hashToken(token: SecretInput): string {
  return sha256Hex(reveal(token));
}

/** Whether `token` is the one whose digest is `storedHash`, compared in constant time. */
export function tokenMatches(token: SecretInput, storedHash: string): boolean {
  return isWellFormedToken(token) && digestsEqual(hashToken(token), storedHash);
}
