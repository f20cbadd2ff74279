/**
 * Properties of the identifier validators (issue 6). The SQL twins are checked
 * against these in validators-sql.property.ts.
 *
 * What check digits really guarantee (computed, and asserted below exactly):
 * - Changing a check digit is always caught (they are a function of the body).
 * - ABN (mod 89, weights <= 19) and TFN (mod 11, weights 1..10): every single
 *   changed digit is caught: w * delta is never a multiple of the prime
 *   modulus for |delta| <= 9.
 * - ACN (mod 10): exactly these single-digit changes slip through: the 4th
 *   digit (weight 5) replaced by another digit of the same parity (4 ways), and
 *   digits 1, 3, 5, 7 (even weights) replaced by digit +/- 5 (1 way each): 8 per
 *   number, minus the one that would give 000 000 000, which is rejected.
 * - CPF (mod 11, check digit 0 for remainders 0 and 1): with r1, r2 the two
 *   sums mod 11, a single body-digit change with difference delta slips
 *   through exactly when
 *     (a) it is the 1st digit and (r1 = 1, delta = +1) or (r1 = 0, delta = -1)
 *         [weight 10 moves r1 between 0 and 1, so the first check digit stays
 *         0; weight 11 leaves the second sum unchanged mod 11]; or
 *     (b) it is the 6th digit, the number ends in 00 and (r1, r2) = (1, 0) with
 *         delta = 2 (mod 11, i.e. +2 or -9) or (r1, r2) = (0, 1) with
 *         delta = -2 (mod 11, i.e. -2 or +9) [both remainders swap 0 <-> 1];
 *   and the result is not all-equal digits.
 * - CNPJ (alphanumeric; value = ASCII - 48): a single body change from value v
 *   to v' slips through exactly when
 *     (a) v' = v (mod 11): impossible between digits, but every character has
 *         0-3 look-alikes mod 11: {0,F,Q} {1,G,R} {2,H,S} {3,I,T} {4,J,U}
 *         {5,K,V} {6,A,L,W} {7,B,M,X} {8,C,N,Y} {9,D,O,Z} {E,P}; or
 *     (b) the number ends in 00 with (r1, r2) = (1, 0) and [1st or 9th
 *         character with v' - v = 2 (mod 11), or 5th with 6 (mod 11)], or
 *         (r1, r2) = (0, 1) and [1st or 9th with 9 (mod 11), or 5th with 5];
 *   and the result is not all zeros.
 */
import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { z } from 'zod';
import { abn, acn, auPhone, cnpj, cpf, InvalidIdentifierError, MODES, seededRng, tfn, type Mode } from 'tenantproof/validators';
import { IDS, SEPARATORS, fromGenerate, inputMix, looseSpelling, phoneMix, spoofed, validNumber, type IdName } from './validators.arbitraries.js';

const RUNS = 2000;

/* ------------------------------------------------------------------------ */
/* Reference implementations: written from the published algorithms, with   */
/* regexes and arrays instead of the production code's char-code loops.     */
/* ------------------------------------------------------------------------ */

const DIGITS = '0123456789';
const LETTERS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
/** CNPJ character value: digits 0-9, letters A = 17 ... Z = 42 (ASCII - 48). */
const charVal = (ch: string) => (DIGITS.includes(ch) ? DIGITS.indexOf(ch) : 17 + LETTERS.indexOf(ch));
const dot = (weights: number[], values: number[]) => weights.reduce((sum, w, i) => sum + w * (values[i] as number), 0);
const mod11Digit = (sum: number) => (sum % 11 < 2 ? 0 : 11 - (sum % 11));

interface RefSpec {
  compact: RegExp;
  masked: RegExp;
  separators: RegExp;
  upper: boolean;
  valid(c: string): boolean;
}

const CPF_W1 = [10, 9, 8, 7, 6, 5, 4, 3, 2];
const CPF_W2 = [11, 10, 9, 8, 7, 6, 5, 4, 3, 2];
const CNPJ_W1 = [5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2];
const CNPJ_W2 = [6, 5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2];

