/**
 * fast-check arbitraries for the validator properties (shared by
 * validators.property.ts and validators-sql.property.ts). Test-only: kept out
 * of src so production code does not import fast-check.
 */
import fc from 'fast-check';
import { abn, acn, auPhone, cnpj, cpf, seededRng, tfn, type MaskIdentifier, type Rng } from 'tenantproof/validators';

export type IdName = 'cpf' | 'cnpj' | 'abn' | 'acn' | 'tfn';
export const IDS: readonly { name: IdName; id: MaskIdentifier<any> }[] = [
  { name: 'cpf', id: cpf },
  { name: 'cnpj', id: cnpj },
  { name: 'abn', id: abn },
  { name: 'acn', id: acn },
  { name: 'tfn', id: tfn },
];

/** Separators per identifier, as loose mode deletes them. */
export const SEPARATORS: Record<IdName | 'auPhone', string> = {
  cpf: ' .-',
  cnpj: ' .-/',
  abn: ' ',
  acn: ' ',
  tfn: ' ',
  auPhone: ' -()',
};

export const ASCII_WS = ['\t', '\n', '\u000b', '\f', '\r', ' '];

/**
 * Characters that look like digits, separators or whitespace but must make
 * an input invalid: non-ASCII digits, Unicode spaces and invisible
 * characters (JS trim() strips several of these), letters whose upper case is
 * ASCII or several characters, dash look-alikes.
 */
export const TRAPS: readonly string[] = [
  '\uff10', '\uff11', '\uff15', '\uff19', // fullwidth digits
  '\u0660', '\u0663', '\u0669', // Arabic-Indic digits
  '\u06f0', '\u06f5', // extended Arabic-Indic
  '\u0966', '\u096f', // Devanagari
  '\u00b2', '\u00b9', // superscripts
  '\u{1d7ce}', '\u{1d7d7}', // mathematical bold digits (astral)
  '\u00a0', '\u202f', '\u2007', '\u3000', '\u2028', '\u2029', '\u0085', '\u1680', // Unicode spaces
  '\ufeff', '\u200b', '\u200c', '\u200d', '\u2060', '\u00ad', // BOM, zero-width, soft hyphen
  '\u0131', '\u017f', '\u00df', '\ufb00', '\ufb01', '\u212a', // ı ſ ß ﬀ ﬁ K(elvin)
  '\uff21', '\uff41', // fullwidth A a
  '\u2010', '\u2011', '\u2013', '\u2212', '\uff0e', '\uff0d', '\u2024', // dash and dot look-alikes
  '\u0301', // combining acute
  '\u001c', '\u001d', '\u001e', '\u001f', // information separators (Python's isspace counts them)
];

/**
 * A valid number drawn by the identifier's own generate(): the first draws
 * come from fast-check (so failures shrink towards small digits), then a
 * seeded PRNG takes over so rejection loops always terminate.
 */
export function fromGenerate(generate: (rng: Rng) => string): fc.Arbitrary<string> {
  return fc.tuple(fc.array(fc.nat({ max: 1 << 20 }), { maxLength: 40 }), fc.integer()).map(([draws, seed]) => {
    const fallback = seededRng(seed);
    let i = 0;
    return generate((n) => (i < draws.length ? (draws[i++] as number) % n : fallback(n)));
  });
}

export function validNumber(name: IdName): fc.Arbitrary<string> {
  const { id } = IDS.find((x) => x.name === name)!;
  if (name === 'cnpj') {
    return fc.oneof(
      fromGenerate((rng) => cnpj.generate(rng, { kind: 'numeric' })),
      fromGenerate((rng) => cnpj.generate(rng, { kind: 'alphanumeric' })),
    );
  }
  return fromGenerate((rng) => id.generate(rng));
}

