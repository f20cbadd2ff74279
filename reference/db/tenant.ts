import { sql, type Queryable, type Transaction } from '@databases/pg';
import { isTransientTransactionError, retry } from 'tenantproof';

export interface TenantContext {
  /** The tenant's id, written into the tenant setting; null leaves the context unset. */
  tenantId: string | null;
  /** The database role the transaction runs as (SET LOCAL ROLE). */
  role: string;
  /** The custom setting the policies read (default `app.tenant_id`, the reference schema's). */
  setting?: string;
}

export const DEFAULT_TENANT_SETTING = 'app.tenant_id';

type TxSource = Queryable & { tx<T>(fn: (tx: Transaction) => Promise<T>): Promise<T> };

/**
 * Runs `fn` in one transaction as `role` inside `tenantId`'s context.
 * Both are set transaction-locally: a session-level SET would survive COMMIT
 * and leak the tenant to the next user of the pooled connection.
 * Serialization failures and deadlocks retry the whole transaction.
 */
export function withTenant<T>(db: TxSource, ctx: TenantContext, fn: (tx: Transaction) => Promise<T>): Promise<T> {
  return retry(
    () =>
      db.tx(async (tx) => {
        await enterTenant(tx, ctx);
        return fn(tx);
      }),
    { isRetryable: isTransientTransactionError, attempts: 5, maxMs: 10_000 },
  );
}

/** The statements withTenant runs, for callers that manage their own transaction. */
export async function enterTenant(tx: Queryable, ctx: TenantContext): Promise<void> {
  const setting = ctx.setting ?? DEFAULT_TENANT_SETTING;
  await tx.query(sql`select set_config('role', ${ctx.role}, true), set_config(${setting}, ${ctx.tenantId ?? ''}, true)`);
}
