import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { sql, type Transaction } from '@databases/pg';
import { buildCoreWorld, coreWorldShape, type CoreWorld } from '../factories/core-world.js';
import { freshDatabase, type TestDatabase } from '../tests/support/database.js';
import { withTenant } from '../reference/db/tenant.js';
import { openPool } from 'tenantproof';
import { CORE_TABLES, TENANT_ACTORS, asActor, hasPrivilege, ident, insertCoreWorld, othersDigest } from './support/core.js';

// Properties of the reference schema's core tables, checked on random worlds.
// Each world lives in one transaction that is rolled back.

const RUNS = Number(process.env.TENANTPROOF_RUNS ?? 25);
let t: TestDatabase;
let templateId: string;

beforeAll(async () => {
  t = await freshDatabase();
  const [row] = await t.db.query(sql`select id from app.templates where name = 'Fintech Template'`);
  templateId = row.id as string;
});
afterAll(async () => t?.drop());

/** Runs `fn` on the world inside a transaction that is always rolled back. */
async function inWorld(world: CoreWorld, fn: (tx: Transaction) => Promise<void>): Promise<void> {
  const rollback = new Error('rollback');
  await t.db
    .tx(async (tx) => {
      await insertCoreWorld(tx, world);
      await fn(tx);
      throw rollback;
    })
    .catch((e: unknown) => {
      if (e !== rollback) throw e;
    });
}

async function countsByTenant(tx: Transaction, table: string, column: string): Promise<Map<string, number>> {
  const rows = await tx.query(sql`select ${sql.ident(column)}::text as t, count(*)::int as n from ${ident(table)} group by 1`);
  return new Map(rows.map((r) => [r.t as string, r.n as number]));
}

describe('core isolation on random worlds', () => {
  it('an actor sees exactly its own tenant rows in every core table, and none without a tenant', async () => {
    const coverage = { worlds: 0, rows: 0, ownRowsSeen: 0, readChecks: 0, deniedChecks: 0, unsetChecks: 0 };
    await fc.assert(
      fc.asyncProperty(coreWorldShape(), async (shape) => {
        const world = buildCoreWorld(shape, templateId);
        coverage.worlds++;
        await inWorld(world, async (tx) => {
          for (const { name, tenantColumn } of CORE_TABLES) {
            const expected = await countsByTenant(tx, name, tenantColumn);
            coverage.rows += [...expected.values()].reduce((a, b) => a + b, 0);
            for (const role of TENANT_ACTORS) {
              const readable = await hasPrivilege(tx, role, name, 'SELECT');
              for (const tenant of world.tenants) {
                const { outcome } = await asActor(tx, { role, tenantId: tenant.id }, (q) =>
                  q.query(sql`select ${sql.ident(tenantColumn)}::text as t from ${ident(name)}`),
                );
                if (!readable) {
                  expect(outcome.ok ? 'read allowed' : outcome.code, `${role} on ${name}`).toBe('42501');
                  coverage.deniedChecks++;
                  continue;
                }
                if (!outcome.ok) throw new Error(`${role} could not read ${name}: ${outcome.message}`);
                const seen = outcome.value.map((r) => r.t as string);
                expect(seen.filter((x) => x !== tenant.id), `${role} of ${tenant.id} saw other tenants in ${name}`).toEqual([]);
                expect(seen.length, `${role} of ${tenant.id} must see all its rows in ${name}`).toBe(expected.get(tenant.id) ?? 0);
                coverage.ownRowsSeen += seen.length;
                coverage.readChecks++;
              }
              if (!readable) continue;
              const unset = await asActor(tx, { role, tenantId: null }, (q) => q.query(sql`select count(*)::int as n from ${ident(name)}`));
              expect(unset.outcome.ok && unset.outcome.value[0]?.n, `${role} with no tenant set on ${name}`).toBe(0);
              coverage.unsetChecks++;
            }
          }
        });
      }),
      { numRuns: RUNS },
    );
    // Not vacuous: worlds had rows, own rows were seen, every kind of check ran.
    expect(coverage.worlds).toBe(RUNS);
    expect(coverage.rows).toBeGreaterThan(RUNS * 5);
    expect(coverage.ownRowsSeen).toBeGreaterThan(0);
    expect(coverage.readChecks).toBeGreaterThan(RUNS * 10);
    expect(coverage.deniedChecks).toBeGreaterThan(0);
    expect(coverage.unsetChecks).toBe(RUNS * 11);
  });

  it("updating, deleting or planting another tenant's rows fails or touches nothing", async () => {
    const coverage = { update: 0, delete: 0, insert: 0, insertReturning: 0, targetsWithRows: 0, controls: 0 };
    const writable = CORE_TABLES.filter((x) => x.name !== 'app.tenants' && x.name !== 'app.audit_logs');
    await fc.assert(
      fc.asyncProperty(coreWorldShape(), fc.nat(), async (shape, pick) => {
        const world = buildCoreWorld(shape, templateId);
        await inWorld(world, async (tx) => {
          const actorTenant = world.tenants[pick % world.tenants.length]!;
          const victim = world.tenants[(pick + 1) % world.tenants.length]!;
          for (const { name, tenantColumn } of writable) {
            const before = await othersDigest(tx, name, tenantColumn, actorTenant.id);
            if (!before.startsWith('0:')) {
              coverage.targetsWithRows++;
              // Control: the privileged role running the same update does change these rows, so the probe can see a leak.
              await tx.query(sql`savepoint control`);
              await tx.query(sql`update ${ident(name)} set created_at = '2001-01-01T00:00:00Z'`);
              expect(await othersDigest(tx, name, tenantColumn, actorTenant.id)).not.toBe(before);
              await tx.query(sql`rollback to savepoint control`);
              coverage.controls++;
            }
            for (const role of TENANT_ACTORS) {
              const ctx = { role, tenantId: actorTenant.id };
              const readBack = (q: Parameters<typeof othersDigest>[0]) => othersDigest(q, name, tenantColumn, actorTenant.id);

              // A constant and no WHERE: a statement that reads no column is judged by the UPDATE policies alone
              // (and created_at, unlike updated_at, is not rewritten by a trigger).
              const update = sql`update ${ident(name)} set created_at = '2001-01-01T00:00:00Z'`;
              const upd = await asActor(tx, ctx, (q) => q.query(update), readBack);
              expect(upd.after, `${role} updated another tenant's rows in ${name}`).toBe(before);
              coverage.update++;

              const del = await asActor(tx, ctx, (q) => q.query(sql`delete from ${ident(name)} where ${sql.ident(tenantColumn)} = ${victim.id}::uuid`), readBack);
              expect(del.after, `${role} deleted another tenant's rows in ${name}`).toBe(before);
              coverage.delete++;

              // Plant a copy of one of the actor's own rows, re-stamped with the victim tenant:
              // with and without RETURNING, since RETURNING alone can mask a permissive WITH CHECK.
              const own = (world[name as keyof CoreWorld] as { tenant_id: string }[]).find((r) => r.tenant_id === actorTenant.id);
              if (!own) continue;
              const planted = { ...own, id: crypto.randomUUID(), tenant_id: victim.id };
              const cols = Object.keys(planted);
              const values = sql`select ${sql.join(cols.map((c) => sql.ident(c)), ', ')} from json_populate_record(null::${ident(name)}, ${JSON.stringify(planted)}::json)`;
              const insertSql = sql`insert into ${ident(name)} (${sql.join(cols.map((c) => sql.ident(c)), ', ')}) ${values}`;
              for (const returning of [false, true]) {
                const ins = await asActor(tx, ctx, (q) => q.query(returning ? sql`${insertSql} returning 1` : insertSql), readBack);
                expect(ins.after, `${role} planted a row for another tenant in ${name}${returning ? ' (with RETURNING)' : ''}`).toBe(before);
                expect(ins.outcome.ok, `${role} insert into ${name} stamped with another tenant must fail`).toBe(false);
                if (returning) coverage.insertReturning++;
                else coverage.insert++;
              }
            }
          }
        });
      }),
      { numRuns: RUNS },
    );
    expect(coverage.targetsWithRows).toBeGreaterThan(0);
    expect(coverage.controls).toBe(coverage.targetsWithRows);
    expect(coverage.update).toBe(RUNS * writable.length * TENANT_ACTORS.length);
    expect(coverage.delete).toBe(coverage.update);
    expect(coverage.insert).toBeGreaterThan(0);
    expect(coverage.insertReturning).toBe(coverage.insert);
  });
});

