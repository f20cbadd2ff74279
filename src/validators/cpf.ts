/**
 * CPF (Brazil, individuals): 9 digits then 2 mod-11 check digits.
 * First check digit: weights 10..2 over the 9; second: weights 11..2 over the
 * 9 and the first check digit. A remainder below 2 gives 0.
 */
import { allSameChar, charValue, defineMaskIdentifier, mod11CheckDigit, randomDigits, weightedSum, type Rng } from './common.js';

const W1 = [10, 9, 8, 7, 6, 5, 4, 3, 2];
const W2 = [11, 10, 9, 8, 7, 6, 5, 4, 3, 2];

/** The two check digits of a 9-digit body. */
export function cpfCheckDigits(body: string): [number, number] {
  const d1 = mod11CheckDigit(weightedSum(body, W1));
  const d2 = mod11CheckDigit(weightedSum(body + String(d1), W2));
  return [d1, d2];
}

export const cpf = defineMaskIdentifier({
  name: 'cpf',
  label: 'CPF',
  mask: '000.000.000-00',
  describe: '11 digits',
  looseSeparators: ' .-',
  // 000.000.000-00 ... 999.999.999-99 pass the check digits but are never issued.
  reserved: (c) => (allSameChar(c) ? 'CPF with all digits equal is not a valid number' : null),
  checksumOk(c) {
    const [d1, d2] = cpfCheckDigits(c.slice(0, 9));
    return charValue(c, 9) === d1 && charValue(c, 10) === d2;
  },
  generate(rng: Rng) {
    for (;;) {
      const body = randomDigits(rng, 9);
      if (allSameChar(body)) continue; // would give an all-equal (reserved) number
      const [d1, d2] = cpfCheckDigits(body);
      return `${body}${d1}${d2}`;
    }
  },
});
