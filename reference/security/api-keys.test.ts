import { inspect } from 'node:util';
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { generateApiKey, hashApiKey, parseApiKey, verifyApiKey } from './api-keys.js';

describe('API keys', () => {
  it('have the form tp_<8 alphanumerics>_<43 base64url>, a storable prefix and a SHA-256 of the whole key', () => {
    const { key, prefix, hash } = generateApiKey();
    const k = key.reveal();
    expect(k).toMatch(/^tp_[A-Za-z0-9]{8}_[A-Za-z0-9_-]{43}$/);
    expect(k.startsWith(`${prefix}_`)).toBe(true);
    // The columns' own checks: key_prefix ^[A-Za-z0-9_]{6,16}$, key_hash ^[0-9a-f]{64}$.
    expect(prefix).toMatch(/^[A-Za-z0-9_]{6,16}$/);
    expect(hash).toBe(createHash('sha256').update(k).digest('hex'));
    expect(Buffer.from(k.slice(prefix.length + 1), 'base64url')).toHaveLength(32);
  });

  it('parse and verify round trip, and keys are distinct', () => {
    const keys = Array.from({ length: 300 }, () => generateApiKey());
    expect(new Set(keys.map((k) => k.key.reveal())).size).toBe(keys.length);
    expect(new Set(keys.map((k) => k.prefix)).size).toBe(keys.length);
    for (const { key, prefix, hash } of keys) {
      const parsed = parseApiKey(key);
      expect(parsed?.prefix).toBe(prefix);
      expect(`${prefix}_${parsed?.secret.reveal()}`).toBe(key.reveal());
      expect(verifyApiKey(key, hash)).toBe(true);
      expect(verifyApiKey(key.reveal(), hashApiKey(key))).toBe(true);
    }
    expect(verifyApiKey(keys[0]!.key, keys[1]!.hash)).toBe(false);
  });

  it('reject a key altered in any one character', () => {
    const { key, hash } = generateApiKey();
    const k = key.reveal();
    fc.assert(
      fc.property(fc.nat({ max: k.length - 1 }), fc.constantFrom(...'aZ09_-x.'), (i, c) => {
        fc.pre(k[i] !== c);
        expect(verifyApiKey(k.slice(0, i) + c + k.slice(i + 1), hash)).toBe(false);
      }),
      { numRuns: 300 },
    );
  });

  it('reject truncated, extended, re-prefixed and malformed keys', () => {
    const a = generateApiKey();
    const b = generateApiKey();
    const k = a.key.reveal();
    expect(verifyApiKey(k.slice(0, -1), a.hash)).toBe(false);
    expect(verifyApiKey(`${k}A`, a.hash)).toBe(false);
    // b's prefix with a's secret: the digest covers the prefix.
    const swapped = `${b.prefix}_${parseApiKey(a.key)!.secret.reveal()}`;
    expect(parseApiKey(swapped)).not.toBeNull();
    expect(verifyApiKey(swapped, a.hash)).toBe(false);
    for (const bad of ['', 'tp__', `xx_${k.slice(3)}`, k.replace(/^tp_/, 'tp-'), ` ${k}`]) {
      expect(parseApiKey(bad)).toBeNull();
      expect(verifyApiKey(bad, a.hash)).toBe(false);
    }
  });

  it('never show the key when the generated value is logged or serialized', () => {
    const generated = generateApiKey();
    const k = generated.key.reveal();
    const secretPart = parseApiKey(k)!.secret;
    for (const out of [JSON.stringify(generated), inspect(generated), `${generated.key}`, JSON.stringify(parseApiKey(k)), inspect(secretPart)]) {
      expect(out).not.toContain(k);
      expect(out).not.toContain(secretPart.reveal());
    }
    // The prefix is meant to be visible.
    expect(JSON.stringify(generated)).toContain(generated.prefix);
  });
});
