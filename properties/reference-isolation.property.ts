import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { sql, type Transaction } from '@databases/pg';
import {
  GLOBAL_TABLES,
  TABLE_ORDER,
  TENANT_TABLES,
  buildWorld,
  factories,
  insertRows,
  loadGlobalRows,
  seededFaker,
  worldSpec,
  type ExistingRows,
  type Row,
  type World,
  type WorldShape,
} from '../factories/index.js';
import { referenceDatabase } from '../tests/support/reference-db.js';
import type { TestDatabase } from '../tests/support/database.js';
import {
  ALL_ACTORS,
  TENANT_ACTORS,
  attempt,
  attemptAll,
  become,
  countsByTenant,
  defineAttempts,
  discoverGlobalTables,
  discoverTenantRelations,
  ident,
  inRolledBackWorld,
  quoted,
  type Attempt,
  othersDigests,
  plantRow,
  privileges,
  spreadOverPartitions,
  unbecome,
  undone,
  type Outcome,
  type TenantRelation,
} from './support/reference.js';

// Isolation on every tenant relation of the full reference schema, found in
// the catalog (tables with a tenant column, partitions queried directly, the
// tenant table), on random multi-tenant worlds built by the factory registry.
// Each world lives in one transaction that is rolled back.

const RUNS = Number(process.env.TENANTPROOF_RUNS ?? 25);
let t: TestDatabase;
let relations: TenantRelation[];
let globals: string[];
let existing: ExistingRows;
let privs: Map<string, Set<string>>;
const can = (role: string, relation: string, privilege: string) => privs.get(`${role} ${relation}`)?.has(privilege) ?? false;

beforeAll(async () => {
  t = await referenceDatabase();
  relations = await discoverTenantRelations(t.db);
  globals = await discoverGlobalTables(t.db);
  existing = await loadGlobalRows(t.db);
  privs = await privileges(t.db, ALL_ACTORS, [...relations.map((r) => r.name), ...globals]);
});
afterAll(async () => t?.drop());

const inWorld = (world: World, fn: (tx: Transaction) => Promise<void>) => inRolledBackWorld(t.db, world, fn);

/**
 * A world with rows in every table for every tenant but the second (which has
 * no tenant configuration, so that one can be planted), and detections in every
 * partition: run first, it makes the coverage assertions hold for any number of runs.
 */
const COVERING_SEED = 20261124;
let coveringShape: WorldShape | undefined;
function covering(): { seed: number; shape: WorldShape } {
  const perTenant = (withConfig: boolean) =>
    Object.fromEntries(TENANT_TABLES.map((table) => [table, table === 'app.tenant_configs' ? (withConfig ? 1 : 0) : table === 'app.detections' ? 60 : 3]));
  coveringShape ??= { tenants: [perTenant(true), perTenant(false), perTenant(true)], global: Object.fromEntries(GLOBAL_TABLES.map((x) => [x, 1])) };
  return { seed: COVERING_SEED, shape: coveringShape };
}

/** The world of a (seed, shape) pair; the covering shape also spreads its detections over every partition. */
function worldOf({ seed, shape }: { seed: number; shape: WorldShape }): World {
  const world = buildWorld(seed, shape, { existing });
  if (shape === coveringShape) spreadOverPartitions(world, relations, 'app.detections');
  return world;
}

/**
 * The write probes for one relation, as statement text: $1 the tenant attacked,
 * $2 the actor's own tenant, $3 the row planted (when there is one).
 */
function writeAttempts(r: TenantRelation, plant: Row | undefined): Attempt[] {
  const [rel, col, nudge] = [quoted(r.name), quoted(r.tenantColumn), quoted(r.nudgeColumn)];
  const insert =
    plant && `insert into ${rel} (${Object.keys(plant).map(quoted).join(', ')}) select ${Object.keys(plant).map(quoted).join(', ')} from json_populate_record(null::${rel}, $3)`;
  // Destructive statements last: each one's effect stays for the next (a delete would hide a later move).
  return [
    { label: 'update', relation: r.name, text: `update ${rel} set ${nudge} = ${nudge} + interval '1 microsecond' where ${col} = $1` },
    { label: 'move', relation: r.name, text: `update ${rel} set ${col} = $1 where ${col} = $2` },
    // With and without RETURNING: RETURNING alone can hide a permissive WITH CHECK.
    ...(insert
      ? [
          { label: 'insert', relation: r.name, text: insert, payload: plant },
          { label: 'insert returning', relation: r.name, text: `${insert} returning 1`, payload: plant },
        ]
      : []),
    { label: 'delete', relation: r.name, text: `delete from ${rel} where ${col} = $1` },
    // No WHERE and no column read: the SELECT policy does not apply, only the DELETE one.
    { label: 'delete all', relation: r.name, text: `delete from ${rel}` },
  ];
}

