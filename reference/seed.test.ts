import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from '@databases/pg';
import { commandContext } from '../src/commands/context.js';
import { dbSeed, DEMO_SHAPE } from './seed.js';
import { isTenantproofError } from 'tenantproof';
import { referenceDatabase } from '../tests/support/reference-db.js';
import { freshDatabase, type TestDatabase } from '../tests/support/database.js';

// The reference app's seed (`npm run db:seed`) on a database of its own (DATABASE_URL names it, as a developer's would).
let t: TestDatabase;
beforeAll(async () => {
  t = await referenceDatabase();
});
afterAll(async () => t?.drop());

const ctxFor = (url: string) => commandContext({ env: { ...process.env, DATABASE_URL: url } });

async function countsByTable(): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const table of [...Object.keys(DEMO_SHAPE), 'app.tenants', 'app.audit_logs']) {
    const [schema, name] = table.split('.') as [string, string];
    out[table] = (await t.db.query(sql`select count(*)::int as n from ${sql.ident(schema, name)}`))[0]!.n as number;
  }
  return out;
}

describe('db seed', () => {
  it('loads several tenants with hundreds of rows each, and a second run adds nothing', async () => {
    const first = await dbSeed(ctxFor(t.url), { tenants: 3, seed: 7 });
    const added = Object.values(first.inserted).reduce((a, b) => a + b, 0);
    expect(added).toBe(first.rows);
    const after = await countsByTable();
    expect(after['app.tenants']).toBe(3);
    for (const table of Object.keys(DEMO_SHAPE)) expect(after[table], `${table} seeded`).toBeGreaterThan(0);
    // The audit trail saw every audited row go in.
    expect(after['app.audit_logs']).toBeGreaterThan(1000);
    const perTenant = await t.db.query(sql`select tenant_id, count(*)::int as n from (
      select tenant_id from app.photos union all select tenant_id from app.detections union all select tenant_id from app.clients
      union all select tenant_id from log.api_requests union all select tenant_id from app.users) x group by 1`);
    expect(perTenant.length).toBe(3);
    for (const r of perTenant) expect(r.n, `rows of tenant ${r.tenant_id}`).toBeGreaterThan(500);

    const second = await dbSeed(ctxFor(t.url), { tenants: 3, seed: 7 });
    expect(Object.values(second.inserted).reduce((a, b) => a + b, 0)).toBe(0);
    expect(await countsByTable()).toEqual(after);
  });

  it('says what to do when the database lacks the reference schema', async () => {
    // An empty database: the reference schema is now in every migrated one.
    const bare = await freshDatabase({ template: 'empty' });
    try {
      const e = await dbSeed(ctxFor(bare.url), { tenants: 1 }).then(() => null, (err: unknown) => err);
      expect(isTenantproofError(e) && e.code).toBe('schema-missing');
      expect((e as Error).message).toMatch(/lacks the reference schema/);
      // Nothing was written.
      expect((await bare.db.query(sql`select count(*)::int as n from pg_tables where schemaname not in ('pg_catalog', 'information_schema')`))[0]!.n).toBe(0);
    } finally {
      await bare.drop();
    }
  });
});
