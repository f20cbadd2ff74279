/**
 * Australian phone numbers (story 003): landlines 02, 03, 07, 08 and mobiles
 * 04, each followed by 8 digits, written nationally (0...) or internationally
 * (+61 without the trunk 0). No check digit: the shape is all we can verify.
 *
 * The compact form is E.164 (`+61412345678`): one spelling per number, safe to
 * store and compare. `format` gives the national display.
 */
import { buildIdentifier, deleteChars, draw, randomDigits, trimAsciiWhitespace, type CheckResult, type Codec, type Identifier, type Mode, type Rng } from './common.js';

export interface AuPhoneGenerateOptions {
  /** Default: either, at random. */
  kind?: 'mobile' | 'landline';
}

const LABEL = 'Australian phone number';
// ASCII-only classes: [0-9], never \d (which a `u`-flag or a future change could widen).
const E164 = /^\+61[2-478][0-9]{8}$/;
const LENIENT: readonly RegExp[] = [
  E164,
  /^0[2-478][0-9]{8}$/, // national, no spaces
  /^04[0-9]{2} [0-9]{3} [0-9]{3}$/, // mobile display 0412 345 678
  /^\(0[2378]\) [0-9]{4} [0-9]{4}$/, // landline display (02) 1234 5678
  /^\+61 4[0-9]{2} [0-9]{3} [0-9]{3}$/, // +61 412 345 678
  /^\+61 [2378] [0-9]{4} [0-9]{4}$/, // +61 2 1234 5678
];
const LOOSE = /^(?:\+61|61|0)([2-478][0-9]{8})$/;

/** E.164 from any accepted spelling: the 9 significant digits follow the last prefix character. */
function toE164(s: string): string {
  const digits = deleteChars(s, ' ()');
  return `+61${digits.slice(digits.length - 9)}`;
}

function wrongShape(mode: Mode): CheckResult {
  const how =
    mode === 'strict'
      ? 'in E.164 form +61 followed by 9 digits, e.g. +61412345678'
      : mode === 'lenient'
        ? 'written as 0412345678, 0412 345 678, (02) 1234 5678, +61412345678, +61 412 345 678 or +61 2 1234 5678'
        : 'a 10-digit national number (0...) or +61/61 followed by 9 digits';
  return {
    ok: false,
    reason: 'format',
    message: `${LABEL} must be a landline (02, 03, 07, 08) or mobile (04) number ${how}`,
  };
}

const codec: Codec<AuPhoneGenerateOptions> = {
  name: 'au-phone',
  label: LABEL,
  shape(input, mode) {
    if (mode === 'strict') return E164.test(input) ? { ok: true, value: input } : wrongShape(mode);
    if (mode === 'lenient') return LENIENT.some((re) => re.test(input)) ? { ok: true, value: toE164(input) } : wrongShape(mode);
    const m = LOOSE.exec(deleteChars(trimAsciiWhitespace(input), ' -()'));
    return m ? { ok: true, value: `+61${m[1] as string}` } : wrongShape(mode);
  },
  verify: () => null,
  display(e164) {
    const n = `0${e164.slice(3)}`;
    return n[1] === '4' ? `${n.slice(0, 4)} ${n.slice(4, 7)} ${n.slice(7)}` : `(${n.slice(0, 2)}) ${n.slice(2, 6)} ${n.slice(6)}`;
  },
  generate(rng: Rng, options?: AuPhoneGenerateOptions) {
    const kind = options?.kind ?? (draw(rng, 2) === 0 ? 'mobile' : 'landline');
    const lead = kind === 'mobile' ? '4' : ('2378'[draw(rng, 4)] as string);
    return `+61${lead}${randomDigits(rng, 8)}`;
  },
};

function formatInternational(input: string): string {
  const n = auPhone.format(input); // throws InvalidIdentifierError for invalid input
  const digits = n.replace(/[^0-9]/g, '').slice(1);
  return digits[0] === '4' ? `+61 ${digits.slice(0, 3)} ${digits.slice(3, 6)} ${digits.slice(6)}` : `+61 ${digits[0] as string} ${digits.slice(1, 5)} ${digits.slice(5)}`;
}

export const auPhone: Identifier<AuPhoneGenerateOptions> & { formatInternational(input: string): string } = Object.assign(buildIdentifier(codec), { formatInternational });
