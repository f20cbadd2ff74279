import { describe, expect, it } from 'vitest';
import { digitPool } from '../../src/world/row-checks.js';

// Every run asks for the same pools: they are made once per process, and must not change when reused.

describe('digitPool', () => {
  it('gives the same strings for the same arguments, of the lengths asked, and others for another seed', () => {
    const a = digitPool(11);
    expect(digitPool(11)).toEqual(a);
    expect(a).toHaveLength(7 * 300);
    expect(new Set(a.map((v) => v.length))).toEqual(new Set([8, 9, 10, 11, 12, 13, 14]));
    expect(a.every((v) => /^[1-9][0-9]+$/.test(v))).toBe(true);
    expect(digitPool(12)).not.toEqual(a);
    const nines = digitPool(11, [9], 5);
    expect(nines).toHaveLength(5);
    expect(nines.every((v) => v.length === 9)).toBe(true);
  });

  it('cannot be changed by a caller', () => {
    const a = digitPool(13, [8], 3);
    expect(() => (a as string[]).push('1')).toThrow();
    expect(digitPool(13, [8], 3)).toHaveLength(3);
  });
});
