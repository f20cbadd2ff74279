import { describe, it, expect } from 'vitest';
import { faker } from '@faker-js/faker';
import { abn, acn, auPhone, cnpj, cpf, InvalidIdentifierError, MODES, rngFromFloat, seededRng, tfn, type MaskIdentifier } from './index.js';

/** Published or widely documented valid numbers, as displayed. */
const KNOWN_VALID: [string, MaskIdentifier<any>, string[]][] = [
  ['CPF', cpf, ['111.444.777-35', '529.982.247-25', '123.456.789-09']],
  [
    'CNPJ',
    cnpj,
    [
      '11.222.333/0001-81',
      '00.000.000/0001-91', // Banco do Brasil
      '33.000.167/0001-01', // Petrobras
      '12.ABC.345/01DE-35', // Receita Federal's alphanumeric example
    ],
  ],
  ['ABN', abn, ['51 824 753 556' /* ATO's example */, '53 004 085 616', '33 051 775 556']],
  ['ACN', acn, ['000 000 019', '000 250 000', '005 499 981', '010 749 961' /* ASIC's examples */, '004 085 616']],
  ['TFN', tfn, ['123 456 782', '876 543 210']],
];

describe.each(KNOWN_VALID)('%s: known valid numbers', (_label, id, examples) => {
  it.each(examples)('%s', (shown) => {
    const compact = shown.replace(/[ .\-/]/g, '');
    expect(id.isValid(shown)).toBe(true);
    expect(id.isValid(compact, { mode: 'strict' })).toBe(true);
    expect(id.isValid(shown, { mode: 'strict' })).toBe(false);
    expect(id.isValid(` \t${shown}\n`, { mode: 'loose' })).toBe(true);
    expect(id.isValid(` \t${shown}\n`)).toBe(false);
    expect(id.format(compact)).toBe(shown);
    expect(id.compact(shown)).toBe(compact);
    expect(id.schema.parse(shown)).toBe(compact);
  });
});

describe('rules beyond the check digits', () => {
  it('CPF with all digits equal passes the check digits but is invalid', () => {
    for (const d of '0123456789') {
      expect(cpf.isValid(d.repeat(11), { mode: 'loose' })).toBe(false);
      expect(cpf.check(d.repeat(11))).toMatchObject({ ok: false, reason: 'reserved' });
    }
  });

  it('CNPJ of all zeros, ACN and TFN 000 000 000 are invalid', () => {
    expect(cnpj.check('00.000.000/0000-00')).toMatchObject({ ok: false, reason: 'reserved' });
    expect(acn.check('000 000 000')).toMatchObject({ ok: false, reason: 'reserved' });
    expect(tfn.check('000000000')).toMatchObject({ ok: false, reason: 'reserved' });
  });

  it('an ABN starting with 0 is invalid even when its weighted sum is a multiple of 89', () => {
    // Find one: with d1 = 0 the sum is -10 + the rest.
    let found: string | undefined;
    for (let n = 0; !found; n++) {
      const rest = String(n).padStart(10, '0');
      const w = [1, 3, 5, 7, 9, 11, 13, 15, 17, 19];
      const sum = -10 + w.reduce((s, x, i) => s + x * Number(rest[i]), 0);
      if (sum % 89 === 0) found = `0${rest}`;
    }
    expect(abn.check(found)).toMatchObject({ ok: false, reason: 'reserved', message: 'ABN cannot start with 0' });
  });

  it('8-digit TFNs are not accepted', () => {
    expect(tfn.check('12345678', { mode: 'loose' })).toMatchObject({ ok: false, reason: 'length' });
    expect(tfn.isValid('37 118 629')).toBe(false);
  });

  it('lower-case CNPJ letters are accepted in loose mode only', () => {
    expect(cnpj.isValid('12.abc.345/01de-35')).toBe(false);
    expect(cnpj.isValid('12abc34501de35', { mode: 'strict' })).toBe(false);
    expect(cnpj.isValid('12.abc.345/01de-35', { mode: 'loose' })).toBe(true);
    expect(cnpj.compact(' 12 abc 345 01de-35 ')).toBe('12ABC34501DE35');
  });
});