/** Insert random separators / ASCII whitespace between characters and around the value; CNPJ letters may turn lower case. */
export function looseSpelling(value: fc.Arbitrary<string>, separators: string, lowerCase = false): fc.Arbitrary<string> {
  const sep = fc.string({ unit: fc.constantFrom(...separators), maxLength: 2 });
  const ws = fc.string({ unit: fc.constantFrom(...ASCII_WS), maxLength: 3 });
  return value.chain((v) =>
    fc
      .tuple(ws, fc.array(sep, { minLength: v.length, maxLength: v.length }), ws, fc.boolean())
      .map(([lead, seps, trail, lower]) => {
        let s = lead;
        for (let i = 0; i < v.length; i++) {
          const ch = v[i] as string;
          s += (lowerCase && lower ? ch.toLowerCase() : ch) + (i < v.length - 1 ? (seps[i] as string) : '');
        }
        return s + trail;
      }),
  );
}

const EDIT_POOL: readonly string[] = [
  ...'0123456789',
  ...'ABCDEFGHIJKLMNOPQRSTUVWXYZ',
  ...'abcxyz',
  ...' .-/()+',
  ...ASCII_WS,
  ...TRAPS,
];

/** 1-3 random edits: replace, insert, delete, or swap neighbours. */
export function mutated(value: fc.Arbitrary<string>): fc.Arbitrary<string> {
  const edit = fc.tuple(fc.constantFrom('replace', 'insert', 'delete', 'swap'), fc.nat(), fc.constantFrom(...EDIT_POOL));
  return fc.tuple(value, fc.array(edit, { minLength: 1, maxLength: 3 })).map(([v, edits]) => {
    let s = v;
    for (const [kind, at, ch] of edits) {
      const i = s.length === 0 ? 0 : at % s.length;
      if (kind === 'replace') s = s.slice(0, i) + ch + s.slice(i + 1);
      else if (kind === 'insert') s = s.slice(0, i) + ch + s.slice(i);
      else if (kind === 'delete') s = s.slice(0, i) + s.slice(i + 1);
      else if (s.length > 1) {
        const j = Math.min(i, s.length - 2);
        s = s.slice(0, j) + s[j + 1] + s[j] + s.slice(j + 2);
      }
    }
    return s;
  });
}

/** A trap character put into an otherwise good spelling. */
export function withTrap(value: fc.Arbitrary<string>): fc.Arbitrary<string> {
  return fc.tuple(value, fc.nat(), fc.constantFrom(...TRAPS), fc.boolean()).map(([v, at, trap, replace]) => {
    const i = at % (v.length + 1);
    return v.slice(0, i) + trap + v.slice(i + (replace ? 1 : 0));
  });
}

/**
 * Look-alikes for what the validators accept: the same digit in another
 * script, letters whose JS/PostgreSQL upper case is the ASCII letter, Unicode
 * spaces and dashes. Each must make the input invalid.
 */
const LOOKALIKES: Record<string, readonly string[]> = {
  ...Object.fromEntries(
    Array.from({ length: 10 }, (_, d) => [
      String(d),
      [String.fromCodePoint(0xff10 + d), String.fromCodePoint(0x0660 + d), String.fromCodePoint(0x06f0 + d), String.fromCodePoint(0x1d7ce + d)],
    ]),
  ),
  I: ['\u0131', '\uff29'], // dotless i upper-cases to I
  S: ['\u017f', '\uff33'], // long s upper-cases to S
  K: ['\u212a'], // Kelvin sign
  i: ['\u0131'],
  s: ['\u017f'],
  k: ['\u212a'],
  A: ['\uff21', '\u0391'], // fullwidth A, Greek Alpha
  ' ': ['\u00a0', '\u2007', '\u202f', '\u3000', '\ufeff', '\u200b'],
  '-': ['\u2010', '\u2011', '\u2013', '\u2212', '\uff0d'],
  '.': ['\uff0e', '\u2024', '\u00b7'],
  '/': ['\u2215', '\uff0f'],
  '+': ['\uff0b'],
  '(': ['\uff08'],
  ')': ['\uff09'],
};

/** Replace one to three characters that have look-alikes by a look-alike. */
export function spoofed(value: fc.Arbitrary<string>): fc.Arbitrary<string> {
  return fc.tuple(value, fc.array(fc.tuple(fc.nat(), fc.nat()), { minLength: 1, maxLength: 3 })).map(([v, picks]) => {
    const chars = Array.from(v);
    const candidates = chars.flatMap((ch, i) => (LOOKALIKES[ch] ? [i] : []));
    if (candidates.length === 0) return `${v}\u00a0`;
    for (const [at, which] of picks) {
      const i = candidates[at % candidates.length] as number;
      const options = LOOKALIKES[v[i] as string] ?? [];
      if (options.length > 0) chars[i] = options[which % options.length] as string;
    }
    return chars.join('');
  });
}

