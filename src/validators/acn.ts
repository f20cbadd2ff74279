/**
 * ACN (Australian Company Number): 8 digits weighted 8..1, then the check
 * digit (10 - sum mod 10) mod 10. 000 000 000 is not a number.
 */
import { charValue, defineMaskIdentifier, randomDigits, weightedSum, type Rng } from './common.js';

const WEIGHTS = [8, 7, 6, 5, 4, 3, 2, 1];

export function acnCheckDigit(body: string): number {
  return (10 - (weightedSum(body, WEIGHTS) % 10)) % 10;
}

export const acn = defineMaskIdentifier({
  name: 'acn',
  label: 'ACN',
  mask: '000 000 000',
  describe: '9 digits',
  looseSeparators: ' ',
  reserved: (c) => (c === '000000000' ? 'ACN 000 000 000 is not a valid number' : null),
  checksumOk: (c) => charValue(c, 8) === acnCheckDigit(c),
  generate(rng: Rng) {
    for (;;) {
      const body = randomDigits(rng, 8);
      const value = `${body}${acnCheckDigit(body)}`;
      if (value !== '000000000') return value;
    }
  },
});