/**
 * Moves every row the actor can update to the tenant $1, reading no column:
 * neither the SELECT policy nor a WHERE stands in the way, only the UPDATE
 * policy's WITH CHECK (a WHERE that reads a column makes the new row pass the
 * SELECT policy too, which would hide a permissive WITH CHECK).
 */
function moveAll(r: TenantRelation): Attempt {
  return { label: 'move all', relation: r.name, text: `update ${quoted(r.name)} set ${quoted(r.tenantColumn)} = $1` };
}

/**
 * Rows built for `tenant` and proven insertable by inserting them as the
 * privileged role (undone). A random parent pick may repeat a unique key: such
 * a row is replaced; any other refusal is a factory bug.
 */
async function insertableRows(
  tx: Transaction,
  world: World,
  tenant: string,
  other: string,
  shape: (r: TenantRelation, row: Row) => Row,
  only: (r: TenantRelation) => boolean,
): Promise<Map<string, Row>> {
  const rows = new Map<string, Row>();
  for (let a = 0; a < 6; a++) {
    const candidates = relations
      .filter((r) => only(r) && !rows.has(r.name))
      .map((r) => [r, plantRow(world, existing, r, tenant, a)] as const)
      .filter((x): x is readonly [TenantRelation, Row] => x[1] !== null)
      .map(([r, row]) => [r, shape(r, row)] as const);
    if (candidates.length === 0) break;
    const inserts = candidates.map(([r, row]) => writeAttempts(r, row).find((x) => x.label === 'insert')!);
    const controls = await undone(tx, () => attemptAll(tx, inserts, other, tenant));
    candidates.forEach(([r, row], i) => {
      const control = controls[i]!;
      if (control.ok) rows.set(r.name, row);
      else if (control.code !== '23505') throw new Error(`control insert into ${r.name} failed: ${control.message}`);
    });
  }
  return rows;
}

