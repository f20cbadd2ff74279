/**
 * The SQL validators (sql/validators.sql) agree with the TypeScript ones on
 * every mode, for at least 100,000 random inputs per identifier, compared in
 * batches of 5,000 per round trip. PostgreSQL text cannot hold NUL, so NUL is
 * removed from the SQL inputs (the TypeScript side is tested with NUL in
 * validators.property.ts).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { sql, type ConnectionPool } from '@databases/pg';
import { freshDatabase } from '../tests/support/database.js';
import { openPool } from 'tenantproof';
import { auPhone, cpf, MODES, seededRng, type Identifier, type MaskIdentifier, type Mode } from 'tenantproof/validators';
import { IDS, inputMix, phoneMix } from './validators.arbitraries.js';

const SQL_FILE = fileURLToPath(new URL('../sql/validators.sql', import.meta.url));
const CASES_PER_IDENTIFIER = 100_000;
const BATCH = 5_000;

/**
 * The databases this file runs against: the one place to change. `db` is the
 * migrated test database (C locale). `icu` is a blank database whose default
 * collation is ICU Turkish, where upper('i') = 'İ', upper('ı') = 'I' and \d
 * matches other scripts' digits: the validators must not care, and SQL-standard
 * function bodies pin the collation to the database default, so only a
 * database with another default shows it. Loading the file into a blank
 * database also shows that it depends on nothing else.
 */
async function openDatabases(): Promise<{ db: ConnectionPool; icu: ConnectionPool; drop(): Promise<void> }> {
  const t = await freshDatabase();
  // Until a migration carries sql/validators.sql, load it (it is idempotent and self-contained).
  const [row] = await t.db.query(sql`select to_regprocedure('validators.is_valid_cpf(text,text)') is not null as present`);
  if (!row?.present) await t.db.query(sql.file(SQL_FILE));
  const icuName = `${t.name}_icu`;
  await t.db.query(sql`create database ${sql.ident(icuName)} with template template0 encoding 'UTF8'
    locale_provider icu icu_locale 'tr-TR' lc_collate 'C' lc_ctype 'C'`);
  const url = new URL(t.url);
  url.pathname = `/${icuName}`;
  const icu = await openPool({ connectionString: url.toString(), poolSize: 2, warm: 1 });
  await icu.query(sql.file(SQL_FILE));
  return {
    db: t.db,
    icu,
    drop: async () => {
      await icu.dispose();
      await t.db.query(sql`drop database if exists ${sql.ident(icuName)} with (force)`);
      await t.drop();
    },
  };
}

let t: { db: ConnectionPool; icu: ConnectionPool; drop(): Promise<void> };
beforeAll(async () => {
  t = await openDatabases();
});
afterAll(async () => t?.drop());

const TARGETS: { name: string; fn: string; id: Identifier<any>; mix: fc.Arbitrary<{ origin: string; value: string }> }[] = [
  ...IDS.map(({ name, id }) => ({ name, fn: `is_valid_${name}`, id, mix: inputMix(name) })),
  { name: 'auPhone', fn: 'is_valid_au_phone', id: auPhone, mix: phoneMix() },
];

/** Columns compared per input: the three modes, the default, and an unknown mode (false on both sides). */
const COLUMNS: { label: string; mode: Mode | undefined }[] = [
  ...MODES.map((mode) => ({ label: mode, mode })),
  { label: 'default', mode: undefined },
  { label: 'unknown', mode: 'Strict' as Mode },
];

async function sqlVerdicts(db: ConnectionPool, fn: string, values: string[]): Promise<(boolean | null)[][]> {
  const f = sql.ident('validators', fn);
  const rows = await db.query(sql`
    select ${f}(v, 'strict') as strict, ${f}(v, 'lenient') as lenient, ${f}(v, 'loose') as loose,
           ${f}(v) as "default", ${f}(v, 'Strict') as unknown
    from unnest(${values}::text[]) with ordinality as u(v, i)
    order by i`);
  return rows.map((r) => COLUMNS.map((c) => r[c.label] as boolean | null));
}

