import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { TOKEN_BYTES, generateToken, hashToken, isWellFormedToken, tokenMatches } from './tokens.js';
import { Secret } from './secret.js';

describe('tokens', () => {
  it('are 256-bit base64url values, all distinct', () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 500 }), (n) => {
        const tokens = Array.from({ length: n }, () => generateToken().reveal());
        expect(new Set(tokens).size).toBe(n);
        for (const t of tokens) {
          expect(t).toMatch(/^[A-Za-z0-9_-]{43}$/);
          expect(Buffer.from(t, 'base64url')).toHaveLength(TOKEN_BYTES);
          expect(TOKEN_BYTES * 8).toBe(256);
        }
      }),
      { numRuns: 20 },
    );
  });

  it('are stored as a SHA-256 digest that matches only its own token', () => {
    const token = generateToken();
    const other = generateToken();
    const hash = hashToken(token);
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    expect(hash).toBe(hashToken(token.reveal()));
    expect(hash).not.toContain(token.reveal());
    expect(tokenMatches(token, hash)).toBe(true);
    expect(tokenMatches(token.reveal(), hash.toUpperCase())).toBe(true);
    expect(tokenMatches(other, hash)).toBe(false);
    expect(tokenMatches(token, hash.slice(0, 63))).toBe(false);
    expect(tokenMatches(token, 'z'.repeat(64))).toBe(false);
  });

  it('refuses any altered token', () => {
    const token = generateToken().reveal();
    const hash = hashToken(token);
    fc.assert(
      fc.property(fc.nat({ max: token.length - 1 }), fc.constantFrom(...'ABCxyz019-_'), (i, c) => {
        fc.pre(token[i] !== c);
        expect(tokenMatches(token.slice(0, i) + c + token.slice(i + 1), hash)).toBe(false);
      }),
    );
    expect(tokenMatches(`${token}A`, hash)).toBe(false);
    expect(isWellFormedToken(token.slice(1))).toBe(false);
    expect(isWellFormedToken(`${token.slice(1)}=`)).toBe(false);
  });

  it('never show their value when logged, serialized or interpolated', () => {
    const token = generateToken();
    const value = token.reveal();
    const outputs = [JSON.stringify({ token }), String(token), `${token}`, inspect(token), inspect({ nested: { token } }), token + ''];
    for (const out of outputs) {
      expect(out).not.toContain(value);
      expect(out).toContain('[redacted]');
    }
    expect(Object.keys(token)).toEqual([]);
    expect(new Secret('x').reveal()).toBe('x');
  });
});
