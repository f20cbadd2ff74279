import { describe, expect, it } from 'vitest';
import createConnectionPool from '@databases/pg';
import { checkHealth } from './health.js';
import { freshDatabase } from '../../tests/support/database.js';

describe('health check', () => {
  it('reports connectivity, server version and migration level of a migrated database', async () => {
    const t = await freshDatabase();
    try {
      const h = await checkHealth(t.db);
      expect(h.ok).toBe(true);
      if (!h.ok) return;
      expect(h.serverVersionNum).toBeGreaterThanOrEqual(150000);
      expect(h.database).toBe(t.name);
      expect(h.migration?.level).toBeGreaterThanOrEqual(1);
      expect(h.migration?.name).toMatch(/^\d{6}.*\.sql$/);
    } finally {
      await t.drop();
    }
  });

  it('reports an unmigrated database as such', async () => {
    const t = await freshDatabase({ template: 'empty' });
    try {
      const h = await checkHealth(t.db);
      expect(h.ok && h.migration).toBe(null);
    } finally {
      await t.drop();
    }
  });

  it('reports an unreachable server as a typed failure, without throwing', async () => {
    const db = createConnectionPool({ connectionString: 'postgres://nobody@127.0.0.1:1/none', connectionTimeoutMilliseconds: 2000, bigIntMode: 'bigint' });
    try {
      const h = await checkHealth(db);
      expect(h).toMatchObject({ ok: false, code: 'ECONNREFUSED' });
    } finally {
      await db.dispose();
    }
  });
});
