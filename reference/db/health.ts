import { sql, type Queryable } from '@databases/pg';
import { errorCode } from 'tenantproof';

export type Health =
  | { ok: true; serverVersion: string; serverVersionNum: number; database: string; migration: { level: number; name: string | null } | null }
  | { ok: false; error: string; code: string | undefined };

/** Connectivity, server version and migration level (graphile-migrate's table) as one typed result. */
export async function checkHealth(db: Queryable): Promise<Health> {
  try {
    const [row] = await db.query(sql`
      select current_setting('server_version') as version,
             current_setting('server_version_num')::int as num,
             current_database() as database,
             to_regclass('graphile_migrate.migrations') is not null as migrated`);
    let migration: { level: number; name: string | null } | null = null;
    if (row.migrated) {
      const rows = await db.query(sql`select count(*)::int as level, max(filename) as name from graphile_migrate.migrations`);
      migration = { level: rows[0].level as number, name: (rows[0].name as string | null) ?? null };
    }
    return { ok: true, serverVersion: row.version as string, serverVersionNum: row.num as number, database: row.database as string, migration };
  } catch (e) {
    return { ok: false, error: e instanceof Error ? e.message : String(e), code: errorCode(e) };
  }
}