const REF: Record<IdName, RefSpec> = {
  cpf: {
    compact: /^[0-9]{11}$/,
    masked: /^[0-9]{3}\.[0-9]{3}\.[0-9]{3}-[0-9]{2}$/,
    separators: /[ .-]/g,
    upper: false,
    valid(c) {
      const d = Array.from(c, Number);
      if (new Set(d).size === 1) return false;
      const first = mod11Digit(dot(CPF_W1, d));
      return first === d[9] && mod11Digit(dot(CPF_W2, d)) === d[10];
    },
  },
  cnpj: {
    compact: /^[0-9A-Z]{12}[0-9]{2}$/,
    masked: /^[0-9A-Z]{2}\.[0-9A-Z]{3}\.[0-9A-Z]{3}\/[0-9A-Z]{4}-[0-9]{2}$/,
    separators: /[ .\-/]/g,
    upper: true,
    valid(c) {
      if (/^0+$/.test(c)) return false;
      const v = Array.from(c, charVal);
      return mod11Digit(dot(CNPJ_W1, v)) === v[12] && mod11Digit(dot(CNPJ_W2, v)) === v[13];
    },
  },
  abn: {
    compact: /^[0-9]{11}$/,
    masked: /^[0-9]{2} [0-9]{3} [0-9]{3} [0-9]{3}$/,
    separators: / /g,
    upper: false,
    valid(c) {
      const d = Array.from(c, Number);
      if (d[0] === 0) return false;
      d[0] = (d[0] as number) - 1;
      return dot([10, 1, 3, 5, 7, 9, 11, 13, 15, 17, 19], d) % 89 === 0;
    },
  },
  acn: {
    compact: /^[0-9]{9}$/,
    masked: /^[0-9]{3} [0-9]{3} [0-9]{3}$/,
    separators: / /g,
    upper: false,
    valid(c) {
      const d = Array.from(c, Number);
      return c !== '000000000' && (10 - (dot([8, 7, 6, 5, 4, 3, 2, 1], d) % 10)) % 10 === d[8];
    },
  },
  tfn: {
    compact: /^[0-9]{9}$/,
    masked: /^[0-9]{3} [0-9]{3} [0-9]{3}$/,
    separators: / /g,
    upper: false,
    valid: (c) => c !== '000000000' && dot([1, 4, 3, 7, 5, 8, 6, 9, 10], Array.from(c, Number)) % 11 === 0,
  },
};

const reverse = (s: string) => s.split('').reverse().join('');
const trimStart = (s: string) => s.replace(/^[\t\n\v\f\r ]+/, '');
/** Trim the ASCII whitespace set (tab, LF, VT, FF, CR, space); reversal avoids a quadratic `[...]+$`. */
const refTrim = (s: string) => reverse(trimStart(reverse(trimStart(s))));

function refIsValid(name: IdName, input: string, mode: Mode): boolean {
  const spec = REF[name];
  let c: string | undefined;
  if (mode === 'strict') c = spec.compact.test(input) ? input : undefined;
  else if (mode === 'lenient') {
    c = spec.compact.test(input) ? input : spec.masked.test(input) ? input.replace(spec.separators, '') : undefined;
  } else {
    let s = refTrim(input).replace(spec.separators, '');
    if (spec.upper) s = s.replace(/[a-z]/g, (ch) => LETTERS[ch.charCodeAt(0) - 97] as string);
    c = spec.compact.test(s) ? s : undefined;
  }
  return c !== undefined && spec.valid(c);
}

/** Phone reference: build every accepted spelling of the number the input's digits name, then look the input up. */
function refPhoneIsValid(input: string, mode: Mode): boolean {
  if (mode === 'loose') {
    const s = refTrim(input).replace(/[ \-()]/g, '');
    const sig = s.startsWith('+61') ? s.slice(3) : s.startsWith('61') && s.length === 11 ? s.slice(2) : s.startsWith('0') ? s.slice(1) : '';
    return /^[2-478][0-9]{8}$/.test(sig);
  }
  const sig = (input.match(/[0-9]/g) ?? []).join('').slice(-9);
  if (!/^[2-478][0-9]{8}$/.test(sig)) return false;
  if (mode === 'strict') return input === `+61${sig}`;
  const mobile = sig[0] === '4';
  const spellings = [
    `+61${sig}`,
    `0${sig}`,
    mobile ? `0${sig.slice(0, 3)} ${sig.slice(3, 6)} ${sig.slice(6)}` : `(0${sig[0]}) ${sig.slice(1, 5)} ${sig.slice(5)}`,
    mobile ? `+61 ${sig.slice(0, 3)} ${sig.slice(3, 6)} ${sig.slice(6)}` : `+61 ${sig[0]} ${sig.slice(1, 5)} ${sig.slice(5)}`,
  ];
  return spellings.includes(input);
}

