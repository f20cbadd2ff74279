/**
 * ABN (Australian Business Number): 11 digits; subtract 1 from the first
 * digit, weight the digits 10,1,3,5,7,9,11,13,15,17,19, and the sum must be a
 * multiple of 89. The first two digits are the check digits; the first is
 * never 0 (subtracting 1 would make it negative).
 */
import { defineMaskIdentifier, draw, randomDigits, weightedSum, type Rng } from './common.js';

const WEIGHTS = [10, 1, 3, 5, 7, 9, 11, 13, 15, 17, 19];

function abnSum(c: string): number {
  // 10 * (d1 - 1) = 10 * d1 - 10: weight the digits as they are, then subtract 10.
  return weightedSum(c, WEIGHTS) - 10;
}

export const abn = defineMaskIdentifier({
  name: 'abn',
  label: 'ABN',
  mask: '00 000 000 000',
  describe: '11 digits',
  looseSeparators: ' ',
  reserved: (c) => (c.charCodeAt(0) === 0x30 ? 'ABN cannot start with 0' : null),
  checksumOk: (c) => abnSum(c) % 89 === 0,
  generate(rng: Rng) {
    const rest = randomDigits(rng, 9);
    // With prefix p = 10*d1 + d2 the sum is (p - 10) + tail, so p = (10 - tail) mod 89, or that + 89
    // while it stays two digits. p must be at least 10 (first digit not 0); a solution always exists.
    const tail = weightedSum(rest, WEIGHTS.slice(2));
    const base = (((10 - tail) % 89) + 89) % 89;
    const candidates = [base, base + 89].filter((p) => p >= 10 && p <= 99);
    const prefix = candidates[draw(rng, candidates.length)] as number;
    return `${prefix}${rest}`;
  },
});
