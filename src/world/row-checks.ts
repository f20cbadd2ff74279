/**
 * Rows that pass CHECK constraints over several columns (`expires_at >
 * created_at`, `(source = 'ai') = (confidence is not null)`, `storage_key
 * like tenant_id || '/%'`), and values that pass checks no style of value
 * meets (a check digit). Nothing is parsed: candidate values and
 * combinations are sent to PostgreSQL, which says which pass, once per run.
 *
 * - A column no style satisfies gets a pool: hundreds of digit strings of
 *   every usual length are tried, and the ones that pass are drawn from.
 * - A CHECK over several columns gets a patch: for each column a strategy
 *   (NULL, its generator, a literal of the check, a date before or after a
 *   base, another column's value as a prefix...), searched in combinations
 *   until one passes every check over those columns.
 */
import { sql, type Queryable } from '@databases/pg';
import type { Column, Relation } from '../catalog/types.js';
import { quoteIdent, quoteRelation } from '../sql/text.js';
import type { PlannedRelation, WorldPlan } from './plan.js';
import { fallbackValue, rng, uuid, type Rng } from './values.js';
import { tried } from './try-memo.js';

export type ColumnGenerator = (n: number, r: Rng) => unknown;

/** Sets some columns of a row so that a CHECK over them passes. */
export interface RowPatch {
  check: string;
  columns: string[];
  apply(row: Record<string, unknown>, n: number, r: Rng): void;
}

export const TRY_ROWS_SQL = `
create or replace function pg_temp.tp_try_rows(expr text, rel text, candidates jsonb[]) returns boolean[]
language plpgsql as $$
declare
  out boolean[] := '{}';
  ok boolean;
  c jsonb;
begin
  -- Every candidate in one statement, planned once; when one of them raises, one at a time.
  begin
    execute format('select array_agg(coalesce((%s), false) order by u.o) from unnest($1) with ordinality u(c, o) cross join lateral jsonb_populate_record(null::%s, u.c) t', expr, rel)
      into out using candidates;
    return coalesce(out, '{}');
  exception when others then
    out := '{}';
  end;
  foreach c in array candidates loop
    begin
      execute format('select (%s) from jsonb_populate_record(null::%s, $1) t', expr, rel) into ok using c;
      out := out || coalesce(ok, false);
    exception when others then
      out := out || false;
    end;
  end loop;
  return out;
end
$$`;

const mentions = (text: string, name: string) => new RegExp(`(^|[^A-Za-z0-9_."])"?${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}"?($|[^A-Za-z0-9_"])`).test(text);
const checkText = (definition: string) => definition.replace(/^CHECK\s*/i, '').replace(/\s+NOT VALID$/i, '');

/**
 * Digit strings of every usual length: check digits pass for one in ten to one in a hundred. The same
 * arguments give the same strings, kept for the process (~4 ms a pool, asked again by every run).
 */
export function digitPool(seed: number, lengths: readonly number[] = [8, 9, 10, 11, 12, 13, 14], perLength = 300): readonly string[] {
  const key = `${seed}|${lengths.join(',')}|${perLength}`;
  const known = pools.get(key);
  if (known) return known;
  const r = rng(seed);
  const out: string[] = [];
  for (const len of lengths) {
    for (let k = 0; k < perLength; k++) out.push(Array.from({ length: len }, (_, i) => String(i === 0 ? 1 + Math.floor(r() * 9) : Math.floor(r() * 10))).join(''));
  }
  if (pools.size > 256) pools.clear();
  pools.set(key, Object.freeze(out));
  return out;
}
const pools = new Map<string, readonly string[]>();

/** Values that passed, drawn from in turn (different rows get different values while there are enough). */
export function poolGenerator(values: readonly unknown[]): ColumnGenerator {
  return (n) => values[(n * 7919) % values.length];
}

type Strategy = { name: string; make: (row: Record<string, unknown>, n: number, r: Rng) => unknown };

const BASE = Date.UTC(2025, 5, 15);
const DRAWS = Array.from({ length: 8 }, (_, i) => i);
const DAY = 86_400_000;

