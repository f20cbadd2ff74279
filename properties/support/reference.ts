import { sql, type Queryable, type SQLQuery, type Transaction } from '@databases/pg';
import { errorCode } from 'tenantproof';
import { factories, GLOBAL_TABLES, insertWorld, missingParents, REFERENCE_DATE, seededFaker, type ExistingRows, type FactoryContext, type Row, type World } from '../../factories/index.js';

/** A relation that holds tenant rows: a table, a partitioned table or one of its partitions. */
export interface TenantRelation {
  name: string;
  /** The column naming each row's tenant: `id` for the tenant table itself. */
  tenantColumn: string;
  kind: 'table' | 'partitioned' | 'partition';
  /** For a partition: its partitioned table, whose factory builds its rows. */
  parent: string | null;
  /** For a range partition on created_at: a moment inside it. */
  inside: string | null;
  /** The timestamp column the update probe nudges: visible in a digest, untouched by triggers. */
  nudgeColumn: string;
  /** Nullable columns of its foreign keys (other than the tenant column): cleared in a row meant to be free to move. */
  optionalReferences: string[];
}

export const TENANT_ACTORS = ['tp_member', 'tp_admin'] as const;
export const ALL_ACTORS = ['tp_member', 'tp_admin', 'tp_anon', 'tp_platform'] as const;
const SYSTEM_SCHEMAS = ['pg_catalog', 'information_schema', 'graphile_migrate'];

export const ident = (qualified: string) => sql.ident(...(qualified.split('.') as [string, string]));

/**
 * Tenant relations found in the catalog, not listed by hand: every table,
 * partitioned table and partition (queried directly, they apply their own
 * policies, not their parent's) with a tenant_id column, and the tenant table.
 */
export async function discoverTenantRelations(q: Queryable): Promise<TenantRelation[]> {
  const rows = await q.query(sql`
    select n.nspname || '.' || c.relname as name, c.relkind, c.relispartition,
           case when c.relispartition then (select pn.nspname || '.' || p.relname from pg_inherits i
                  join pg_class p on p.oid = i.inhparent join pg_namespace pn on pn.oid = p.relnamespace where i.inhrelid = c.oid) end as parent,
           pg_get_expr(c.relpartbound, c.oid) as bound,
           exists (select from pg_attribute a where a.attrelid = c.oid and a.attname = 'created_at' and not a.attisdropped) as has_created_at,
           array(select distinct a.attname::text from pg_constraint k join pg_attribute a on a.attrelid = k.conrelid and a.attnum = any(k.conkey)
                 where k.conrelid = c.oid and k.contype = 'f' and not a.attnotnull and a.attname <> 'tenant_id') as optional_refs
    from pg_class c join pg_namespace n on n.oid = c.relnamespace
    where c.relkind in ('r', 'p')
      and n.nspname <> all (${SYSTEM_SCHEMAS}) and n.nspname not like 'pg\_%'
      and (exists (select from pg_attribute a where a.attrelid = c.oid and a.attname = 'tenant_id' and not a.attisdropped)
           or c.oid = 'app.tenants'::regclass)
    order by 1`);
  return rows.map((r) => {
    const name = r.name as string;
    const bound = r.bound as string | null;
    const from = bound ? /FROM \('([^']+)'\)/.exec(bound)?.[1] : undefined;
    return {
      name,
      tenantColumn: name === 'app.tenants' ? 'id' : 'tenant_id',
      kind: r.relispartition ? 'partition' : r.relkind === 'p' ? 'partitioned' : 'table',
      parent: (r.parent as string | null) ?? null,
      // A day into the month; the default partition takes what no month does.
      inside: r.relispartition ? (from ? new Date(new Date(from).getTime() + 86_400_000).toISOString() : '2031-06-15T12:00:00.000Z') : null,
      nudgeColumn: r.has_created_at ? 'created_at' : 'occurred_at',
      optionalReferences: r.optional_refs as string[],
    } satisfies TenantRelation;
  });
}

/** Global tables: no tenant column (and not the tenant table). */
export async function discoverGlobalTables(q: Queryable): Promise<string[]> {
  const rows = await q.query(sql`
    select n.nspname || '.' || c.relname as name
    from pg_class c join pg_namespace n on n.oid = c.relnamespace
    where c.relkind in ('r', 'p') and not c.relispartition
      and n.nspname <> all (${SYSTEM_SCHEMAS}) and n.nspname not like 'pg\_%'
      and not exists (select from pg_attribute a where a.attrelid = c.oid and a.attname = 'tenant_id' and not a.attisdropped)
      and c.oid <> 'app.tenants'::regclass
    order by 1`);
  return rows.map((r) => r.name as string);
}

