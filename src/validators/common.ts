/**
 * Shared machinery for the identifier validators. Each identifier describes
 * its shape and check digits once (a spec); this module turns a spec into the
 * public API (isValid, check, compact, format, generate, schema).
 *
 * Policy, shared with sql/validators.sql: only ASCII counts. Every test here is
 * done on UTF-16 code units against ASCII ranges, never with `\d`, `trim()` or
 * `toUpperCase()`, which accept or produce non-ASCII look-alikes.
 */
import { z } from 'zod';

export type Mode = 'strict' | 'lenient' | 'loose';
export const MODES: readonly Mode[] = ['strict', 'lenient', 'loose'];

export interface ValidateOptions {
  /** Default `lenient`. An unknown mode makes every input invalid (as in SQL). */
  mode?: Mode;
}

/**
 * A seeded random source: returns an integer in [0, maxExclusive).
 * - faker: `(n) => faker.number.int({ max: n - 1 })`
 * - a float source such as Math.random: `rngFromFloat(Math.random)`
 * - a seed (e.g. from fast-check's `fc.integer()`): `seededRng(seed)`
 */
export type Rng = (maxExclusive: number) => number;

export type InvalidReason = 'not-a-string' | 'unknown-mode' | 'length' | 'character' | 'format' | 'reserved' | 'checksum';

export interface Problem {
  reason: InvalidReason;
  message: string;
}

export type CheckResult = { ok: true; value: string } | ({ ok: false } & Problem);

/** Thrown by `format` for input that is not a valid number. */
export class InvalidIdentifierError extends Error {
  override readonly name = 'InvalidIdentifierError';
  /** Which identifier was expected, e.g. `cpf`. */
  readonly identifier: string;
  readonly reason: InvalidReason;

  constructor(identifier: string, problem: Problem) {
    super(problem.message);
    this.identifier = identifier;
    this.reason = problem.reason;
  }
}

/** The API every identifier (and the phone number) exposes. */
export interface Identifier<GenerateOptions = never> {
  /** Lower-case id, e.g. `cpf`. */
  readonly name: string;
  /** Display name used in messages, e.g. `CPF`. */
  readonly label: string;
  isValid(input: string, options?: ValidateOptions): boolean;
  /** Like isValid, with the compact value or the reason it is invalid. */
  check(input: string, options?: ValidateOptions): CheckResult;
  /** Loose normalisation when the shape is right (check digits NOT verified), else null. */
  compact(input: string): string | null;
  /** Canonical display of a number valid in loose mode; throws InvalidIdentifierError otherwise. */
  format(input: string): string;
  /** A valid number in compact form. */
  generate(rng: Rng, options?: GenerateOptions): string;
  /** zod: accepts lenient input, outputs the compact form. */
  readonly schema: z.ZodType<string, string>;
  /** zod schema for another mode. */
  schemaFor(mode: Mode): z.ZodType<string, string>;
}

/** What an identifier must provide to get the API. */
export interface Codec<GenerateOptions> {
  name: string;
  label: string;
  /** The compact form if `input` has the right shape for `mode` (rules and check digits not applied). */
  shape(input: string, mode: Mode): CheckResult;
  /** Rules and check digits of a well-shaped compact value; null when valid. */
  verify(compact: string): Problem | null;
  /** Canonical display of a valid compact value. */
  display(compact: string): string;
  generate(rng: Rng, options?: GenerateOptions): string;
}

export function buildIdentifier<G>(codec: Codec<G>): Identifier<G> {
  const { name, label } = codec;

  function check(input: string, options?: ValidateOptions): CheckResult {
    // Runtime guards: callers from plain JS (or `any`) must get false, not a throw.
    if (typeof input !== 'string') {
      return { ok: false, reason: 'not-a-string', message: `${label} must be a string, got ${describeType(input)}` };
    }
    const mode = options?.mode ?? 'lenient';
    if (mode !== 'strict' && mode !== 'lenient' && mode !== 'loose') {
      return { ok: false, reason: 'unknown-mode', message: `unknown validation mode for ${label}: ${String(mode)}` };
    }
    const shaped = codec.shape(input, mode);
    if (!shaped.ok) return shaped;
    const problem = codec.verify(shaped.value);
    return problem ? { ok: false, ...problem } : shaped;
  }

  function schemaFor(mode: Mode): z.ZodType<string, string> {
    return z.string({ error: (issue) => `${label} must be a string, got ${describeType(issue.input)}` }).transform((value, ctx) => {
      const result = check(value, { mode });
      if (result.ok) return result.value;
      ctx.addIssue({ code: 'custom', message: result.message, params: { identifier: name, reason: result.reason } });
      return z.NEVER;
    });
  }

  return {
    name,
    label,
    check,
    isValid: (input, options) => check(input, options).ok,
    compact(input) {
      if (typeof input !== 'string') return null;
      const shaped = codec.shape(input, 'loose');
      return shaped.ok ? shaped.value : null;
    },
    format(input) {
      const result = check(input, { mode: 'loose' });
      if (!result.ok) throw new InvalidIdentifierError(name, result);
      return codec.display(result.value);
    },
    generate: (rng, options) => codec.generate(rng, options),
    schema: schemaFor('lenient'),
    schemaFor,
  };
}