function strategies(col: Column, others: readonly Column[], text: string, generator: ColumnGenerator | undefined, types: Parameters<typeof fallbackValue>[3]): Strategy[] {
  const out: Strategy[] = [];
  if (!col.notNull) out.push({ name: 'null', make: () => null });
  const base = col.typeName;
  if (/^(date|timestamp|timestamptz)$/.test(base)) {
    for (const [name, offset] of [
      ['base', 0],
      ['base + 1 day', DAY],
      ['base + 1 year', 365 * DAY],
      ['base - 1 day', -DAY],
      ['base - 1 year', -365 * DAY],
      ['far future', Date.UTC(2099, 0, 1) - BASE],
    ] as const) {
      // Written once: thousands of candidate rows ask for it (a fifth of preparing a run).
      const value = base === 'date' ? new Date(BASE + offset).toISOString().slice(0, 10) : new Date(BASE + offset).toISOString();
      out.push({ name, make: () => value });
    }
  }
  if (col.category === 'B' || base === 'bool') out.push({ name: 'true', make: () => true }, { name: 'false', make: () => false });
  for (const m of text.matchAll(/'((?:[^']|'')*)'/g)) {
    const lit = m[1]!.replaceAll("''", "'");
    if (!/[%\\^$]/.test(lit)) out.push({ name: `'${lit}'`, make: () => lit });
  }
  if (col.category === 'N')
    for (const v of new Set([0, 1, 0.5, ...[...text.matchAll(/(-?\d+(?:\.\d+)?)/g)].map((m) => Number(m[1]))])) out.push({ name: String(v), make: () => v });
  if (col.category === 'S') {
    for (const o of others) {
      if (o.name === col.name) continue;
      out.push({ name: `${o.name} as a prefix`, make: (row, n) => `${String(row[o.name] ?? '')}/${n}` });
      out.push({ name: `${o.name}`, make: (row) => (row[o.name] === null || row[o.name] === undefined ? null : String(row[o.name])) });
      out.push({ name: `a URL ending in ${o.name}`, make: (row) => `https://example.com/${String(row[o.name] ?? '')}` });
    }
  }
  // Fixed values first: a random generator may pass a few draws by luck.
  if (generator) out.push({ name: 'generated', make: (_row, n, r) => generator(n, r) });
  out.push({ name: 'a value of its type', make: (_row, n, r) => fallbackValue(col, r, n, types) ?? null });
  return out;
}

/**
 * Up to `limit` combinations of one strategy per column, simplest first: by the sum of the
 * strategies' ranks (fixed values rank before random ones), so that a combination that passes by
 * design is found before one that passes by luck.
 */
function combinations(sizes: readonly number[], limit: number): number[][] {
  const out: number[][] = [];
  const maxSum = sizes.reduce((a, s) => a + s - 1, 0);
  for (let sum = 0; sum <= maxSum && out.length < limit; sum++) {
    const walk = (i: number, left: number, acc: number[]) => {
      if (out.length >= limit) return;
      if (i === sizes.length) {
        if (left === 0) out.push([...acc]);
        return;
      }
      for (let v = 0; v < sizes[i]! && v <= left; v++) walk(i + 1, left - v, [...acc, v]);
    };
    walk(0, sum, []);
  }
  return out;
}

