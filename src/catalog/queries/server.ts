import { sql, type Queryable } from '@databases/pg';

export interface ServerRow {
  version: number;
  database: string;
}

/** The server's version decides which pg_auth_members columns exist (16+ has inherit/set options). */
export async function queryServer(db: Queryable): Promise<ServerRow> {
  const [row] = await db.query(sql`select current_setting('server_version_num')::int as version, current_database()::text as database`);
  return row as ServerRow;
}