/* ------------------------------------------------------------------------ */
/* Mask-described identifiers (CPF, CNPJ, ABN, ACN, TFN)                     */
/* ------------------------------------------------------------------------ */

export interface MaskSpec<GenerateOptions> {
  name: string;
  label: string;
  /** Canonical display: `0` a digit, `X` a digit or A-Z, anything else a literal separator. */
  mask: string;
  /** The compact form in words, for messages: `11 digits`. */
  describe: string;
  /** Characters loose mode deletes anywhere. */
  looseSeparators: string;
  /** Loose mode upper-cases ASCII a-z (CNPJ only). */
  looseUpperCase?: boolean;
  /** Why a well-shaped compact number is never issued (e.g. all digits equal), or null. */
  reserved(compact: string): string | null;
  /** Check digits of a well-shaped compact number. */
  checksumOk(compact: string): boolean;
  generate(rng: Rng, options?: GenerateOptions): string;
}

/** An identifier from its mask spec, with the spec's mask and compact length exposed. */
export type MaskIdentifier<G = never> = Identifier<G> & { readonly mask: string; readonly length: number };

const DIGIT = 0x30; // '0'

export function isAsciiDigit(code: number): boolean {
  return code >= 0x30 && code <= 0x39;
}

export function isAsciiUpper(code: number): boolean {
  return code >= 0x41 && code <= 0x5a;
}

/** Tab, LF, VT, FF, CR and space: the set both TypeScript and SQL trim in loose mode. */
export const ASCII_WHITESPACE = '\t\n\u000b\f\r ';

function isAsciiWhitespace(code: number): boolean {
  return code === 0x20 || (code >= 0x09 && code <= 0x0d);
}

/** Trim ASCII whitespace only (String#trim also strips NBSP, BOM, U+2028...). */
export function trimAsciiWhitespace(s: string): string {
  let start = 0;
  let end = s.length;
  while (start < end && isAsciiWhitespace(s.charCodeAt(start))) start++;
  while (end > start && isAsciiWhitespace(s.charCodeAt(end - 1))) end--;
  return s.slice(start, end);
}

/** Delete every occurrence of the given (ASCII) characters; upper-case a-z only when asked. */
export function deleteChars(s: string, chars: string, upperCaseAscii = false): string {
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const code = s.charCodeAt(i);
    if (chars.includes(s[i] as string)) continue;
    out += upperCaseAscii && code >= 0x61 && code <= 0x7a ? String.fromCharCode(code - 32) : s[i];
  }
  return out;
}

/** Value of a compact character in a weighted sum: its ASCII code - 48 (0-9, and 17-42 for A-Z). */
export function charValue(s: string, i: number): number {
  return s.charCodeAt(i) - DIGIT;
}

export function weightedSum(s: string, weights: readonly number[], from = 0): number {
  let sum = 0;
  for (let i = 0; i < weights.length; i++) sum += (weights[i] as number) * charValue(s, from + i);
  return sum;
}

/** CPF/CNPJ check digit: remainder below 2 gives 0, otherwise 11 - remainder. */
export function mod11CheckDigit(sum: number): number {
  const r = sum % 11;
  return r < 2 ? 0 : 11 - r;
}

export function allSameChar(s: string): boolean {
  for (let i = 1; i < s.length; i++) if (s[i] !== s[0]) return false;
  return true;
}

/** A printable description of one character for messages (never echoes control or invisible characters raw). */
export function describeChar(s: string, i: number): string {
  const cp = s.codePointAt(i) as number;
  const hex = `U+${cp.toString(16).toUpperCase().padStart(4, '0')}`;
  return cp >= 0x21 && cp <= 0x7e ? `'${String.fromCodePoint(cp)}'` : hex;
}