describe('the full reference schema: catalog and registry', () => {
  it('every table has a factory, in foreign-key order, and every tenant relation is probed', async () => {
    const tables = [...relations.filter((r) => r.kind !== 'partition').map((r) => r.name), ...globals].sort();
    expect(tables).toEqual([...TABLE_ORDER].sort());
    const partitions = relations.filter((r) => r.kind === 'partition');
    expect(partitions.map((p) => p.parent)).toEqual(partitions.map(() => 'app.detections'));
    // 2024-01 .. 2027-12 and the default.
    expect(partitions.length).toBe(49);
    expect(partitions.filter((p) => p.inside?.startsWith('2031')).map((p) => p.name)).toEqual(['app.detections_default']);

    const fks = await t.db.query(sql`
      select c.conrelid::regclass::text as child, c.confrelid::regclass::text as parent
      from pg_constraint c join pg_class r on r.oid = c.conrelid
      where c.contype = 'f' and not r.relispartition and c.conrelid <> c.confrelid and c.conparentid = 0`);
    const at = (x: string) => TABLE_ORDER.indexOf(x);
    const qualified = (x: string) => (x.includes('.') ? x : `public.${x}`);
    for (const fk of fks) {
      expect(at(qualified(fk.parent as string)), `${fk.parent} before ${fk.child}`).toBeLessThan(at(qualified(fk.child as string)));
    }
    expect(fks.length).toBeGreaterThan(40);
  });

  it('an actor is refused (42501) every command it holds no privilege for; tp_anon holds none on tenant data', async () => {
    let refused = 0;
    let notGranted = 0;
    const targets = [...relations.map((r) => ({ name: r.name, nudge: r.nudgeColumn })), ...globals.map((g) => ({ name: g, nudge: 'updated_at' }))];
    await t.db
      .tx(async (tx) => {
        for (const role of ALL_ACTORS) {
          await become(tx, role, crypto.randomUUID());
          for (const { name, nudge } of targets) {
            const statements: [string, ReturnType<typeof sql>][] = [
              ['SELECT', sql`select 1 from ${ident(name)} limit 1`],
              ['INSERT', sql`insert into ${ident(name)} default values`],
              ['UPDATE', sql`update ${ident(name)} set ${sql.ident(nudge)} = ${sql.ident(nudge)} where false`],
              ['DELETE', sql`delete from ${ident(name)} where false`],
            ];
            for (const [privilege, statement] of statements) {
              if (can(role, name, privilege)) continue;
              notGranted++;
              const out = await attempt(tx, statement);
              expect(out.ok ? 'allowed' : out.code, `${role} ${privilege} on ${name}`).toBe('42501');
              refused++;
            }
          }
          await unbecome(tx);
        }
        throw new Error('rollback');
      })
      .catch((e: Error) => {
        if (e.message !== 'rollback') throw e;
      });
    for (const r of relations) expect([...(privs.get(`tp_anon ${r.name}`) ?? [])], `tp_anon on ${r.name}`).toEqual([]);
    // Global reference data: readable by every actor, writable by none.
    for (const g of globals.filter((x) => x.startsWith('ref.'))) {
      for (const role of ALL_ACTORS) expect([...(privs.get(`${role} ${g}`) ?? [])], `${role} on ${g}`).toEqual(['SELECT']);
    }
    // No tenant actor writes global data.
    for (const g of globals)
      for (const role of ['tp_member', 'tp_admin', 'tp_anon']) for (const p of ['INSERT', 'UPDATE', 'DELETE']) expect(can(role, g, p), `${role} ${p} on ${g}`).toBe(false);
    expect(globals.filter((g) => g.startsWith('ref.')).length).toBe(6);
    expect(refused).toBe(notGranted);
    expect(refused).toBeGreaterThan(300);
  });
});

