/**
 * TFN (Australian Tax File Number): 9 digits weighted 1,4,3,7,5,8,6,9,10; the
 * sum must be a multiple of 11. Old 8-digit TFNs are not accepted.
 */
import { defineMaskIdentifier, randomDigits, weightedSum, type Rng } from './common.js';

const WEIGHTS = [1, 4, 3, 7, 5, 8, 6, 9, 10];

export const tfn = defineMaskIdentifier({
  name: 'tfn',
  label: 'TFN',
  mask: '000 000 000',
  describe: '9 digits',
  looseSeparators: ' ',
  reserved: (c) => (c === '000000000' ? 'TFN 000 000 000 is not a valid number' : null),
  checksumOk: (c) => weightedSum(c, WEIGHTS) % 11 === 0,
  generate(rng: Rng) {
    for (;;) {
      const body = randomDigits(rng, 8);
      // The last digit weighs 10 = -1 (mod 11), so it must equal the body's sum mod 11;
      // a body whose sum is 10 mod 11 has no valid last digit.
      const last = weightedSum(body, WEIGHTS.slice(0, 8)) % 11;
      if (last === 10) continue;
      const value = `${body}${last}`;
      if (value !== '000000000') return value;
    }
  },
});
