import { sql, type Queryable, type Transaction } from '@databases/pg';
import type { CoreWorld } from '../../factories/core-world.js';
import { errorCode } from 'tenantproof';

/** The reference schema's tenant relations and the column that names each row's tenant. */
export const CORE_TABLES: { table: keyof CoreWorld | 'app.audit_logs'; name: string; tenantColumn: string }[] = [
  { table: 'tenants', name: 'app.tenants', tenantColumn: 'id' },
  { table: 'app.users', name: 'app.users', tenantColumn: 'tenant_id' },
  { table: 'app.documents', name: 'app.documents', tenantColumn: 'tenant_id' },
  { table: 'app.tenant_api_keys', name: 'app.tenant_api_keys', tenantColumn: 'tenant_id' },
  { table: 'app.tenant_configs', name: 'app.tenant_configs', tenantColumn: 'tenant_id' },
  { table: 'app.audit_logs', name: 'app.audit_logs', tenantColumn: 'tenant_id' },
];
export const TENANT_ACTORS = ['tp_member', 'tp_admin'] as const;

const ident = (qualified: string) => sql.ident(...(qualified.split('.') as [string, string]));

/** Inserts the world as the privileged connection, one statement per table, in foreign-key order. */
export async function insertCoreWorld(tx: Queryable, world: CoreWorld): Promise<void> {
  const order: [string, unknown[]][] = [
    ['app.tenants', world.tenants],
    ['app.users', world['app.users']],
    ['app.documents', world['app.documents']],
    ['app.tenant_api_keys', world['app.tenant_api_keys']],
    ['app.tenant_configs', world['app.tenant_configs']],
  ];
  for (const [table, rows] of order) {
    if (rows.length === 0) continue;
    const cols = Object.keys(rows[0] as object).map((c) => sql.ident(c));
    await tx.query(sql`insert into ${ident(table)} (${sql.join(cols, ', ')})
      select ${sql.join(cols, ', ')} from json_populate_recordset(null::${ident(table)}, ${JSON.stringify(rows)}::json)`);
  }
}

export type Outcome<T> = { ok: true; value: T } | { ok: false; code: string | undefined; message: string };

/**
 * Runs `fn` as `role` in `tenantId`'s context inside a savepoint that is rolled
 * back, so a probe never changes what the next probe sees. `after` runs back as
 * the privileged role before the rollback (to read back what the probe did).
 */
export async function asActor<T, A = undefined>(
  tx: Transaction,
  ctx: { role: string; tenantId: string | null },
  fn: (q: Queryable) => Promise<T>,
  after?: (q: Queryable) => Promise<A>,
): Promise<{ outcome: Outcome<T>; after: A | undefined }> {
  await tx.query(sql`savepoint probe`);
  try {
    await tx.query(sql`select set_config('role', ${ctx.role}, true), set_config('app.tenant_id', ${ctx.tenantId ?? ''}, true)`);
    let outcome: Outcome<T>;
    await tx.query(sql`savepoint statement`);
    try {
      outcome = { ok: true, value: await fn(tx) };
    } catch (e) {
      outcome = { ok: false, code: errorCode(e), message: (e as Error).message };
      await tx.query(sql`rollback to savepoint statement`);
    }
    await tx.query(sql`reset role`);
    const afterValue = after ? await after(tx) : undefined;
    return { outcome, after: afterValue };
  } finally {
    await tx.query(sql`rollback to savepoint probe`);
  }
}

/** A digest of every row of `table` outside `tenantId`, read as the privileged role. */
export async function othersDigest(q: Queryable, table: string, tenantColumn: string, tenantId: string): Promise<string> {
  const [row] = await q.query(sql`select count(*)::text || ':' || coalesce(md5(string_agg(t::text, '|' order by t::text)), '') as d
    from ${ident(table)} t where ${sql.ident(tenantColumn)} <> ${tenantId}::uuid`);
  return row.d as string;
}

export async function hasPrivilege(q: Queryable, role: string, table: string, privilege: string): Promise<boolean> {
  const [row] = await q.query(sql`select has_table_privilege(${role}, ${table}, ${privilege}) as ok`);
  return row.ok as boolean;
}

export { ident };
