import createConnectionPool, { sql, type ConnectionPool } from '@databases/pg';
import { explainConnectionError, isTransientConnectionError } from './pg-errors.js';
import { retry } from './retry.js';

export interface PoolOptions {
  connectionString: string;
  /** Most connections open at once (default 10). */
  poolSize?: number;
  /** Connections opened up front, so the first queries do not pay for the handshake (default 2). */
  warm?: number;
}

/**
 * A pool that is known to work: it connects (retrying while a server starts)
 * before it is handed out, and a failure becomes one clear TenantproofError.
 */
export async function openPool(o: PoolOptions): Promise<ConnectionPool> {
  const db = createConnectionPool({
    connectionString: o.connectionString,
    poolSize: o.poolSize ?? 10,
    bigIntMode: 'bigint',
    // Fail fast on a dead server instead of hanging a CI job.
    connectionTimeoutMilliseconds: 10_000,
    onError: () => {
      // Idle-connection errors (server restarted) surface on the next query instead.
    },
  });
  try {
    await retry(() => Promise.all(Array.from({ length: Math.max(1, o.warm ?? 2) }, () => db.query(sql`select 1`))), {
      isRetryable: isTransientConnectionError,
      attempts: 6,
      maxMs: 10_000,
    });
  } catch (e) {
    await db.dispose().catch(() => {});
    throw explainConnectionError(e, o.connectionString);
  }
  return db;
}
