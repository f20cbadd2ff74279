import createConnectionPool, { sql, type ConnectionPool } from '@databases/pg';
import { explainConnectionError, isTransientConnectionError } from './pg-errors.js';
import { retry } from './retry.js';

export interface PoolOptions {
  connectionString: string;
  /** Most connections open at once (default 10). */
  poolSize?: number;
  /** Connections opened up front, so the first queries do not pay for the handshake (default 2). */
  warm?: number;
  /** How long to wait for a server that refuses connections (a server still starting): default connectWaitMs(). */
  waitMs?: number;
}

/**
 * How long to wait for a server to accept connections: `PGCONNECT_TIMEOUT` seconds, the variable
 * libpq's clients read (readEnv has validated it), else 10 s. The driver itself retries a refused
 * first connection for 2 s, so less than 2 s means one attempt.
 */
export function connectWaitMs(env: NodeJS.ProcessEnv = process.env): number {
  const s = Number(env.PGCONNECT_TIMEOUT);
  return env.PGCONNECT_TIMEOUT?.trim() && Number.isFinite(s) && s > 0 ? s * 1000 : 10_000;
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
      maxMs: o.waitMs ?? connectWaitMs(),
    });
  } catch (e) {
    await db.dispose().catch(() => {});
    throw explainConnectionError(e, o.connectionString);
  }
  return db;
}
