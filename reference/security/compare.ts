import { createHash, timingSafeEqual } from 'node:crypto';

export function sha256Hex(value: string | Buffer): string {
  return createHash('sha256').update(value).digest('hex');
}

/**
 * Equality that takes the same time wherever the inputs differ.
 * timingSafeEqual needs equal lengths, and returning early on a length
 * mismatch would leak the length: both sides are digested to 32 bytes first.
 */
export function constantTimeEqual(a: string | Buffer, b: string | Buffer): boolean {
  const da = createHash('sha256').update(a).digest();
  const db = createHash('sha256').update(b).digest();
  return timingSafeEqual(da, db) && Buffer.byteLength(a) === Buffer.byteLength(b);
}

/** Compares two SHA-256 hex digests (64 characters) in constant time; anything else is unequal. */
export function digestsEqual(aHex: string, bHex: string): boolean {
  if (!HEX64.test(aHex) || !HEX64.test(bHex)) return false;
  return timingSafeEqual(Buffer.from(aHex.toLowerCase(), 'hex'), Buffer.from(bHex.toLowerCase(), 'hex'));
}

const HEX64 = /^[0-9a-fA-F]{64}$/;