describe.each(TARGETS)('validators.$fn agrees with TypeScript', ({ fn, id, mix }) => {
  it(`on ${CASES_PER_IDENTIFIER} random inputs in every mode`, async () => {
    const stats = { compared: 0, trueByMode: [0, 0, 0, 0, 0], origins: new Map<string, number>() };
    const withoutNul = mix.map(({ origin, value }) => ({ origin, value: value.replace(/\u0000/g, '') }));
    // The property draws a seed; the batch is sampled from it, so a failure reports the seed and
    // the few disagreeing inputs rather than 5,000 strings (and no slow shrinking of a batch).
    await fc.assert(
      fc.asyncProperty(fc.noShrink(fc.integer()), async (seed) => {
        const batch = fc.sample(withoutNul, { numRuns: BATCH, seed });
        const values = batch.map((x) => x.value);
        const [inC, inIcu] = await Promise.all([sqlVerdicts(t.db, fn, values), sqlVerdicts(t.icu, fn, values)]);
        expect(inC).toHaveLength(values.length);
        expect(inIcu).toHaveLength(values.length);
        const disagreements: unknown[] = [];
        batch.forEach(({ origin, value }, i) => {
          stats.origins.set(origin, (stats.origins.get(origin) ?? 0) + 1);
          const ts = COLUMNS.map((c) => (c.mode === undefined ? id.isValid(value) : id.isValid(value, { mode: c.mode })));
          for (const [database, verdicts] of [['C', inC], ['ICU tr-TR', inIcu]] as const) {
            const db = verdicts[i] as (boolean | null)[];
            ts.forEach((v, k) => {
              if (db[k] !== v) disagreements.push({ value, origin, database, mode: COLUMNS[k]?.label, typescript: v, sql: db[k] });
            });
            // Generated numbers are valid in every mode in SQL too; their display form in lenient and loose.
            if (origin === 'valid') expect(db.slice(0, 4), value).toEqual([true, true, true, true]);
            if (origin === 'masked') expect(db.slice(1, 4), value).toEqual([true, true, true]);
          }
          ts.forEach((v, k) => {
            if (v) stats.trueByMode[k] = (stats.trueByMode[k] ?? 0) + 1;
          });
        });
        stats.compared += values.length;
        expect(disagreements.length, `TypeScript and SQL disagree:\n${JSON.stringify(disagreements.slice(0, 10), null, 1)}`).toBe(0);
      }),
      { numRuns: Math.ceil(CASES_PER_IDENTIFIER / BATCH) },
    );
    expect(stats.compared).toBeGreaterThanOrEqual(CASES_PER_IDENTIFIER);
    // Non-vacuous: every kind of input was drawn, and each mode saw both answers in quantity.
    const expectedOrigins = ['valid', 'loose', 'mutated', 'trap', 'spoofed', 'digits', 'ascii', 'unicode', 'long'];
    for (const o of expectedOrigins) expect(stats.origins.get(o) ?? 0, o).toBeGreaterThan(CASES_PER_IDENTIFIER / 100);
    const [strict, lenient, loose, dflt, unknown] = stats.trueByMode as [number, number, number, number, number];
    expect(strict).toBeGreaterThan(CASES_PER_IDENTIFIER / 10);
    expect(lenient).toBeGreaterThan(strict);
    expect(loose).toBeGreaterThan(lenient);
    expect(loose).toBeLessThan(CASES_PER_IDENTIFIER * 0.9);
    expect(dflt).toBe(lenient);
    expect(unknown).toBe(0);
  });
});

describe('SQL validators: edge cases agree with TypeScript in both databases', () => {
  /** Numbers that pass the check digits but are reserved (all digits equal, all zeros, ABN with a leading 0), in every spelling. */
  function edges(id: MaskIdentifier<any>): string[] {
    const fill = (digits: string) => {
      let k = 0;
      return id.mask.replace(/[0X]/g, () => digits[k++] as string);
    };
    const out = ['', ' ', '\t', '-', 'null', 'NULL', '0', id.mask, id.mask.replace(/X/g, '0')];
    for (const d of '0123456789') {
      const compact = d.repeat(id.length);
      out.push(compact, fill(compact), ` ${fill(compact)} `, compact.slice(1), `${compact}0`);
    }
    // ABN-style: a leading 0 whose weighted sum is still a multiple of 89.
    for (let n = 0, found = 0; found < 3 && n < 1e6; n++) {
      const x = `0${String(n).padStart(id.length - 1, '0')}`;
      if (id.name === 'abn' && [...x].reduce((sum, c, i) => sum + [10, 1, 3, 5, 7, 9, 11, 13, 15, 17, 19][i]! * (Number(c) - (i === 0 ? 1 : 0)), 0) % 89 === 0) {
        out.push(x, fill(x));
        found++;
      }
    }
    return out;
  }

  it.each(IDS)('$name', async ({ name, id }) => {
    const values = edges(id);
    const fn = `is_valid_${name}`;
    const [inC, inIcu] = await Promise.all([sqlVerdicts(t.db, fn, values), sqlVerdicts(t.icu, fn, values)]);
    const ts = values.map((v) => COLUMNS.map((c) => (c.mode === undefined ? id.isValid(v) : id.isValid(v, { mode: c.mode }))));
    expect(inC).toEqual(ts);
    expect(inIcu).toEqual(ts);
    // None is valid, and the reserved ones (which pass their check digits) are among them.
    expect(ts.every((row) => row.every((v) => v === false)), JSON.stringify(values.filter((_, i) => ts[i]?.some(Boolean)))).toBe(true);
    const reserved = values.filter((v) => {
      const r = id.check(v, { mode: 'loose' });
      return !r.ok && r.reason === 'reserved';
    });
    expect(reserved.length).toBeGreaterThanOrEqual(name === 'cpf' ? 30 : 3);
  });
});