describe('the full reference schema: isolation on random worlds', () => {
  it('an actor sees exactly its own tenant rows in every tenant relation, and none without a tenant', async () => {
    const seenRows = new Map<string, number>(relations.map((r) => [r.name, 0]));
    const coverage = { worlds: 0, readChecks: 0, unsetChecks: 0, rows: new Map<string, number>(relations.map((r) => [r.name, 0])) };
    const readAs = async (tx: Transaction, role: string, tenantId: string | null, readable: TenantRelation[]) => {
      await tx.query(sql`savepoint read`);
      try {
        await become(tx, role, tenantId);
        const seen = await countsByTenant(tx, readable);
        await unbecome(tx);
        await tx.query(sql`release savepoint read`);
        return seen;
      } catch (e) {
        await tx.query(sql`rollback to savepoint read`);
        throw new Error(`${role} in ${tenantId ?? 'no tenant'} could not read: ${(e as Error).message}`, { cause: e });
      }
    };
    await fc.assert(
      fc.asyncProperty(worldSpec(), async (spec) => {
        const world = worldOf(spec);
        coverage.worlds++;
        await inWorld(world, async (tx) => {
          const expected = await countsByTenant(tx, relations);
          for (const r of relations) coverage.rows.set(r.name, coverage.rows.get(r.name)! + [...expected.get(r.name)!.values()].reduce((a, b) => a + b, 0));
          for (const role of [...TENANT_ACTORS, 'tp_anon']) {
            const readable = relations.filter((r) => can(role, r.name, 'SELECT'));
            if (readable.length === 0) continue;
            for (const tenant of world.tenantIds) {
              const seen = await readAs(tx, role, tenant, readable);
              for (const r of readable) {
                const got = seen.get(r.name)!;
                expect(
                  [...got.keys()].filter((x) => x !== tenant),
                  `${role} of ${tenant} saw other tenants in ${r.name}`,
                ).toEqual([]);
                expect(got.get(tenant) ?? 0, `${role} of ${tenant} must see all its rows in ${r.name}`).toBe(expected.get(r.name)!.get(tenant) ?? 0);
                seenRows.set(r.name, seenRows.get(r.name)! + (got.get(tenant) ?? 0));
                coverage.readChecks++;
              }
            }
            const unset = await readAs(tx, role, null, readable);
            for (const r of readable) expect([...unset.get(r.name)!.entries()], `${role} with no tenant set on ${r.name}`).toEqual([]);
            coverage.unsetChecks++;
          }
        });
      }),
      // The examples count towards numRuns: RUNS random worlds after them.
      { numRuns: RUNS + 1, examples: [[covering()]] },
    );
    // Not vacuous: every relation held rows and an actor saw its own rows in it.
    expect(coverage.worlds).toBe(RUNS + 1);
    for (const r of relations) {
      expect(coverage.rows.get(r.name), `rows generated in ${r.name}`).toBeGreaterThan(0);
      expect(seenRows.get(r.name), `own rows seen in ${r.name}`).toBeGreaterThan(0);
    }
    expect(coverage.readChecks).toBeGreaterThan(relations.length * 2 * RUNS);
    expect(coverage.unsetChecks).toBe((RUNS + 1) * TENANT_ACTORS.length);
  });

  it("updating, deleting, moving into or planting another tenant's rows fails or touches nothing, with and without RETURNING", async () => {
    const planted = new Map<string, number>(relations.map((r) => [r.name, 0]));
    const victimRows = new Map<string, number>(relations.map((r) => [r.name, 0]));
    const coverage = { worlds: 0, statements: 0, refusedInserts: 0, freeMoves: 0 };
    const movable = new Set<string>();
    await fc.assert(
      fc.asyncProperty(worldSpec(), fc.nat(), async (spec, pick) => {
        const world = worldOf(spec);
        coverage.worlds++;
        await inWorld(world, async (tx) => {
          const actorTenant = world.tenantIds[pick % world.tenantIds.length]!;
          const victim = world.tenantIds[(pick + 1) % world.tenantIds.length]!;
          const counts = await countsByTenant(tx, relations);
          for (const r of relations) victimRows.set(r.name, victimRows.get(r.name)! + (counts.get(r.name)!.get(victim) ?? 0));

          await defineAttempts(tx);
          // Rows the victim could hold, valid for it in every way but the actor's context.
          const plants = await insertableRows(
            tx,
            world,
            victim,
            actorTenant,
            (_, row) => row,
            () => true,
          );
          const before = await othersDigests(tx, relations, actorTenant);
          const attempts = relations.flatMap((r) => writeAttempts(r, plants.get(r.name)));
          for (const role of TENANT_ACTORS) {
            const { outcomes, after } = await undone(tx, async () => {
              await become(tx, role, actorTenant);
              const results = await attemptAll(tx, attempts, victim, actorTenant);
              await unbecome(tx);
              return { outcomes: attempts.map((x, i) => [x.relation, x.label, results[i]!] as [string, string, Outcome]), after: await othersDigests(tx, relations, actorTenant) };
            });
            const violations: string[] = [];
            for (const r of relations) if (after.get(r.name) !== before.get(r.name)) violations.push(`rows of other tenants changed in ${r.name}`);
            for (const [name, op, out] of outcomes) {
              coverage.statements++;
              if (!op.startsWith('insert')) continue;
              // Refused by the policy or the privilege, not by some constraint: the same row went in as the privileged role.
              if (out.ok || out.code !== '42501') violations.push(`${op} into ${name} of a row stamped with ${victim}: ${out.ok ? 'inserted' : `${out.code} ${out.message}`}`);
              else coverage.refusedInserts++;
              if (op === 'insert' && !out.ok) planted.set(name, planted.get(name)! + 1);
            }
            expect(violations.join('\n'), `${role} of ${actorTenant} against ${victim}`).toBe('');
          }

          // A new tenant whose rows nothing references and reference nothing of a tenant (optional references
          // cleared, rows that need a tenant parent left out): whole tables of it can move, unless WITH CHECK stops them.
          const attacker = crypto.randomUUID();
          await insertRows(tx, 'app.tenants', [factories['app.tenants']!({ faker: seededFaker(world.seed), tenantId: attacker, n: 2_000_000, pick: () => undefined })]);
          const free = await insertableRows(
            tx,
            world,
            attacker,
            victim,
            (r, row) => ({ ...row, ...Object.fromEntries(r.optionalReferences.map((c) => [c, null])) }),
            (r) => r.name !== 'app.tenants',
          );
          const placeFree = [...free].map(([rel, row]) => writeAttempts(relations.find((r) => r.name === rel)!, row).find((x) => x.label === 'insert')!);
          const moves = [...free.keys()].map((rel) => moveAll(relations.find((r) => r.name === rel)!));
          const beforeMoves = await othersDigests(tx, relations, attacker);
          for (const role of TENANT_ACTORS) {
            const { outcomes, after } = await undone(tx, async () => {
              const placed = await attemptAll(tx, placeFree, victim, attacker);
              if (placed.some((p) => !p.ok)) throw new Error(`free rows: ${placed.map((p) => (p.ok ? '' : p.message)).join(' ')}`);
              await become(tx, role, attacker);
              const results = await attemptAll(tx, moves, victim, attacker);
              await unbecome(tx);
              return { outcomes: results, after: await othersDigests(tx, relations, attacker) };
            });
            const changed = relations.filter((r) => after.get(r.name) !== beforeMoves.get(r.name)).map((r) => r.name);
            expect(
              changed,
              `${role} moved rows of its own tenant into ${victim} (${moves
                .filter((_, i) => outcomes[i]!.ok)
                .map((m) => m.relation)
                .join(', ')})`,
            ).toEqual([]);
            coverage.freeMoves += moves.length;
            for (const m of moves) movable.add(m.relation);
          }
        });
      }),
      // Tenant 1 as the victim of tenant 0 (it has no configuration: one can be planted), then of tenant 2.
      {
        numRuns: RUNS + 2,
        examples: [
          [covering(), 0],
          [covering(), 1],
        ],
      },
    );
    expect(coverage.worlds).toBe(RUNS + 2);
    for (const r of relations) {
      expect(victimRows.get(r.name), `victim rows to attack in ${r.name}`).toBeGreaterThan(0);
      expect(planted.get(r.name), `plants attempted into ${r.name}`).toBeGreaterThan(0);
    }
    expect(coverage.refusedInserts).toBeGreaterThan(relations.length * TENANT_ACTORS.length * 2);
    // Tables whose rows can stand alone in a tenant were offered whole to move.
    for (const t of ['app.users', 'app.projects', 'app.tags', 'app.companies', 'app.clients', 'app.tenant_api_keys', 'cache.abr_search', 'log.auth_events'])
      expect(movable.has(t), `${t} offered to move`).toBe(true);
    expect(coverage.freeMoves).toBeGreaterThan(10 * TENANT_ACTORS.length);
  });

  it('the probes are effective: run by the victim on its own rows, the same statements change them', async () => {
    // Guards the property above against vacuity: its update and delete statements
    // do change rows when a policy lets them through.
    const world = worldOf(covering());
    const victim = world.tenantIds[0]!;
    const changed = { update: 0, delete: 0 };
    await inWorld(world, async (tx) => {
      await defineAttempts(tx);
      const counts = await countsByTenant(tx, relations);
      for (const r of relations) {
        for (const probe of writeAttempts(r, undefined).filter((x) => x.label === 'update' || x.label === 'delete')) {
          const privilege = probe.label.toUpperCase();
          if (!can('tp_admin', r.name, privilege) || (counts.get(r.name)!.get(victim) ?? 0) === 0) continue;
          const digest = async () =>
            (await tx.query(sql`select md5(string_agg(t::text, '|' order by t::text)) as d from ${ident(r.name)} t where ${sql.ident(r.tenantColumn)} = ${victim}::uuid`))[0]!
              .d as string;
          const before = await digest();
          const out = await undone(tx, async () => {
            await become(tx, 'tp_admin', victim);
            const [o] = await attemptAll(tx, [probe], victim, victim);
            await unbecome(tx);
            return { o: o!, after: await digest() };
          });
          if (out.o.ok) {
            expect(out.after, `${privilege} by the victim's admin on ${r.name}`).not.toBe(before);
            changed[probe.label === 'update' ? 'update' : 'delete']++;
          } else {
            // The only refusals: a used token is frozen; a user who uploaded photos cannot be deleted.
            expect(`${out.o.code}`, `${privilege} on ${r.name}: ${out.o.message}`).toMatch(/^(23514|23001)$/);
          }
        }
      }
    });
    expect(changed.update).toBeGreaterThan(30);
    expect(changed.delete).toBeGreaterThan(30);
  });
});