/** Replace the character at i. */
const put = (s: string, i: number, ch: string) => s.slice(0, i) + ch + s.slice(i + 1);
const mod = (a: number, m: number) => ((a % m) + m) % m;

/** Valid numbers whose check digits are biased towards the interesting case (ending in 0 or 00). */
function biasedValid(name: IdName, endsWith: string): fc.Arbitrary<string> {
  const { id } = IDS.find((x) => x.name === name)!;
  return fc.integer().map((seed) => {
    const rng = seededRng(seed);
    for (;;) {
      const x = id.generate(rng);
      if (x.endsWith(endsWith)) return x;
    }
  });
}

/* ------------------------------------------------------------------------ */

describe.each(IDS)('$name', ({ name, id }) => {
  it('every generated number is valid in every mode; format is valid lenient and compacts back', () => {
    fc.assert(
      fc.property(validNumber(name), (x) => {
        for (const mode of MODES) expect(id.isValid(x, { mode })).toBe(true);
        expect(id.isValid(x)).toBe(true);
        const f = id.format(x);
        expect(f).toHaveLength(id.mask.length);
        expect(id.isValid(f)).toBe(true);
        expect(id.isValid(f, { mode: 'strict' })).toBe(false); // the mask is not the compact form
        expect(id.compact(f)).toBe(x);
        expect(id.compact(x)).toBe(x);
        expect(id.format(f)).toBe(f);
        expect(REF[name].valid(x)).toBe(true);
      }),
      { numRuns: RUNS },
    );
  });

  it('loosely spelled valid numbers are valid in loose mode only (unless the spelling happens to be exact)', () => {
    let looseOnly = 0;
    fc.assert(
      fc.property(looseSpelling(validNumber(name), SEPARATORS[name], name === 'cnpj'), (s) => {
        expect(id.isValid(s, { mode: 'loose' })).toBe(true);
        expect(id.format(s)).toBe(id.format(id.compact(s) as string));
        if (!id.isValid(s)) looseOnly++;
      }),
      { numRuns: RUNS },
    );
    expect(looseOnly).toBeGreaterThan(RUNS / 2);
  });

  it('agrees with an independent reference implementation in every mode on the input mix', () => {
    const valid: Record<Mode, number> = { strict: 0, lenient: 0, loose: 0 };
    fc.assert(
      fc.property(inputMix(name), ({ value }) => {
        const verdicts = MODES.map((mode) => id.isValid(value, { mode }));
        const expected = MODES.map((mode) => refIsValid(name, value, mode));
        if (verdicts.some((v, k) => v !== expected[k])) expect({ value, verdicts }).toEqual({ value, verdicts: expected });
        MODES.forEach((mode, k) => expected[k] && valid[mode]++);
        expect(id.isValid(value)).toBe(expected[1]);
      }),
      { numRuns: 5 * RUNS },
    );
    // Non-vacuous: a good share of the mix is valid in each mode, and the modes differ.
    expect(valid.strict).toBeGreaterThan(RUNS / 4);
    expect(valid.lenient).toBeGreaterThan(valid.strict);
    expect(valid.loose).toBeGreaterThan(valid.lenient);
  });

  it('modes nest (strict => lenient => loose) and loose = strict on compact()', () => {
    fc.assert(
      fc.property(inputMix(name), ({ value }) => {
        const [s, l, o] = MODES.map((mode) => id.isValid(value, { mode }));
        if (s) expect(l).toBe(true);
        if (l) expect(o).toBe(true);
        const c = id.compact(value);
        expect(o).toBe(c !== null && id.isValid(c, { mode: 'strict' }));
        if (c !== null) expect(c).toMatch(name === 'cnpj' ? /^[0-9A-Z]{12}[0-9]{2}$/ : new RegExp(`^[0-9]{${id.length}}$`));
      }),
      { numRuns: 5 * RUNS },
    );
  });

  it('never throws on any string (ASCII, Unicode, NUL, traps, 5,000 characters) or non-string; format throws only InvalidIdentifierError', () => {
    const anyString = fc.oneof(
      inputMix(name).map((x) => x.value),
      fc.string({ unit: 'binary', maxLength: 40 }),
      fc.string({ unit: 'grapheme', maxLength: 20 }),
      fc.string({ unit: 'binary-ascii', minLength: 4990, maxLength: 5000 }),
    );
    let rejected = 0;
    fc.assert(
      fc.property(anyString, (s) => {
        for (const mode of [...MODES, 'bogus' as Mode]) expect(typeof id.isValid(s, { mode })).toBe('boolean');
        const c = id.compact(s);
        expect(c === null || typeof c === 'string').toBe(true);
        const r = id.check(s);
        expect(r.ok).toBe(id.isValid(s));
        if (!r.ok) expect(r.message).toContain(id.label);
        try {
          expect(id.isValid(id.format(s))).toBe(true);
        } catch (e) {
          expect(e).toBeInstanceOf(InvalidIdentifierError);
          expect((e as InvalidIdentifierError).identifier).toBe(name);
          expect(id.isValid(s, { mode: 'loose' })).toBe(false);
          rejected++;
        }
      }),
      { numRuns: RUNS },
    );
    expect(rejected).toBeGreaterThan(RUNS / 4);
    fc.assert(
      fc.property(fc.anything().filter((v) => typeof v !== 'string'), (v) => {
        expect(id.isValid(v as string)).toBe(false);
        expect(id.compact(v as string)).toBeNull();
        expect(() => id.format(v as string)).toThrow(InvalidIdentifierError);
        const r = id.schema.safeParse(v);
        expect(r.success).toBe(false);
        expect(r.error?.issues[0]?.message).toContain(id.label);
      }),
      { numRuns: 300 },
    );
    // Unknown mode: invalid, like SQL.
    expect(id.isValid(id.generate(seededRng(1)), { mode: 'Strict' as Mode })).toBe(false);
  });

  it('look-alike characters (other-script digits, ı/ſ/K, Unicode spaces and dashes) are invalid in every mode', () => {
    const valid = validNumber(name);
    fc.assert(
      fc.property(spoofed(fc.oneof(valid, valid.map((x) => id.format(x)), looseSpelling(valid, SEPARATORS[name], name === 'cnpj'))), (s) => {
        for (const mode of MODES) expect(id.isValid(s, { mode }), `${mode} ${JSON.stringify(s)}`).toBe(false);
        expect(id.compact(s)).toBeNull();
      }),
      { numRuns: RUNS },
    );
  });

  it('a changed check digit is always caught', () => {
    const checkPositions = name === 'abn' ? [0, 1] : name === 'cpf' || name === 'cnpj' ? [id.length - 2, id.length - 1] : [id.length - 1];
    fc.assert(
      fc.property(validNumber(name), (x) => {
        const slipped: string[] = [];
        for (const i of checkPositions) {
          for (const ch of DIGITS + LETTERS) if (ch !== x[i] && id.isValid(put(x, i, ch), { mode: 'loose' })) slipped.push(put(x, i, ch));
        }
        expect(slipped).toEqual([]);
      }),
      { numRuns: RUNS },
    );
  });
});