export async function privileges(q: Queryable, roles: readonly string[], relations: readonly string[]): Promise<Map<string, Set<string>>> {
  const rows = await q.query(sql`
    select r.role || ' ' || t.rel as k, array_remove(array[
      case when has_table_privilege(r.role, t.rel, 'SELECT') then 'SELECT' end,
      case when has_table_privilege(r.role, t.rel, 'INSERT') then 'INSERT' end,
      case when has_table_privilege(r.role, t.rel, 'UPDATE') then 'UPDATE' end,
      case when has_table_privilege(r.role, t.rel, 'DELETE') then 'DELETE' end], null) as privs
    from unnest(${roles}::text[]) r(role), unnest(${relations}::text[]) t(rel)`);
  return new Map(rows.map((r) => [r.k as string, new Set(r.privs as string[])]));
}

export type Outcome = { ok: true; rows: Record<string, unknown>[] } | { ok: false; code: string | undefined; constraint: string | undefined; message: string };

/** One statement in a savepoint: an error rolls back that statement only. */
export async function attempt(tx: Transaction, query: SQLQuery): Promise<Outcome> {
  await tx.query(sql`savepoint attempt`);
  try {
    const rows = await tx.query(query);
    await tx.query(sql`release savepoint attempt`);
    return { ok: true, rows };
  } catch (e) {
    await tx.query(sql`rollback to savepoint attempt`);
    return { ok: false, code: errorCode(e), constraint: constraintOf(e), message: (e as Error).message };
  }
}

/** Switches the transaction to `role` in `tenantId`'s context (transaction-local, as withTenant does). */
export async function become(tx: Queryable, role: string, tenantId: string | null): Promise<void> {
  await tx.query(sql`select set_config('role', ${role}, true), set_config('app.tenant_id', ${tenantId ?? ''}, true)`);
}
export async function unbecome(tx: Queryable): Promise<void> {
  await tx.query(sql`reset role`);
}

/** Runs `fn` inside a savepoint that is always rolled back. */
export async function undone<T>(tx: Transaction, fn: () => Promise<T>): Promise<T> {
  await tx.query(sql`savepoint undone`);
  try {
    return await fn();
  } finally {
    await tx.query(sql`rollback to savepoint undone`);
  }
}

/** Rows per (relation, tenant) of `relations`, in one statement, as whoever runs it. */
export async function countsByTenant(q: Queryable, relations: readonly TenantRelation[]): Promise<Map<string, Map<string, number>>> {
  const out = new Map<string, Map<string, number>>(relations.map((r) => [r.name, new Map()]));
  if (relations.length === 0) return out;
  const parts = relations.map((r) => sql`select ${r.name}::text as rel, ${sql.ident(r.tenantColumn)}::text as t, count(*)::int as n from ${ident(r.name)} group by 2`);
  for (const row of await q.query(sql.join(parts, sql` union all `))) out.get(row.rel as string)!.set(row.t as string, row.n as number);
  return out;
}

/** A digest of the rows of each relation outside `tenantId`, read as the privileged role. */
export async function othersDigests(q: Queryable, relations: readonly TenantRelation[], tenantId: string): Promise<Map<string, string>> {
  const parts = relations.map(
    (r) => sql`select ${r.name}::text as rel, count(*)::text || ':' || coalesce(md5(string_agg(t::text, '|' order by t::text)), '') as d
      from ${ident(r.name)} t where ${sql.ident(r.tenantColumn)} <> ${tenantId}::uuid`,
  );
  const rows = await q.query(sql.join(parts, sql` union all `));
  return new Map(rows.map((r) => [r.rel as string, r.d as string]));
}

export function insertStatement(relation: string, row: Row, returning: boolean): SQLQuery {
  const cols = sql.join(Object.keys(row).map((c) => sql.ident(c)), ', ');
  return sql`insert into ${ident(relation)} (${cols})
    select ${cols} from json_populate_record(null::${ident(relation)}, ${JSON.stringify(row)}::json)
    ${returning ? sql`returning 1` : sql``}`;
}

