/**
 * The isolation checks as a team would write them in pgTAP, generated from the
 * catalog, the config's actors and the engine's worlds (3 tenants each),
 * committed side by side as the suite's fixture:
 *
 *   set local role <actor's role>; <the actor's tenant context>;
 *   select is((select count(*) from R where tenant <> me), 0::bigint, ...);        -- read
 *   select throws_ok($$insert into R ... <a row stamped with another tenant>$$, '42501', null, ...);
 *   select is_empty($$update R set tenant = tenant where tenant <> me returning 1$$, ...);
 *   select is_empty($$delete from R where tenant <> me returning 1$$, ...);
 *
 * Under correct policies the other worlds' rows are invisible too, so the
 * worlds need no separation. Role and context are set once per actor and
 * tenant (as a suite groups its tests), every tenant relation with a tenant column is read, writes are tried
 * where the actor holds the privilege, and a relation the actor may not read
 * is checked to refuse (`throws_ok ... '42501'`). Actors that see every tenant
 * by design (expect 'all') have no isolation to check.
 */
import { sql, type Queryable } from '@databases/pg';
import type { Catalog, Relation } from '../../src/catalog/types.js';
import { actorRoleFor, contextStatements } from '../../src/config/context.js';
import type { ResolvedConfig } from '../../src/config/schema.js';
import { quoteIdent, quoteLiteral, quoteRelation } from '../../src/sql/text.js';

/** One actor in one tenant: the statements that enter it and its assertions. */
export interface Group {
  label: string;
  enter: string[];
  assertions: string[];
}

export interface Suite {
  groups: Group[];
  checks: number;
  relations: number;
  /** Tenant relations left out, and why (no tenant column to compare). */
  skipped: string[];
}

const WRITABLE = new Set<Relation['kind']>(['table', 'partitioned-table']);

/** The checks of every world (each world's tenants), over the rows committed for them. */
export async function buildSuite(db: Queryable, catalog: Catalog, config: ResolvedConfig, worlds: string[][]): Promise<Suite> {
  const skipped: string[] = [];
  const relations = catalog.relations.filter((r) => {
    if (!r.tenancy || r.extension) return false;
    const col = r.tenancy.column;
    if (col && r.columns.some((c) => c.name === col)) return true;
    skipped.push(`${r.qualifiedName} (${r.tenancy.kind} tenancy, no tenant column)`);
    return false;
  });
  // A source row per relation for planted inserts: a real row of the world, restamped.
  const sample = new Map<string, Record<string, unknown>>();
  for (const r of relations) {
    const [row] = await db.query(sql`select to_jsonb(t) as row from ${sql.__dangerous__rawValue(quoteRelation(r.qualifiedName))} t limit 1`);
    if (row) sample.set(r.qualifiedName, row.row as Record<string, unknown>);
  }
  const groups: Group[] = [];
  for (const [w, tenants] of worlds.entries()) {
    for (const actor of config.actors) {
      if (actor.expect === 'all') continue;
      if (!catalog.actors.find((a) => a.role === actor.role)?.exists) continue;
      for (const tenant of actor.expect === 'tenant' ? tenants : [null]) {
        const role = tenant === null ? actor.role : actorRoleFor(actor, tenant);
        const label = `world ${w + 1}, ${actor.name}${tenant === null ? '' : ` in ${tenant.slice(0, 8)}`}`;
        const victim = tenant === null ? null : tenants.find((t) => t !== tenant)!;
        const assertions = relations.flatMap((r) => checksOf(r, role, tenant, victim, label, sample.get(r.qualifiedName)));
        groups.push({ label, enter: [`set local role ${quoteIdent(role)}`, ...(tenant === null ? [] : contextStatements(actor, tenant))], assertions });
      }
    }
  }
  return { groups, checks: groups.reduce((n, g) => n + g.assertions.length, 0), relations: relations.length, skipped };
}

function checksOf(r: Relation, role: string, tenant: string | null, victim: string | null, label: string, row: Record<string, unknown> | undefined): string[] {
  const rel = quoteRelation(r.qualifiedName);
  const col = quoteIdent(r.tenancy!.column!);
  const priv = r.privileges.find((p) => p.role === role);
  const what = (s: string) => quoteLiteral(`${label}: ${s} ${r.qualifiedName}`);
  const others = tenant === null ? 'true' : `${col}::text is distinct from ${quoteLiteral(tenant)}`;
  if (!priv?.select) return [`select throws_ok(${quoteLiteral(`select 1 from ${rel}`)}, '42501', null, ${what('may not read')})`];
  const out = [`select is((select count(*) from ${rel} where ${others}), 0::bigint, ${what('sees no other tenant in')})`];
  if (tenant === null || victim === null || !WRITABLE.has(r.kind) || r.partitionOf !== null) return out;
  if (priv.insert && row) {
    const cols = r.columns.filter((c) => !c.generated && c.identity !== 'always').map((c) => quoteIdent(c.name)).join(', ');
    const planted = quoteLiteral(JSON.stringify({ ...row, [r.tenancy!.column!]: victim }));
    const insert = `insert into ${rel} (${cols}) select ${cols} from jsonb_populate_record(null::${rel}, ${planted}::jsonb)`;
    out.push(`select throws_ok(${quoteLiteral(insert)}, '42501', null, ${what('cannot plant a row of another tenant in')})`);
  }
  if (priv.update) out.push(`select is_empty(${quoteLiteral(`update ${rel} set ${col} = ${col} where ${others} returning 1`)}, ${what('updates no other tenant in')})`);
  if (priv.delete) out.push(`select is_empty(${quoteLiteral(`delete from ${rel} where ${others} returning 1`)}, ${what('deletes no other tenant from')})`);
  return out;
}

/**
 * The suite as `files` test files of about equal size, each a rolled-back
 * transaction. A group is cut into slices when there are fewer groups than
 * files (each slice enters its actor and tenant again, as a separate test file would).
 */
export function suiteFiles(suite: Suite, files: number): string[] {
  const cuts = Math.max(1, Math.ceil(files / suite.groups.length));
  const pieces = suite.groups.flatMap((g) => {
    const size = Math.ceil(g.assertions.length / cuts);
    return Array.from({ length: cuts }, (_, i) => ({ ...g, assertions: g.assertions.slice(i * size, (i + 1) * size) })).filter((p) => p.assertions.length > 0);
  });
  const buckets: Group[][] = Array.from({ length: Math.max(1, Math.min(files, pieces.length)) }, () => []);
  const sizes = buckets.map(() => 0);
  // Largest pieces first, each into the lightest file: balanced work for pg_prove -j.
  for (const g of pieces.sort((a, b) => b.assertions.length - a.assertions.length)) {
    const i = sizes.indexOf(Math.min(...sizes));
    buckets[i]!.push(g);
    sizes[i]! += g.assertions.length;
  }
  return buckets.map((groups, i) => {
    const lines = ['\\set ON_ERROR_STOP 1', '\\set QUIET 1', 'begin;', `select plan(${sizes[i]});`];
    for (const g of groups) lines.push(`-- ${g.label}`, ...g.enter.map((s) => `${s};`), ...g.assertions.map((s) => `${s};`), 'reset role;');
    lines.push('select * from finish();', 'rollback;', '');
    return lines.join('\n');
  });
}