describe('single changed body character: exactly the documented exceptions slip through', () => {
  /** All strings one substitution away from x (at the given positions) that the identifier still accepts. */
  function survivors(id: { isValid: typeof cpf.isValid }, x: string, positions: number[], alphabet: string): string[] {
    const out: string[] = [];
    for (const i of positions) {
      for (const ch of alphabet) if (ch !== x[i] && id.isValid(put(x, i, ch), { mode: 'strict' })) out.push(put(x, i, ch));
    }
    return out.sort();
  }

  it('CPF: the 1st digit +/-1 when the first check digit is 0, the 6th digit when the number ends in 00', () => {
    const seen = { first: 0, sixth: 0, none: 0 };
    fc.assert(
      fc.property(fc.oneof(validNumber('cpf'), biasedValid('cpf', '0'), biasedValid('cpf', '00')), (x) => {
        const d = Array.from(x, Number);
        const r1 = dot(CPF_W1, d) % 11;
        const r2 = dot(CPF_W2, d) % 11;
        const predicted: string[] = [];
        for (let i = 0; i < 9; i++) {
          for (const ch of DIGITS) {
            if (ch === x[i]) continue;
            const delta = mod(Number(ch) - (d[i] as number), 11);
            const y = put(x, i, ch);
            const slips =
              (i === 0 && ((r1 === 1 && delta === 1) || (r1 === 0 && delta === 10))) ||
              (i === 5 && ((r1 === 1 && r2 === 0 && delta === 2) || (r1 === 0 && r2 === 1 && delta === 9)));
            if (slips && !/^(.)\1*$/.test(y)) predicted.push(y);
          }
        }
        predicted.sort();
        expect(survivors(cpf, x, [0, 1, 2, 3, 4, 5, 6, 7, 8], DIGITS)).toEqual(predicted);
        for (const y of predicted) (y[0] !== x[0] ? seen.first++ : seen.sixth++);
        if (predicted.length === 0) seen.none++;
      }),
      { numRuns: RUNS },
    );
    expect(seen.first).toBeGreaterThan(RUNS / 10);
    expect(seen.sixth).toBeGreaterThan(RUNS / 50);
    expect(seen.none).toBeGreaterThan(RUNS / 10);
  });

  it('CNPJ: look-alikes mod 11, and the 1st/5th/9th character when the number ends in 00', () => {
    const seen = { lookalike: 0, collision: 0 };
    const body = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11];
    fc.assert(
      fc.property(fc.oneof(validNumber('cnpj'), biasedValid('cnpj', '00')), (x) => {
        const v = Array.from(x, charVal);
        const r1 = dot(CNPJ_W1, v) % 11;
        const r2 = dot(CNPJ_W2, v) % 11;
        const predicted: string[] = [];
        for (const i of body) {
          for (const ch of DIGITS + LETTERS) {
            if (ch === x[i]) continue;
            const delta = mod(charVal(ch) - (v[i] as number), 11);
            const y = put(x, i, ch);
            const lookalike = delta === 0;
            const collision =
              (r1 === 1 && r2 === 0 && (((i === 0 || i === 8) && delta === 2) || (i === 4 && delta === 6))) ||
              (r1 === 0 && r2 === 1 && (((i === 0 || i === 8) && delta === 9) || (i === 4 && delta === 5)));
            if ((lookalike || collision) && y !== '00000000000000') {
              predicted.push(y);
              if (lookalike) seen.lookalike++;
              else seen.collision++;
            }
          }
        }
        predicted.sort();
        expect(survivors(cnpj, x, body, DIGITS + LETTERS)).toEqual(predicted);
        // Between digits only (the classic numeric CNPJ), look-alikes cannot happen.
        if (/^[0-9]{12}/.test(x)) for (const y of survivors(cnpj, x, body, DIGITS)) expect(y.slice(-2)).toBe('00');
      }),
      { numRuns: RUNS / 2 },
    );
    expect(seen.lookalike).toBeGreaterThan(RUNS);
    expect(seen.collision).toBeGreaterThan(RUNS / 50);
  });

  it('ACN: the 4th digit to another of the same parity, digits 1/3/5/7 to +/-5 (8 per number, 7 next to 000 000 000)', () => {
    fc.assert(
      fc.property(validNumber('acn'), (x) => {
        const predicted: string[] = [];
        for (let i = 0; i < 8; i++) {
          for (const ch of DIGITS) {
            const delta = Number(ch) - Number(x[i]);
            if (delta === 0) continue;
            if ((i === 3 && delta % 2 === 0) || ([0, 2, 4, 6].includes(i) && Math.abs(delta) === 5)) predicted.push(put(x, i, ch));
          }
        }
        const expected = predicted.filter((y) => y !== '000000000').sort();
        expect(survivors(acn, x, [0, 1, 2, 3, 4, 5, 6, 7, 8], DIGITS)).toEqual(expected);
        expect(expected.length).toBe(predicted.includes('000000000') ? 7 : 8);
      }),
      { numRuns: RUNS },
    );
    // The 8 numbers one slip away from 000 000 000, exhaustively: each has 7 survivors.
    const nearZero = ['500000000', '005000000', '000050000', '000000500', '000200000', '000400000', '000600000', '000800000'];
    for (const x of nearZero) {
      expect(acn.isValid(x, { mode: 'strict' }), x).toBe(true);
      expect(survivors(acn, x, [0, 1, 2, 3, 4, 5, 6, 7, 8], DIGITS), x).toHaveLength(7);
    }
  });

  it('ABN and TFN: every single changed digit is caught', () => {
    for (const name of ['abn', 'tfn'] as const) {
      const { id } = IDS.find((x) => x.name === name)!;
      fc.assert(
        fc.property(validNumber(name), (x) => {
          expect(survivors(id, x, Array.from({ length: id.length }, (_, i) => i), DIGITS)).toEqual([]);
        }),
        { numRuns: RUNS },
      );
    }
  });
});

