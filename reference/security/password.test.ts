import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { DEFAULT_SCRYPT_PARAMS, MAX_PASSWORD_LENGTH, hashPassword, needsRehash, verifyPassword, type ScryptParams } from './password.js';
import { Secret } from './secret.js';

// The default cost (128 MiB, ~0.3 s) is exercised once; properties use the
// cheapest accepted cost so that they can run many cases.
const CHEAP: ScryptParams = { ln: 10, r: 8, p: 1 };

describe('password hashing (scrypt)', () => {
  it('hashes at the default policy in PHC format, verifies the password and refuses another', async () => {
    const hash = await hashPassword('correct horse battery staple');
    expect(hash).toMatch(/^\$scrypt\$ln=17,r=8,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$/);
    // Fits app.users.password_hash (length between 20 and 255).
    expect(hash.length).toBeGreaterThanOrEqual(20);
    expect(hash.length).toBeLessThanOrEqual(255);
    expect(await verifyPassword('correct horse battery staple', hash)).toBe(true);
    expect(await verifyPassword('correct horse battery stapl', hash)).toBe(false);
    expect(needsRehash(hash)).toBe(false);
  });

  it('verifies every password against its own hash and never against another password', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.string({ minLength: 1, maxLength: 80, unit: 'grapheme' }),
        fc.string({ minLength: 1, maxLength: 80, unit: 'grapheme' }),
        async (password, other) => {
          fc.pre(password.normalize('NFC') !== other.normalize('NFC'));
          const hash = await hashPassword(password, CHEAP);
          expect(await verifyPassword(password, hash)).toBe(true);
          expect(await verifyPassword(other, hash)).toBe(false);
        },
      ),
      { numRuns: 40 },
    );
  });

  it('salts every hash: the same password hashes differently each time', async () => {
    const a = await hashPassword('same password', CHEAP);
    const b = await hashPassword('same password', CHEAP);
    expect(a).not.toBe(b);
    expect(await verifyPassword('same password', a)).toBe(true);
    expect(await verifyPassword('same password', b)).toBe(true);
  });

  it('uses the whole password (no 72-byte truncation as in bcrypt)', async () => {
    const base = 'x'.repeat(100);
    const hash = await hashPassword(`${base}A`, CHEAP);
    expect(await verifyPassword(`${base}B`, hash)).toBe(false);
    expect(await verifyPassword(`${base}A`, hash)).toBe(true);
  });

  it('normalizes Unicode: composed and decomposed forms of a password are the same password', async () => {
    const composed = 'caf\u00e9-passw0rd';
    const decomposed = 'cafe\u0301-passw0rd';
    expect(composed).not.toBe(decomposed);
    const hash = await hashPassword(composed, CHEAP);
    expect(await verifyPassword(decomposed, hash)).toBe(true);
  });

  it('accepts a password wrapped in a Secret', async () => {
    const hash = await hashPassword(new Secret('wrapped secret'), CHEAP);
    expect(await verifyPassword('wrapped secret', hash)).toBe(true);
  });

  it('never verifies against a tampered, foreign or malformed hash', async () => {
    const hash = await hashPassword('tamper me', CHEAP);
    const parts = hash.split('$');
    const key = parts[4]!;
    const flipped = (key[0] === 'A' ? 'B' : 'A') + key.slice(1);
    expect(await verifyPassword('tamper me', [...parts.slice(0, 4), flipped].join('$'))).toBe(false);
    expect(await verifyPassword('tamper me', hash.replace('ln=10', 'ln=11'))).toBe(false);
    expect(await verifyPassword('tamper me', hash.replace('r=8', 'r=9'))).toBe(false);
    // A bcrypt hash (another scheme) and garbage never match.
    expect(await verifyPassword('tamper me', '$2b$12$R9h/cIPz0gi.URNNX3kh2OPST9/PgBkqquzi.Ss7KIUgO2t0jWMUW')).toBe(false);
    expect(await verifyPassword('tamper me', '')).toBe(false);
    expect(await verifyPassword('tamper me', 'tamper me')).toBe(false);
  });

  it('refuses costs from a stored hash beyond its limits instead of allocating them', async () => {
    const hash = await hashPassword('dos', CHEAP);
    const started = Date.now();
    expect(await verifyPassword('dos', hash.replace('ln=10', 'ln=30'))).toBe(false);
    expect(await verifyPassword('dos', hash.replace('ln=10', 'ln=9'))).toBe(false);
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('says when a hash needs rehashing: lower cost, other parameters, other scheme, unreadable', async () => {
    const cheap = await hashPassword('rehash', CHEAP);
    expect(needsRehash(cheap)).toBe(true);
    expect(needsRehash(cheap, CHEAP)).toBe(false);
    expect(needsRehash(cheap, { ...CHEAP, ln: 11 })).toBe(true);
    expect(needsRehash(cheap, { ...CHEAP, r: 16 })).toBe(true);
    expect(needsRehash(cheap, { ...CHEAP, p: 2 })).toBe(true);
    expect(needsRehash('$2b$12$R9h/cIPz0gi.URNNX3kh2OPST9/PgBkqquzi.Ss7KIUgO2t0jWMUW')).toBe(true);
    expect(needsRehash('not a hash')).toBe(true);
    expect(DEFAULT_SCRYPT_PARAMS).toEqual({ ln: 17, r: 8, p: 1 });
  });

  it('refuses empty and oversized passwords without echoing them', async () => {
    await expect(hashPassword('', CHEAP)).rejects.toThrow(RangeError);
    const huge = 'S3cr3t!'.repeat(MAX_PASSWORD_LENGTH);
    const err = await hashPassword(huge, CHEAP).then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    expect(err).toBeInstanceOf(RangeError);
    expect(err?.message).not.toContain('S3cr3t!');
    await expect(hashPassword('fine password', { ln: 25, r: 8, p: 1 })).rejects.toThrow(/out of range/);
    const hash = await hashPassword('x', CHEAP);
    expect(await verifyPassword('', hash)).toBe(false);
  });
});