/** Patches for every CHECK over several columns of the plan's relations; one round trip per check. */
export async function discoverRowPatches(
  db: Queryable,
  plan: WorldPlan,
  generators: ReadonlyMap<string, ColumnGenerator>,
  types: Parameters<typeof fallbackValue>[3],
  fingerprint: string,
): Promise<{ patches: Map<string, RowPatch[]>; unresolved: Array<{ column: string; reason: string }> }> {
  const patches = new Map<string, RowPatch[]>();
  const unresolved: Array<{ column: string; reason: string }> = [];
  let installed = false;
  const tryRows = (expr: string, relation: string, rows: string[]) =>
    tried(fingerprint, ['rows', expr, relation, rows], async () => {
      if (!installed) await db.query(sql.__dangerous__rawValue(TRY_ROWS_SQL));
      installed = true;
      const [res] = await db.query(sql`select pg_temp.tp_try_rows(${expr}, ${relation}, ${rows}::jsonb[]) as ok`);
      return res!.ok as boolean[];
    });
  for (const p of plan.relations) {
    const r = p.relation;
    const fixed = fixedColumns(p);
    // Checks that share a column are solved together: solved apart, the second would undo the first.
    for (const group of checkGroups(r, fixed)) {
      const involved = r.columns.filter((c) => group.some((t) => mentions(t.text, c.name)));
      const free = involved.filter((c) => !fixed.has(c.name) && !c.generated);
      // Every check over these columns must hold together (a confidence must also lie between 0 and 1).
      const together = r.checks.map((c) => checkText(c.definition)).filter((t) => r.columns.filter((c) => mentions(t, c.name)).every((c) => involved.includes(c)));
      const text = group.map((g) => g.text).join(' ');
      const options = free.map((c) => strategies(c, involved, text, generators.get(`${r.qualifiedName}.${c.name}`), types));
      const combos = combinations(
        options.map((o) => o.length),
        300,
      );
      const sample = sampleRow(involved, fixed);
      // Each combination several times, with other random draws: a strategy must pass every time, not by luck.
      const rows = combos.flatMap((combo, k) =>
        DRAWS.map((v) => {
          const row = { ...sample };
          free.forEach((c, i) => {
            row[c.name] = options[i]![combo[i]!]!.make(row, 1000 + k * DRAWS.length + v, rng(k * DRAWS.length + v + 1));
          });
          return row;
        }),
      );
      // NOT NULL too: a NULL makes a CHECK pass, but not the row.
      const notNull = free.filter((c) => c.notNull).map((c) => `t.${quoteIdent(c.name)} is not null`);
      const expr = [...together.map((t) => `((${t}) is not false)`), ...notNull].join(' and ');
      const ok = await tryRows(
        expr,
        quoteRelation(r.qualifiedName),
        rows.map((x) => JSON.stringify(x)),
      );
      const winner = combos.findIndex((_, k) => DRAWS.every((v) => ok[k * DRAWS.length + v]));
      const names = group.map((g) => g.name).join(', ');
      if (winner < 0) {
        unresolved.push({ column: `${r.qualifiedName} (${free.map((c) => c.name).join(', ')})`, reason: `no combination of generated values passed ${names}` });
        continue;
      }
      const chosen = free.map((c, i) => ({ column: c.name, strategy: options[i]![combos[winner]![i]!]! }));
      const list = patches.get(r.qualifiedName) ?? [];
      list.push({
        check: names,
        columns: free.map((c) => c.name),
        apply: (row, n, rand) => {
          for (const { column, strategy } of chosen) row[column] = strategy.make(row, n, rand);
        },
      });
      patches.set(r.qualifiedName, list);
    }
  }
  return { patches, unresolved };
}

/** The relation's checks over several columns, grouped where they share a column the builder does not set itself. */
function checkGroups(r: Relation, fixed: ReadonlySet<string>): Array<Array<{ name: string; text: string }>> {
  const checks = r.checks
    .map((c) => ({ name: c.name, text: checkText(c.definition) }))
    .filter(
      (c) => r.columns.filter((col) => mentions(c.text, col.name)).length >= 2 && r.columns.some((col) => mentions(c.text, col.name) && !fixed.has(col.name) && !col.generated),
    );
  const freeOf = (c: { text: string }) => new Set(r.columns.filter((col) => mentions(c.text, col.name) && !fixed.has(col.name)).map((col) => col.name));
  const groups: Array<Array<{ name: string; text: string }>> = [];
  for (const c of checks) {
    const mine = freeOf(c);
    const joined = groups.filter((g) => g.some((x) => [...freeOf(x)].some((col) => mine.has(col))));
    const merged = [...joined.flat(), c];
    for (const g of joined) groups.splice(groups.indexOf(g), 1);
    groups.push(merged);
  }
  return groups;
}

/** Columns the builder sets itself (the tenant, parents' keys): a patch works around them. */
function fixedColumns(p: PlannedRelation): Set<string> {
  const out = new Set(p.parents.flatMap((x) => x.fk.columns));
  if (p.scope?.column) out.add(p.scope.column);
  return out;
}

function sampleRow(involved: readonly Column[], fixed: ReadonlySet<string>): Record<string, unknown> {
  const r = rng(99);
  const row: Record<string, unknown> = {};
  for (const c of involved) if (fixed.has(c.name)) row[c.name] = c.typeName === 'uuid' ? uuid(r) : (fallbackValue(c, r, 1, new Map()) ?? null);
  return row;
}

export type { Relation };