describe('zod schemas', () => {
  it.each(IDS)('$name: schema accepts lenient input, returns the compact form, and names the identifier and the problem', ({ name, id }) => {
    let accepted = 0;
    fc.assert(
      fc.property(inputMix(name), ({ value }) => {
        const r = id.schema.safeParse(value);
        expect(r.success).toBe(id.isValid(value));
        if (r.success) {
          accepted++;
          expect(r.data).toBe(id.compact(value));
          expect(id.isValid(r.data, { mode: 'strict' })).toBe(true);
        } else {
          expect(r.error.issues).toHaveLength(1);
          const message = r.error.issues[0]?.message ?? '';
          expect(message).toContain(id.label);
          const c = id.check(value);
          expect(c.ok).toBe(false);
          if (!c.ok) expect(message).toBe(c.message);
        }
        const loose = id.schemaFor('loose').safeParse(value);
        expect(loose.success).toBe(id.isValid(value, { mode: 'loose' }));
      }),
      { numRuns: RUNS },
    );
    expect(accepted).toBeGreaterThan(RUNS / 5);
    // The schema composes like any zod string schema.
    const form = z.object({ n: id.schema });
    const x = id.generate(seededRng(42));
    expect(form.parse({ n: id.format(x) })).toEqual({ n: x });
  });

  it('messages say what is wrong', () => {
    const msg = (r: { success: boolean; error?: { issues: { message: string }[] } }) => r.error?.issues[0]?.message;
    expect(msg(cpf.schema.safeParse('123'))).toBe('CPF must be 11 digits or formatted as 000.000.000-00 (got 3 characters)');
    expect(msg(cpf.schema.safeParse('111.111.111-11'))).toBe('CPF with all digits equal is not a valid number');
    expect(msg(cpf.schema.safeParse('529.982.247-24'))).toBe('CPF check digits do not match');
    expect(msg(cpf.schema.safeParse('529.982.247\u201325'))).toBe("CPF has U+2013 at position 12 where '-' is expected (format 000.000.000-00)");
    expect(msg(cpf.schema.safeParse('5299822472\uff15'))).toBe('CPF has U+FF15 at position 11 where a digit is expected');
    expect(msg(cnpj.schema.safeParse('12.abc.345/01DE-35'))).toBe(
      "CNPJ has 'a' at position 4 where a digit or upper-case letter A-Z is expected (format XX.XXX.XXX/XXXX-00)",
    );
    expect(msg(cnpj.schema.safeParse('00.000.000/0000-00'))).toBe('CNPJ 00.000.000/0000-00 is not a valid number');
    expect(msg(abn.schema.safeParse('01 824 753 556'))).toBe('ABN cannot start with 0');
    expect(msg(tfn.schema.safeParse('12345678'))).toBe('TFN must be 9 digits or formatted as 000 000 000 (got 8 characters)');
    expect(msg(acn.schema.safeParse(42))).toBe('ACN must be a string, got number');
    expect(msg(auPhone.schema.safeParse('0512 345 678'))).toMatch(/^Australian phone number must be a landline \(02, 03, 07, 08\) or mobile \(04\)/);
  });
});

