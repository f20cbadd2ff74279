/**
 * Values a schema nobody here has seen will accept. For each column the
 * generator must fill and that a CHECK constraint or a domain guards, try a
 * bank of value styles (strings matching the constraint's own regular
 * expressions, its literal lists, e-mails, hashes, ranges of numbers and
 * dates...) and let PostgreSQL itself say which style passes: its CHECK
 * expressions are evaluated against sample values, not parsed by us.
 */
import { createHash } from 'node:crypto';
import RandExp from 'randexp';
import { sql, type Queryable, type Transaction } from '@databases/pg';
import type { Catalog, Column, Relation } from '../catalog/types.js';
import { sqlIdentifier } from '../config/context.js';
import { quoteLiteral } from '../sql/text.js';
import type { WorldPlan } from './plan.js';
import { rolledBack } from '../db/rolled-back.js';
import { rng, uuid, type Rng } from './values.js';
import { digitPool, discoverRowPatches, poolGenerator, type RowPatch } from './row-checks.js';
import { definitionsFingerprint, tried } from './try-memo.js';

export type ColumnGenerator = (n: number, r: Rng) => unknown;

interface Style {
  name: string;
  make: ColumnGenerator;
}

// `expr` reads its candidate as ${CANDIDATE}; a statement over every candidate at once is tried first.
const CANDIDATE = '__tp_candidate__';
const TRY_SQL = `
create or replace function pg_temp.tp_try_values(expr text, candidates text[]) returns boolean[]
language plpgsql as $$
declare
  out boolean[] := '{}';
  ok boolean;
  v text;
begin
  -- Every candidate in one statement, planned once; when one of them raises (a failed cast), one at a time.
  begin
    execute format('select array_agg(coalesce(x.ok, false) order by u.o) from unnest($1) with ordinality u(v, o) cross join lateral (%s) x(ok)', replace(expr, '${CANDIDATE}', 'u.v'))
      into out using candidates;
    return coalesce(out, '{}');
  exception when others then
    out := '{}';
  end;
  foreach v in array candidates loop
    begin
      execute replace(expr, '${CANDIDATE}', '$1') into ok using v;
      out := out || coalesce(ok, false);
    exception when others then
      out := out || false;
    end;
  end loop;
  return out;
end
$$`;

/** POSIX bracket classes that JavaScript regular expressions lack. */
function toJsRegex(pattern: string): string {
  return pattern
    .replaceAll('[:space:]', '\\s')
    .replaceAll('[:digit:]', '0-9')
    .replaceAll('[:alnum:]', 'A-Za-z0-9')
    .replaceAll('[:alpha:]', 'A-Za-z')
    .replaceAll('[:upper:]', 'A-Z')
    .replaceAll('[:lower:]', 'a-z')
    .replaceAll('[:xdigit:]', '0-9A-Fa-f');
}

function regexStyle(pattern: string, ignoreCase: boolean): Style | null {
  let source: string;
  try {
    source = toJsRegex(pattern);
    new RegExp(source);
  } catch {
    return null;
  }
  return {
    name: `matches /${pattern}/`,
    make: (_n, r) => {
      const re = new RandExp(source, ignoreCase ? 'i' : undefined);
      re.max = 6;
      // Negated classes ([^@]) draw from letters and digits, not from all of Unicode.
      re.defaultRange.subtract(0, 0x10ffff);
      re.defaultRange.add(0x61, 0x7a);
      re.defaultRange.add(0x30, 0x39);
      re.randInt = (a: number, b: number) => a + Math.floor(r() * (b - a + 1));
      return re.gen();
    },
  };
}

/** String literals in a constraint, e.g. the members of `IN (...)` or `= ANY (ARRAY[...])`. */
function literals(text: string): string[] {
  return [...text.matchAll(/'((?:[^']|'')*)'/g)].map((m) => m[1]!.replaceAll("''", "'"));
}

const hex = (n: number, len: number) => createHash('sha256').update(String(n)).digest('hex').slice(0, len);
const word = (r: Rng, len: number) => Array.from({ length: len }, () => 'abcdefghijklmnopqrstuvwxyz'[Math.floor(r() * 26)]).join('');
const digits = (r: Rng, len: number) => Array.from({ length: len }, (_, i) => String(i === 0 ? 1 + Math.floor(r() * 9) : Math.floor(r() * 10))).join('');