describe('only ASCII counts', () => {
  const traps: [string, string][] = [
    ['fullwidth digits', '\uff15\uff12\uff19\uff19\uff18\uff12\uff12\uff14\uff17\uff12\uff15'],
    ['Arabic-Indic digits', '\u0665\u0662\u0669\u0669\u0668\u0662\u0662\u0664\u0667\u0662\u0665'],
    ['trailing NBSP', '529.982.247-25\u00a0'],
    ['leading BOM', '\ufeff52998224725'],
    ['zero-width space inside', '529.982\u200b.247-25'],
    ['en dash as hyphen', '529.982.247\u201325'],
    ['line separator', '\u202852998224725'],
  ];
  it.each(traps)('CPF with %s is invalid in every mode', (_what, input) => {
    for (const mode of MODES) expect(cpf.isValid(input, { mode })).toBe(false);
  });

  it("'ı' and 'ſ' do not upper-case into CNPJ letters", () => {
    // 12.ABC.345/01DE-35 with A..E spelt with look-alikes that toUpperCase() maps to ASCII.
    expect('ı'.toUpperCase()).toBe('I');
    expect('ſ'.toUpperCase()).toBe('S');
    const valid = cnpj.generate(seededRng(3), { kind: 'alphanumeric' });
    // Pick a valid CNPJ with an I or S, then spell it with the trap letter.
    let x = valid;
    for (let seed = 0; !/[IS]/.test(x.slice(0, 12)); seed++) x = cnpj.generate(seededRng(seed), { kind: 'alphanumeric' });
    const spoofed = x.replace(/[IS]/, (c) => (c === 'I' ? 'ı' : 'ſ'));
    expect(cnpj.isValid(x)).toBe(true);
    for (const mode of MODES) expect(cnpj.isValid(spoofed, { mode })).toBe(false);
  });

  it('ASCII whitespace (tab, LF, VT, FF, CR, space) is trimmed in loose mode, nothing else', () => {
    expect(acn.isValid('\t\n\u000b\f\r 000 000 019 \r\n', { mode: 'loose' })).toBe(true);
    expect(acn.isValid('000\t000\t019', { mode: 'loose' })).toBe(false); // tabs are not ACN separators
    expect(acn.isValid('\u0085000000019', { mode: 'loose' })).toBe(false);
  });

  it('NUL, 5,000 characters and non-strings give false, never a throw', () => {
    for (const mode of MODES) {
      expect(cpf.isValid('529982247\u000025', { mode })).toBe(false);
      expect(cpf.isValid(`${'0'.repeat(4989)}52998224725`, { mode })).toBe(false);
      expect(cpf.isValid(`${' '.repeat(4989)}52998224725`, { mode })).toBe(mode === 'loose');
    }
    expect(cpf.isValid(undefined as unknown as string)).toBe(false);
    expect(cpf.isValid(52998224725 as unknown as string)).toBe(false);
    expect(cpf.isValid('52998224725', null as unknown as undefined)).toBe(true);
    expect(cpf.isValid('52998224725', { mode: 'nope' as 'strict' })).toBe(false);
  });
});

describe('format', () => {
  it('throws InvalidIdentifierError carrying the identifier and the reason', () => {
    const error = (() => {
      try {
        cnpj.format('11.222.333/0001-82');
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(InvalidIdentifierError);
    expect(error).toMatchObject({ identifier: 'cnpj', reason: 'checksum', message: 'CNPJ check digits do not match' });
    expect(() => cpf.format('')).toThrow(InvalidIdentifierError);
  });

  it('accepts anything valid in loose mode', () => {
    expect(cpf.format(' 529 982 247 25 ')).toBe('529.982.247-25');
    expect(abn.format('51824753556')).toBe('51 824 753 556');
  });
});

describe('Australian phone numbers', () => {
  const cases: [string, string, string][] = [
    // input, E.164, national display
    ['0412 345 678', '+61412345678', '0412 345 678'],
    ['(02) 9876 5432', '+61298765432', '(02) 9876 5432'],
    ['+61 2 9876 5432', '+61298765432', '(02) 9876 5432'],
    ['+61 412 345 678', '+61412345678', '0412 345 678'],
    ['0398765432', '+61398765432', '(03) 9876 5432'],
    ['+61898765432', '+61898765432', '(08) 9876 5432'],
  ];
  it.each(cases)('%s', (input, e164, national) => {
    expect(auPhone.isValid(input)).toBe(true);
    expect(auPhone.compact(input)).toBe(e164);
    expect(auPhone.format(input)).toBe(national);
    expect(auPhone.schema.parse(input)).toBe(e164);
    expect(auPhone.isValid(e164, { mode: 'strict' })).toBe(true);
  });

  it('loose mode takes 61, hyphens, parentheses and stray spaces', () => {
    expect(auPhone.compact(' 61 412-345-678 ')).toBe('+61412345678');
    expect(auPhone.isValid('(02)-9876-5432', { mode: 'loose' })).toBe(true);
    expect(auPhone.isValid('(02)-9876-5432')).toBe(false);
  });

  it('rejects other prefixes, wrong lengths and the trunk 0 after +61', () => {
    for (const s of ['0512 345 678', '0112345678', '041234567', '04123456789', '+610412345678', '1300 123 456', '+64 21 123 4567']) {
      expect(auPhone.isValid(s, { mode: 'loose' }), s).toBe(false);
    }
  });
});

describe('random sources', () => {
  it("works with a float source and with faker's seeded faker.number.int", () => {
    expect(tfn.isValid(tfn.generate(rngFromFloat(Math.random)))).toBe(true);
    faker.seed(2026);
    const a = cpf.generate((n) => faker.number.int({ max: n - 1 }));
    faker.seed(2026);
    expect(cpf.generate((n) => faker.number.int({ max: n - 1 }))).toBe(a);
    expect(cpf.isValid(a)).toBe(true);
  });
});
