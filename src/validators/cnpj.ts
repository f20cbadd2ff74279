/**
 * CNPJ (Brazil, companies). From July 2026 the first 12 characters may be
 * digits or A-Z; a character counts as its ASCII code - 48 (so 'A' = 17).
 * The two check digits stay numeric: weights 5,4,3,2,9,8,7,6,5,4,3,2 over
 * the 12, then 6,5,4,3,2,9,8,7,6,5,4,3,2 over the 12 and the first check
 * digit; a remainder below 2 gives 0.
 */
import { charValue, defineMaskIdentifier, draw, mod11CheckDigit, randomDigits, weightedSum, type Rng } from './common.js';

const W1 = [5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2];
const W2 = [6, 5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2];
const ALPHANUMERIC = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ';

export interface CnpjGenerateOptions {
  /** `numeric`: the classic all-digit CNPJ; `alphanumeric`: body characters drawn from 0-9A-Z. Default: either, at random. */
  kind?: 'numeric' | 'alphanumeric';
}

/** The two check digits of a 12-character body (0-9, A-Z). */
export function cnpjCheckDigits(body: string): [number, number] {
  const d1 = mod11CheckDigit(weightedSum(body, W1));
  const d2 = mod11CheckDigit(weightedSum(body + String(d1), W2));
  return [d1, d2];
}

export const cnpj = defineMaskIdentifier<CnpjGenerateOptions>({
  name: 'cnpj',
  label: 'CNPJ',
  mask: 'XX.XXX.XXX/XXXX-00',
  describe: '12 digits or upper-case letters A-Z followed by 2 digits',
  looseSeparators: ' .-/',
  looseUpperCase: true,
  // All zeros passes the check digits but is not a number.
  reserved: (c) => (c === '00000000000000' ? 'CNPJ 00.000.000/0000-00 is not a valid number' : null),
  checksumOk(c) {
    const [d1, d2] = cnpjCheckDigits(c.slice(0, 12));
    return charValue(c, 12) === d1 && charValue(c, 13) === d2;
  },
  generate(rng: Rng, options?: CnpjGenerateOptions) {
    const kind = options?.kind ?? (draw(rng, 2) === 0 ? 'numeric' : 'alphanumeric');
    for (;;) {
      let body = '';
      if (kind === 'numeric') body = randomDigits(rng, 12);
      else for (let i = 0; i < 12; i++) body += ALPHANUMERIC[draw(rng, ALPHANUMERIC.length)];
      const [d1, d2] = cnpjCheckDigits(body);
      const value = `${body}${d1}${d2}`;
      if (value !== '00000000000000') return value;
    }
  },
});