/** Long strings without paying fast-check per character: a valid number padded with repeated filler. */
export function longString(value: fc.Arbitrary<string>): fc.Arbitrary<string> {
  return fc
    .tuple(value, fc.integer({ min: 100, max: 5000 }), fc.constantFrom(' ', '0', '\t', '.', 'A', '\u00a0', '12'), fc.boolean())
    .map(([v, n, filler, before]) => (before ? filler.repeat(n) + v : v + filler.repeat(n)));
}

const digitsAndSeparators = fc.string({ unit: fc.constantFrom(...'0123456789 .-/', '\t'), maxLength: 24 });

/** The shared input mix for one identifier: valid, formatted, loosely spelled, mutated, random, traps, long. */
export function inputMix(name: IdName): fc.Arbitrary<{ origin: string; value: string }> {
  const { id } = IDS.find((x) => x.name === name)!;
  const valid = validNumber(name);
  const masked = valid.map((v) => id.format(v));
  const loose = looseSpelling(valid, SEPARATORS[name], name === 'cnpj');
  const tag = (origin: string) => (a: fc.Arbitrary<string>) => a.map((value) => ({ origin, value }));
  return fc.oneof(
    { weight: 3, arbitrary: tag('valid')(valid) },
    { weight: 3, arbitrary: tag('masked')(masked) },
    { weight: 3, arbitrary: tag('loose')(loose) },
    { weight: 6, arbitrary: tag('mutated')(mutated(fc.oneof(valid, masked, loose))) },
    { weight: 2, arbitrary: tag('trap')(withTrap(fc.oneof(valid, masked))) },
    { weight: 2, arbitrary: tag('spoofed')(spoofed(fc.oneof(valid, masked, loose))) },
    { weight: 2, arbitrary: tag('digits')(digitsAndSeparators) },
    { weight: 2, arbitrary: tag('ascii')(fc.string({ unit: 'binary-ascii', maxLength: 30 })) },
    { weight: 1, arbitrary: tag('unicode')(fc.string({ unit: 'binary', maxLength: 30 })) },
    { weight: 1, arbitrary: tag('long')(longString(fc.oneof(valid, masked))) },
  );
}

/** The input mix for the Australian phone number. */
export function phoneMix(): fc.Arbitrary<{ origin: string; value: string }> {
  const valid = fromGenerate((rng) => auPhone.generate(rng));
  const spelled = valid.chain((v) =>
    fc.constantFrom(auPhone.format(v), auPhone.formatInternational(v), `0${v.slice(3)}`, `61${v.slice(3)}`, v),
  );
  const loose = looseSpelling(spelled, ' -()');
  const tag = (origin: string) => (a: fc.Arbitrary<string>) => a.map((value) => ({ origin, value }));
  return fc.oneof(
    { weight: 3, arbitrary: tag('valid')(valid) },
    { weight: 3, arbitrary: tag('spelled')(spelled) },
    { weight: 3, arbitrary: tag('loose')(loose) },
    { weight: 6, arbitrary: tag('mutated')(mutated(fc.oneof(valid, spelled, loose))) },
    { weight: 2, arbitrary: tag('trap')(withTrap(spelled)) },
    { weight: 2, arbitrary: tag('spoofed')(spoofed(fc.oneof(spelled, loose))) },
    { weight: 2, arbitrary: tag('digits')(fc.string({ unit: fc.constantFrom(...'0123456789 +-()'), maxLength: 20 })) },
    { weight: 2, arbitrary: tag('ascii')(fc.string({ unit: 'binary-ascii', maxLength: 24 })) },
    { weight: 1, arbitrary: tag('unicode')(fc.string({ unit: 'binary', maxLength: 24 })) },
    { weight: 1, arbitrary: tag('long')(longString(spelled)) },
  );
}
