/**
 * The isolation checks as a team writes them by hand (in pgTAP, or in a
 * Node test suite sending one statement per round trip), generated from the
 * catalog, the config's actors and the engine's worlds, committed side by
 * side as the suite's fixture. Per actor and tenant:
 *
 *   set local role <actor's role>; <the actor's tenant context>;
 *   select count(*) from R where tenant <> me                      -- must be 0
 *   insert into R ... <a row of the world stamped with another tenant>   -- must be refused (42501)
 *   update R set tenant = tenant where tenant <> me returning 1    -- must return nothing
 *   delete from R where tenant <> me returning 1                   -- must return nothing
 *
 * Under correct policies the other worlds' rows are invisible too, so the
 * worlds need no separation. Every tenant relation with a tenant column is
 * read, writes are tried where the actor holds the privilege, and a relation
 * the actor may not read must refuse. Actors that see every tenant by design
 * (expect 'all') have no isolation to check.
 */
import { sql, type ConnectionPool, type Queryable } from '@databases/pg';
import type { Catalog, Relation } from '../src/catalog/types.js';
import { contextStatements } from '../src/config/context.js';
import type { ResolvedConfig } from '../src/config/schema.js';
import { quoteIdent, quoteLiteral, quoteRelation } from '../src/sql/text.js';
import type { Worlds } from './engine-api.js';

/** zero: the statement counts rows that must be 0; refused: it must fail with 42501; empty: it must return no row. */
export type Expectation = 'zero' | 'refused' | 'empty';

export interface Check {
  statement: string;
  expect: Expectation;
  description: string;
}

/** One actor in one tenant of one world: the statements that enter it, and its checks. */
export interface Group {
  world: number;
  label: string;
  enter: string[];
  checks: Check[];
}

export interface Suite {
  groups: Group[];
  checks: number;
  relations: number;
  /** Tenant relations left out, and why (no tenant column to compare). */
  skipped: string[];
}

const WRITABLE = new Set<Relation['kind']>(['table', 'partitioned-table']);

/** Commits the engine's first `count` worlds of `seed` into `db`: the suite's fixture. Returns each world's tenants. */
export async function commitFixture(db: ConnectionPool, worlds: Worlds, count: number, seed: number): Promise<string[][]> {
  const tenants = await db.tx(async (tx) => {
    const out: string[][] = [];
    for (const shape of worlds.shapes(count, seed)) out.push((await worlds.write(tx, shape)).tenants);
    return out;
  });
  await db.query(sql`analyze`);
  return tenants;
}

/** The checks of every world (each world's tenants), over the rows committed for them. */
export async function buildSuite(db: Queryable, catalog: Catalog, config: ResolvedConfig, worlds: string[][]): Promise<Suite> {
  const skipped: string[] = [];
  const relations = catalog.relations.filter((r) => {
    if (!r.tenancy || r.extension || !r.inScope) return false;
    const col = r.tenancy.column;
    if (col && r.columns.some((c) => c.name === col)) return true;
    skipped.push(`${r.qualifiedName} (${r.tenancy.kind} tenancy, no tenant column)`);
    return false;
  });
  // A source row per relation for planted inserts: a real row of the fixture, restamped.
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
        const label = `world ${w + 1}, ${actor.name}${tenant === null ? '' : ` in ${tenant.slice(0, 8)}`}`;
        const victim = tenant === null ? null : tenants.find((t) => t !== tenant)!;
        const checks = relations.flatMap((r) => checksOf(r, actor.role, tenant, victim, label, sample.get(r.qualifiedName)));
        groups.push({ world: w, label, enter: [`set local role ${quoteIdent(actor.role)}`, ...(tenant === null ? [] : contextStatements(actor, tenant))], checks });
      }
    }
  }
  return { groups, checks: groups.reduce((n, g) => n + g.checks.length, 0), relations: relations.length, skipped };
}

function checksOf(r: Relation, role: string, tenant: string | null, victim: string | null, label: string, row: Record<string, unknown> | undefined): Check[] {
  const rel = quoteRelation(r.qualifiedName);
  const col = quoteIdent(r.tenancy!.column!);
  const priv = r.privileges.find((p) => p.role === role);
  const what = (s: string) => `${label}: ${s} ${r.qualifiedName}`;
  const others = tenant === null ? 'true' : `${col}::text is distinct from ${quoteLiteral(tenant)}`;
  if (!priv?.select) return [{ statement: `select 1 from ${rel}`, expect: 'refused', description: what('may not read') }];
  const out: Check[] = [{ statement: `select count(*) from ${rel} where ${others}`, expect: 'zero', description: what('sees no other tenant in') }];
  if (tenant === null || victim === null || !WRITABLE.has(r.kind) || r.partitionOf !== null) return out;
  if (priv.insert && row) {
    const cols = r.columns
      .filter((c) => !c.generated && c.identity !== 'always')
      .map((c) => quoteIdent(c.name))
      .join(', ');
    const planted = quoteLiteral(JSON.stringify({ ...row, [r.tenancy!.column!]: victim }));
    out.push({
      statement: `insert into ${rel} (${cols}) select ${cols} from jsonb_populate_record(null::${rel}, ${planted}::jsonb)`,
      expect: 'refused',
      description: what('cannot plant a row of another tenant in'),
    });
  }
  if (priv.update) out.push({ statement: `update ${rel} set ${col} = ${col} where ${others} returning 1`, expect: 'empty', description: what('updates no other tenant in') });
  if (priv.delete) out.push({ statement: `delete from ${rel} where ${others} returning 1`, expect: 'empty', description: what('deletes no other tenant from') });
  return out;
}