function describeType(value: unknown): string {
  return value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value;
}

export function defineMaskIdentifier<G = never>(spec: MaskSpec<G>): MaskIdentifier<G> {
  const { label, mask } = spec;
  // The compact class of each placeholder, in order.
  const classes: ('0' | 'X')[] = [];
  for (const c of mask) if (c === '0' || c === 'X') classes.push(c);
  const length = classes.length;
  if (length === mask.length) throw new Error(`${spec.name}: the mask must contain separators`);

  const classWord = (c: '0' | 'X') => (c === '0' ? 'a digit' : 'a digit or upper-case letter A-Z');
  const fits = (code: number, c: '0' | 'X') => isAsciiDigit(code) || (c === 'X' && isAsciiUpper(code));

  function strictShape(s: string): CheckResult {
    if (s.length !== length) {
      return { ok: false, reason: 'length', message: `${label} must be ${spec.describe} (got ${s.length} characters)` };
    }
    for (let i = 0; i < length; i++) {
      const c = classes[i] as '0' | 'X';
      if (!fits(s.charCodeAt(i), c)) {
        return {
          ok: false,
          reason: 'character',
          message: `${label} has ${describeChar(s, i)} at position ${i + 1} where ${classWord(c)} is expected`,
        };
      }
    }
    return { ok: true, value: s };
  }

  function maskedShape(s: string): CheckResult {
    let compact = '';
    for (let i = 0; i < mask.length; i++) {
      const m = mask[i] as string;
      const code = s.charCodeAt(i);
      if (m === '0' || m === 'X') {
        if (!fits(code, m)) {
          return {
            ok: false,
            reason: 'character',
            message: `${label} has ${describeChar(s, i)} at position ${i + 1} where ${classWord(m)} is expected (format ${mask})`,
          };
        }
        compact += s[i];
      } else if (s[i] !== m) {
        return {
          ok: false,
          reason: 'format',
          message: `${label} has ${describeChar(s, i)} at position ${i + 1} where '${m}' is expected (format ${mask})`,
        };
      }
    }
    return { ok: true, value: compact };
  }

  const codec: Codec<G> = {
    name: spec.name,
    label,
    shape(input, mode) {
      if (mode === 'strict') return strictShape(input);
      if (mode === 'lenient') {
        if (input.length === length) return strictShape(input);
        if (input.length === mask.length) return maskedShape(input);
        return {
          ok: false,
          reason: 'format',
          message: `${label} must be ${spec.describe} or formatted as ${mask} (got ${input.length} characters)`,
        };
      }
      return strictShape(deleteChars(trimAsciiWhitespace(input), spec.looseSeparators, spec.looseUpperCase));
    },
    verify(compact) {
      const reserved = spec.reserved(compact);
      if (reserved !== null) return { reason: 'reserved', message: reserved };
      if (!spec.checksumOk(compact)) return { reason: 'checksum', message: `${label} check digits do not match` };
      return null;
    },
    display(compact) {
      let out = '';
      let k = 0;
      for (const m of mask) out += m === '0' || m === 'X' ? compact[k++] : m;
      return out;
    },
    generate: spec.generate,
  };
  return Object.assign(buildIdentifier(codec), { mask, length });
}

/* ------------------------------------------------------------------------ */
/* Random sources                                                            */
/* ------------------------------------------------------------------------ */

/** Draw an integer in [0, n) and insist the source honoured the contract (a silent clamp would bias). */
export function draw(rng: Rng, n: number): number {
  const k = rng(n);
  if (!Number.isInteger(k) || k < 0 || k >= n) {
    throw new RangeError(`Rng returned ${String(k)} for maxExclusive ${n}; expected an integer in [0, ${n})`);
  }
  return k;
}

export function randomDigits(rng: Rng, count: number): string {
  let s = '';
  for (let i = 0; i < count; i++) s += String.fromCharCode(DIGIT + draw(rng, 10));
  return s;
}

/** Adapt a float source in [0, 1) (Math.random, a PRNG) to an Rng. */
export function rngFromFloat(next: () => number): Rng {
  return (n) => Math.min(n - 1, Math.floor(next() * n));
}

/** A small deterministic Rng (mulberry32) from a 32-bit seed. */
export function seededRng(seed: number): Rng {
  let a = seed >>> 0;
  return rngFromFloat(() => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  });
}