function textStyles(checkText: string): Style[] {
  const styles: Style[] = [];
  for (const m of checkText.matchAll(/(~\*?)\s*'((?:[^']|'')*)'/g)) {
    const s = regexStyle(m[2]!.replaceAll("''", "'"), m[1] === '~*');
    if (s) styles.push(s);
  }
  const lits = literals(checkText).filter((l) => !/[\^$\\[\]{}]/.test(l));
  if (lits.length > 0) styles.push({ name: 'one of its literals', make: (_n, r) => lits[Math.floor(r() * lits.length)] });
  styles.push(
    { name: 'word', make: (n, r) => `${word(r, 6)}${n}` },
    { name: 'e-mail', make: (n, r) => `${word(r, 5)}.${n}@example.com` },
    { name: 'domain', make: (n, r) => `${word(r, 5)}${n}.example.com` },
    { name: 'sha-256 hex', make: (n) => hex(n, 64) },
    { name: 'md5 hex', make: (n) => hex(n, 32) },
    { name: 'long text', make: (n, r) => `${word(r, 30)} ${n} ${word(r, 20)}` },
    { name: 'upper base32', make: (n, r) => Array.from({ length: 32 }, () => 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567'[Math.floor(r() * 32)]).join('') + (n % 2 ? '' : '') },
    { name: 'url', make: (n) => `https://example.com/objects/${n}` },
    { name: 'mime type', make: (_n, r) => ['image/jpeg', 'image/png', 'application/pdf'][Math.floor(r() * 3)] },
    { name: 'country code', make: (_n, r) => ['AU', 'BR', 'US', 'NZ'][Math.floor(r() * 4)] },
    { name: 'language code', make: (_n, r) => ['en', 'pt', 'es'][Math.floor(r() * 3)] },
    { name: 'digits', make: (_n, r) => digits(r, 11) },
    { name: 'bcrypt-shaped', make: (_n, r) => `$2b$12$${word(r, 53)}` },
    { name: 'short word', make: (n, r) => `${word(r, 2)}${n % 100}` },
  );
  return styles;
}

function numberStyles(checkText: string): Style[] {
  const nums = [...checkText.matchAll(/(-?\d+(?:\.\d+)?)/g)].map((m) => Number(m[1]));
  const candidates = [...new Set([1, 0.5, 0.9, 10, 100, 1000, 0, ...nums, ...nums.map((x) => x + 1), ...nums.map((x) => x - 1)])];
  return candidates.map((v) => ({ name: `number ${v}`, make: () => v }));
}

function dateStyles(withTime: boolean): Style[] {
  const days = ['2025-06-15', '1985-03-20', '2000-01-01', '1960-07-01', '2024-02-10', '2026-01-20'];
  return days.map((d) => ({
    name: `around ${d}`,
    make: (_n: number, r: Rng) => {
      const t = new Date(`${d}T00:00:00Z`).getTime() + Math.floor(r() * 25) * 86_400_000;
      const iso = new Date(t).toISOString();
      return withTime ? iso : iso.slice(0, 10);
    },
  }));
}

function jsonStyles(): Style[] {
  return [
    { name: 'object', make: () => ({}) },
    { name: 'array', make: () => [] },
    { name: 'object with a key', make: (n) => ({ key: n }) },
  ];
}

function arrayStyles(checkText: string): Style[] {
  const lits = literals(checkText);
  return [
    ...(lits.length ? [{ name: 'one of its literals', make: (_n: number, r: Rng) => `{${JSON.stringify(lits[Math.floor(r() * lits.length)])}}` }] : []),
    { name: 'empty', make: () => '{}' },
  ];
}

function stylesFor(col: Column, checkText: string, baseType: string): Style[] {
  if (col.isArray) return arrayStyles(checkText);
  if (/^(text|varchar|character varying|bpchar|character|citext|name)$/.test(baseType)) return textStyles(checkText);
  if (/^(int2|int4|int8|smallint|integer|bigint|numeric|decimal|float4|float8|real|double precision)$/.test(baseType)) return numberStyles(checkText);
  if (baseType === 'date') return dateStyles(false);
  if (/^timestamp/.test(baseType)) return dateStyles(true);
  if (baseType === 'json' || baseType === 'jsonb') return jsonStyles();
  if (baseType === 'uuid') return [{ name: 'uuid', make: (_n, r) => uuid(r) }];
  return [];
}

/** The CHECK constraints of `r` that name `col` and no other column of `r`. */
function singleColumnChecks(r: Relation, col: Column): string[] {
  const others = r.columns.filter((c) => c.name !== col.name).map((c) => c.name);
  const mentions = (text: string, name: string) => new RegExp(`(^|[^A-Za-z0-9_."])"?${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}"?($|[^A-Za-z0-9_"])`).test(text);
  return r.checks
    .map((c) => c.definition.replace(/^CHECK\s*/i, '').replace(/\s+NOT VALID$/i, ''))
    .filter((text) => mentions(text, col.name) && !others.some((o) => mentions(text, o)));
}

export interface Discovery {
  generators: Map<string, ColumnGenerator>;
  /** CHECKs over several columns: how to set those columns, per relation. */
  patches: Map<string, RowPatch[]>;
  /** Columns for which no style passed: their rows may be rejected (and are counted). */
  unresolved: Array<{ column: string; reason: string }>;
}

/** Runs once per run, before any world: one round trip per guarded column, in a transaction left as found. */
export async function discoverGenerators(db: { tx<T>(fn: (tx: Transaction) => Promise<T>): Promise<T> }, catalog: Catalog, plan: WorldPlan): Promise<Discovery> {
  return rolledBack(db, (tx) => discover(tx, catalog, plan));
}

async function discover(db: Queryable, catalog: Catalog, plan: WorldPlan): Promise<Discovery> {
  const generators = new Map<string, ColumnGenerator>();
  const unresolved: Discovery['unresolved'] = [];
  const types = new Map(catalog.types.map((t) => [`${t.schema}.${t.name}`, t]));
  const fingerprint = await definitionsFingerprint(db);
  let installed = false;
  const tryValues = (expr: string, values: readonly string[]) =>
    tried(fingerprint, ['values', expr, values], async () => {
      if (!installed) await db.query(sql.__dangerous__rawValue(TRY_SQL));
      installed = true;
      const [row] = await db.query(sql`select pg_temp.tp_try_values(${expr}, ${values}::text[]) as ok`);
      return row!.ok as boolean[];
    });
  for (const p of plan.relations) {
    const r = p.relation;
    const fkColumns = new Set(p.parents.flatMap((x) => x.fk.columns));
    for (const col of p.columns) {
      if (fkColumns.has(col.name) || col.name === p.scope?.column) continue;
      const required = col.notNull && col.default === null && col.identity === null;
      if (!required && !p.keyColumns.includes(col.name)) continue;
      const domain = types.get(`${col.typeSchema}.${col.typeName}`);
      const checks = singleColumnChecks(r, col);
      if (checks.length === 0 && domain?.kind !== 'domain') continue;
      const baseType = domain?.kind === 'domain' && domain.baseType ? domain.baseType.replace(/\(.*$/, '') : col.typeName;
      const allText = [...checks, ...(domain?.checks ?? [])].join(' ');
      const styles = stylesFor(col, allText, baseType);
      // NULL passes a CHECK: a candidate is valid only when every check is true, and the cast succeeds.
      // The column is always referenced: an unreferenced cast to a domain is optimised away, and never checked.
      const predicate = [`${sqlIdentifier(col.name)} is not null`, ...checks.map((c) => `((${c}) is true)`)].join(' and ');
      // A value a domain refuses is NULL here, not an error (PostgreSQL 16+): every candidate goes in one statement.
      const value =
        domain?.kind === 'domain' && catalog.serverVersion >= 160000 ? `(case when pg_input_is_valid(${CANDIDATE}, ${quoteLiteral(col.type)}) then ${CANDIDATE} end)` : CANDIDATE;
      const expr = `select ${predicate} from (select ${value}::${col.type} as ${sqlIdentifier(col.name)}) s`;
      const samples = styles.map((s, i) => [0, 1, 2].map((k) => serialise(s.make(7 + k * 13 + i, rng(1000 + i * 7 + k)))));
      const flat = samples.flat();
      const ok = await tryValues(expr, flat);
      const chosen = styles.findIndex((_, i) => ok[i * 3] && ok[i * 3 + 1] && ok[i * 3 + 2]);
      const key = `${r.qualifiedName}.${col.name}`;
      if (chosen >= 0) {
        generators.set(key, styles[chosen]!.make);
        continue;
      }
      // No style passes every time (a check digit passes one value in ten or a hundred): keep the values that do.
      const candidates = [
        ...digitPool(key.length),
        ...styles.flatMap((st, i) => Array.from({ length: 20 }, (_, k) => serialise(st.make(101 + k * 17 + i, rng(5000 + i * 31 + k))))),
      ];
      const pooled = await tryValues(expr, candidates);
      let passed = [...new Set(candidates.filter((_, i) => pooled[i]))];
      // More of the lengths that passed, so that a unique column has values enough.
      const lengths = new Set(passed.map((v) => v.length));
      if (passed.length > 0 && passed.length < 32 && passed.every((v) => /^[0-9]+$/.test(v))) {
        const more = digitPool(key.length + 1, [...lengths], 1500);
        const again = await tryValues(expr, more);
        passed = [...new Set([...passed, ...more.filter((_, i) => again[i])])];
      }
      passed = passed.slice(0, 64);
      if (passed.length > 0) generators.set(key, poolGenerator(passed));
      else unresolved.push({ column: key, reason: `no generated value passed ${checks.length ? checks.join(' AND ') : `the domain ${col.type}`}` });
    }
  }
  const rows = await discoverRowPatches(db, plan, generators, types, fingerprint);
  return { generators, patches: rows.patches, unresolved: [...unresolved, ...rows.unresolved] };
}

function serialise(v: unknown): string {
  return typeof v === 'string' ? v : JSON.stringify(v);
}