describe('SQL validators: contract details', () => {
  const FNS = TARGETS.map((x) => x.fn);

  it('NULL value gives NULL; any other value gives true or false, also for a NULL or unknown mode', async () => {
    for (const fn of FNS) {
      const f = sql.ident('validators', fn);
      const [r] = await t.db.query(sql`
        select ${f}(null) as a, ${f}(null, 'strict') as b, ${f}(null, 'bogus') as c,
               ${f}('', null) as d, ${f}('x', 'bogus') as e, ${f}('', 'loose') as f`);
      expect(r, fn).toEqual({ a: null, b: null, c: null, d: false, e: false, f: false });
    }
  });

  it('functions are IMMUTABLE, PARALLEL SAFE, executable by PUBLIC; strict and lenient calls are inlined', async () => {
    const rows = await t.db.query(sql`
      select p.proname, p.provolatile, p.proparallel, l.lanname,
             p.proacl is null or exists (select 1 from aclexplode(p.proacl) a where a.grantee = 0 and a.privilege_type = 'EXECUTE') as public_execute
      from pg_proc p join pg_namespace n on n.oid = p.pronamespace join pg_language l on l.oid = p.prolang
      where n.nspname = 'validators'`);
    const names = rows.map((r) => r.proname as string);
    for (const fn of FNS) expect(names).toContain(fn);
    for (const r of rows) {
      expect([r.proname, r.provolatile, r.proparallel, r.public_execute]).toEqual([r.proname, 'i', 's', true]);
      if (String(r.proname).startsWith('is_valid_')) expect(r.lanname).toBe('sql');
    }
    await t.db.tx(async (tx) => {
      await tx.query(sql`create temp table inline_probe (v text) on commit drop`);
      for (const { fn } of TARGETS) {
        for (const mode of ['strict', 'lenient']) {
          const [plan] = await tx.query(
            sql`explain (verbose, format json) select ${sql.ident('validators', fn)}(v, ${mode}) from inline_probe`,
          );
          const text = JSON.stringify(plan);
          expect(text, `${fn} ${mode}`).not.toContain(fn); // inlined into the query
          expect(text).toContain('~'); // and really there: the shape regex
        }
      }
    });
  });

  it('domains hold the compact form and reject anything else', async () => {
    for (const { name, id } of IDS) {
      const domain = sql.ident('validators', name);
      const x = id.generate(seededRng(11));
      const [ok] = await t.db.query(sql`select ${x}::${domain} as v, null::${domain} as n`);
      expect(ok).toEqual({ v: x, n: null });
      for (const bad of [id.format(x), `${x} `, x.slice(1), '']) {
        await expect(t.db.query(sql`select ${bad}::${domain}`), `${name} ${JSON.stringify(bad)}`).rejects.toMatchObject({ code: '23514' });
      }
    }
  });

  it('running the file again changes nothing (idempotent)', async () => {
    const snapshot = () =>
      t.db.query(sql`
        select p.oid::regprocedure::text as sig, md5(pg_get_functiondef(p.oid)) as def
        from pg_proc p where p.pronamespace = 'validators'::regnamespace
        union all
        select t.typname, md5(pg_get_constraintdef(c.oid))
        from pg_type t join pg_constraint c on c.contypid = t.oid where t.typnamespace = 'validators'::regnamespace
        order by 1`);
    const before = await snapshot();
    expect(before.length).toBeGreaterThanOrEqual(6 + 5);
    await t.db.query(sql.file(SQL_FILE));
    await t.db.query(sql.file(SQL_FILE));
    expect(await snapshot()).toEqual(before);
    const [r] = await t.db.query(sql`select validators.is_valid_cpf('529.982.247-25') as ok`);
    expect(r?.ok).toBe(true);
  });

  it('column collation does not matter: nondeterministic ICU collations neither raise nor widen \\d', async () => {
    await t.db.query(sql`create collation if not exists validators_probe_ci (provider = icu, locale = 'und-u-ks-level2', deterministic = false)`);
    const valid = '529.982.247-25';
    const fullwidth = '\uff15\uff12\uff19\uff19\uff18\uff12\uff12\uff14\uff17\uff12\uff15';
    const [r] = await t.db.query(sql`
      select validators.is_valid_cpf(${valid} collate validators_probe_ci) as ci,
             validators.is_valid_cpf(${valid} collate "und-x-icu", 'loose') as icu,
             validators.is_valid_cpf(${fullwidth} collate "und-x-icu", 'loose') as icu_fullwidth,
             validators.is_valid_cnpj('12.abc.345/01de-35' collate validators_probe_ci) as ci_lower,
             validators.is_valid_cnpj('12.abc.345/01de-35' collate validators_probe_ci, 'loose') as ci_lower_loose`);
    expect(r).toEqual({ ci: true, icu: true, icu_fullwidth: false, ci_lower: false, ci_lower_loose: true });
    expect(cpf.isValid(fullwidth, { mode: 'loose' })).toBe(false);
  });
});
