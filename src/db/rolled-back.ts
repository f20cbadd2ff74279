import type { Transaction } from '@databases/pg';

class Rollback extends Error {}

/** Runs `fn` in a transaction that is always rolled back, and returns what it returned. */
export async function rolledBack<T>(db: { tx<R>(fn: (tx: Transaction) => Promise<R>): Promise<R> }, fn: (tx: Transaction) => Promise<T>): Promise<T> {
  let value: T | undefined;
  try {
    await db.tx(async (tx) => {
      value = await fn(tx);
      throw new Rollback();
    });
  } catch (e) {
    if (!(e instanceof Rollback)) throw e;
  }
  return value!;
}