/**
 * A row for `tenantId` built by the relation's factory from that tenant's
 * rows in `world`: valid for that tenant in every way but the tenant context.
 * For a partition, moved into its range. `attempt` varies the choice.
 */
export function plantRow(world: World, existing: ExistingRows, relation: TenantRelation, tenantId: string, attempt: number): Row | null {
  const table = relation.parent ?? relation.name;
  const factory = factories[table];
  if (!factory) throw new Error(`no factory for ${table}`);
  const faker = seededFaker(world.seed + 7919 * (attempt + 1));
  faker.setDefaultRefDate(REFERENCE_DATE);
  const ctx: FactoryContext = {
    faker,
    tenantId: table === 'app.tenants' ? faker.string.uuid() : tenantId,
    // Far above any n a world uses: names built from n do not repeat.
    n: 1_000_000 + attempt,
    pick: (parent) => {
      const rows = (GLOBAL_TABLES as readonly string[]).includes(parent)
        ? [...(existing[parent] ?? []), ...(world.rows[parent] ?? [])]
        : (world.rows[parent] ?? []).filter((r) => (parent === 'app.tenants' ? r.id : r.tenant_id) === tenantId);
      return rows.length > 0 ? faker.helpers.arrayElement(rows) : undefined;
    },
  };
  const row = factory(ctx);
  if (missingParents(ctx).length > 0) return null;
  if (relation.inside) Object.assign(row, { created_at: relation.inside, updated_at: relation.inside });
  return row;
}

/** Detections spread over every monthly partition (and the default), for a world that covers them all. */
export function spreadOverPartitions(world: World, relations: readonly TenantRelation[], table: string): void {
  const months = relations.filter((r) => r.parent === table).map((r) => r.inside!);
  world.rows[table]!.forEach((row, i) => {
    const at = months[i % months.length]!;
    Object.assign(row, { created_at: at, updated_at: at });
  });
}

/** Inserts `world` as the privileged connection, runs `fn`, and rolls everything back. */
export async function inRolledBackWorld(db: { tx<T>(fn: (tx: Transaction) => Promise<T>): Promise<T> }, world: World, fn: (tx: Transaction) => Promise<void>): Promise<void> {
  const rollback = new Error('rollback');
  await db
    .tx(async (tx) => {
      await insertWorld(tx, world);
      await fn(tx);
      throw rollback;
    })
    .catch((e: unknown) => {
      if (e !== rollback) throw e;
    });
}

/** The name of the constraint a database error names, if any. */
export function constraintOf(e: unknown): string | undefined {
  return (e as { constraint?: string }).constraint;
}

/** A quoted identifier for statement text (`schema.table` or a column). */
export const quoted = (name: string) => name.split('.').map((p) => `"${p.replace(/"/g, '""')}"`).join('.');

/**
 * Many statements in one round trip, each in its own subtransaction (a
 * plpgsql exception block), as whoever calls it: the same as one savepoint
 * per statement, without the round trips. Statement text may use $1 (a
 * uuid), $2 (a uuid) and $3 (json); created in the transaction, gone with it.
 */
export async function defineAttempts(tx: Queryable): Promise<void> {
  await tx.query(sql`create or replace function pg_temp.tp_attempts(statements text[], a uuid, b uuid, payloads json[])
    returns table (i integer, code text, message text, n bigint) language plpgsql as $$
    declare
      k integer;
      c bigint;
    begin
      for k in 1 .. coalesce(array_length(statements, 1), 0) loop
        begin
          execute statements[k] using a, b, payloads[k];
          get diagnostics c = row_count;
          i := k; code := null; message := null; n := c;
        exception when others then
          i := k; code := sqlstate; message := sqlerrm; n := null;
        end;
        return next;
      end loop;
    end $$`);
}

export interface Attempt { label: string; relation: string; text: string; payload?: Row }
export async function attemptAll(tx: Queryable, attempts: readonly Attempt[], a: string, b: string): Promise<Outcome[]> {
  const rows = await tx.query(sql`select i, code, message, n from pg_temp.tp_attempts(
    ${attempts.map((x) => x.text)}::text[], ${a}::uuid, ${b}::uuid, ${attempts.map((x) => (x.payload ? JSON.stringify(x.payload) : null))}::json[]) order by i`);
  return rows.map((r) => (r.code === null ? { ok: true as const, rows: [] } : { ok: false as const, code: r.code as string, constraint: undefined, message: r.message as string }));
}
