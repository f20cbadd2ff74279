import { freshDatabase, type TestDatabase } from './database.js';

/** A database with the full reference schema: since migration 000004, a clone of the migrated template. */
export async function referenceDatabase(): Promise<TestDatabase> {
  return freshDatabase();
}