describe('pooled connections', () => {
  it('interleaved withTenant transactions over 2 connections never observe another tenant', async () => {
    const pool = await openPool({ connectionString: t.url, poolSize: 2 });
    const world = buildCoreWorld(
      { seed: 7, tenants: Array.from({ length: 4 }, () => ({ users: 2, documentsPerUser: [2, 1, 0, 0], apiKeys: 1, config: true })) },
      templateId,
    );
    // Committed, as pooled transactions run on other connections.
    await t.db.tx((tx) => insertCoreWorld(tx, world));
    try {
      let observed = 0;
      await fc.assert(
        fc.asyncProperty(fc.array(fc.tuple(fc.nat({ max: 3 }), fc.constantFrom(...TENANT_ACTORS), fc.boolean()), { minLength: 10, maxLength: 40 }), async (ops) => {
          await Promise.all(
            ops.map(async ([i, role, withContext]) => {
              const tenantId = withContext ? world.tenants[i]!.id : null;
              const rows = await withTenant(pool, { tenantId, role }, (tx) => tx.query(sql`select tenant_id::text as t from app.documents`));
              const expected = tenantId === null ? [] : world['app.documents'].filter((d) => d.tenant_id === tenantId).map((d) => d.tenant_id);
              expect(rows.map((r) => r.t).sort()).toEqual(expected.sort());
              observed += rows.length;
              // A later transaction on the same connection, with no context, sees nothing.
              const after = await pool.tx(async (tx) => {
                await tx.query(sql`select set_config('role', ${role}, true)`);
                return tx.query(sql`select count(*)::int as n from app.documents`);
              });
              expect(after[0]?.n).toBe(0);
            }),
          );
        }),
        { numRuns: 20 },
      );
      expect(observed).toBeGreaterThan(0);
    } finally {
      await pool.dispose();
    }
  });
});