describe('Australian phone numbers', () => {
  const validPhone = fromGenerate((rng) => auPhone.generate(rng));

  it('generated numbers are valid in every mode; every accepted spelling compacts to the E.164 form', () => {
    fc.assert(
      fc.property(validPhone, (e164) => {
        expect(e164).toMatch(/^\+61[2-478][0-9]{8}$/);
        for (const mode of MODES) expect(auPhone.isValid(e164, { mode })).toBe(true);
        const national = auPhone.format(e164);
        const international = auPhone.formatInternational(e164);
        expect(national).toMatch(e164[3] === '4' ? /^04[0-9]{2} [0-9]{3} [0-9]{3}$/ : /^\(0[2378]\) [0-9]{4} [0-9]{4}$/);
        for (const s of [national, international, `0${e164.slice(3)}`]) {
          expect(auPhone.isValid(s), s).toBe(true);
          expect(auPhone.isValid(s, { mode: 'strict' }), s).toBe(false);
          expect(auPhone.compact(s)).toBe(e164);
          expect(auPhone.schema.parse(s)).toBe(e164);
        }
        expect(auPhone.isValid(`61${e164.slice(3)}`)).toBe(false);
        expect(auPhone.compact(`61${e164.slice(3)}`)).toBe(e164);
        expect(auPhone.format(international)).toBe(national);
      }),
      { numRuns: RUNS },
    );
  });

  it('agrees with a reference that enumerates the accepted spellings, and never throws', () => {
    const valid: Record<Mode, number> = { strict: 0, lenient: 0, loose: 0 };
    fc.assert(
      fc.property(phoneMix(), ({ value }) => {
        for (const mode of MODES) {
          const expected = refPhoneIsValid(value, mode);
          expect(auPhone.isValid(value, { mode }), `${mode} ${JSON.stringify(value)}`).toBe(expected);
          if (expected) valid[mode]++;
        }
        const c = auPhone.compact(value);
        expect(c === null ? false : auPhone.isValid(c, { mode: 'strict' })).toBe(auPhone.isValid(value, { mode: 'loose' }));
      }),
      { numRuns: 5 * RUNS },
    );
    expect(valid.strict).toBeGreaterThan(RUNS / 4);
    expect(valid.lenient).toBeGreaterThan(valid.strict);
    expect(valid.loose).toBeGreaterThan(valid.lenient);
  });

  it('only 02, 03, 04, 07 and 08 numbers with 8 more digits exist', () => {
    fc.assert(
      fc.property(fc.constantFrom(...'01569'), fc.stringMatching(/^[0-9]{8}$/), (lead, rest) => {
        expect(auPhone.isValid(`0${lead}${rest}`, { mode: 'loose' })).toBe(false);
        expect(auPhone.isValid(`+61${lead}${rest}`, { mode: 'loose' })).toBe(false);
      }),
      { numRuns: 500 },
    );
  });
});

describe('generate', () => {
  it.each(IDS)('$name: same seed, same number; different seeds spread out', ({ id }) => {
    expect(id.generate(seededRng(7))).toBe(id.generate(seededRng(7)));
    const many = new Set(Array.from({ length: 200 }, (_, i) => id.generate(seededRng(i))));
    expect(many.size).toBeGreaterThan(195);
  });

  it('CNPJ kinds: numeric has no letters; alphanumeric mostly has some', () => {
    fc.assert(
      fc.property(fc.integer(), (seed) => {
        expect(cnpj.generate(seededRng(seed), { kind: 'numeric' })).toMatch(/^[0-9]{14}$/);
      }),
    );
    const withLetters = Array.from({ length: 100 }, (_, i) => cnpj.generate(seededRng(i), { kind: 'alphanumeric' })).filter((x) =>
      /[A-Z]/.test(x),
    );
    expect(withLetters.length).toBeGreaterThan(95);
  });

  it('rejects an Rng that breaks its contract instead of biasing silently', () => {
    expect(() => cpf.generate(() => 10)).toThrow(RangeError);
    expect(() => cpf.generate(() => 0.5)).toThrow(RangeError);
    expect(() => cpf.generate(() => Number.NaN)).toThrow(RangeError);
  });
});
