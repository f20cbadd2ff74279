import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { sql, type Transaction } from '@databases/pg';
import { buildWorld, loadGlobalRows, worldSpec, type ExistingRows, type Row } from '../factories/index.js';
import { referenceDatabase } from '../tests/support/reference-db.js';
import type { TestDatabase } from '../tests/support/database.js';
import {
  attempt,
  become,
  discoverTenantRelations,
  ident,
  inRolledBackWorld,
  insertStatement,
  plantRow,
  privileges,
  unbecome,
  undone,
  type TenantRelation,
} from './support/reference.js';

// The audit trail of the full reference schema: one row per inserted, updated
// or deleted row of every tenant table (cascades included), with old and new
// values and no secret; the trail and the logs are append-only for everyone.

const RUNS = Number(process.env.TENANTPROOF_RUNS ?? 25);
/** Columns that hold credentials, by name: they must never reach the trail. */
const SECRET = /(password|key|token)_hash$|secret/;

let t: TestDatabase;
let existing: ExistingRows;
let relations: TenantRelation[];
/** Audited tables (tenant tables that are not append-only) and the columns their trigger keeps out of the trail. */
let audited: Map<string, string[]>;
/** What the trail must cover, from the catalog alone (not from the triggers under test): tables, and their secret columns by name. */
let mustAudit: Map<string, string[]>;
let appendOnly: string[];
let privs: Map<string, Set<string>>;

beforeAll(async () => {
  t = await referenceDatabase();
  existing = await loadGlobalRows(t.db);
  relations = await discoverTenantRelations(t.db);
  const triggers = await t.db.query(sql`
    select c.oid::regclass::text as rel, p.proname as fn, t.tgtype,
           array_remove(string_to_array(encode(t.tgargs, 'escape'), '\\000'), '') as args
    from pg_trigger t join pg_class c on c.oid = t.tgrelid join pg_proc p on p.oid = t.tgfoid
    join pg_namespace pn on pn.oid = p.pronamespace
    where not t.tgisinternal and not c.relispartition and pn.nspname = 'app' and p.proname in ('audit_row', 'forbid_change')`);
  appendOnly = [...new Set(triggers.filter((x) => x.fn === 'forbid_change').map((x) => x.rel as string))].sort();
  audited = new Map(triggers.filter((x) => x.fn === 'audit_row').map((x) => [x.rel as string, x.args as string[]]));
  privs = await privileges(
    t.db,
    ['tp_admin'],
    relations.map((r) => r.name),
  );
  const columns = await t.db.query(sql`
    select c.oid::regclass::text as rel, array_agg(a.attname::text order by a.attnum) as cols
    from pg_attribute a join pg_class c on c.oid = a.attrelid
    where a.attnum > 0 and not a.attisdropped and c.oid::regclass::text = any(${relations.map((r) => r.name)}) group by 1`);
  const secretsOf = new Map(columns.map((x) => [x.rel as string, (x.cols as string[]).filter((c) => SECRET.test(c))]));
  mustAudit = new Map(
    tables()
      .filter((r) => !appendOnly.includes(r.name))
      .map((r) => [r.name, secretsOf.get(r.name) ?? []]),
  );
});
afterAll(async () => t?.drop());

const tables = () => relations.filter((r) => r.kind !== 'partition' && r.tenantColumn === 'tenant_id');

describe('the audit trail covers every tenant table', () => {
  it('every tenant table but the append-only ones has one row-level audit trigger that keeps its secret columns out', async () => {
    expect(appendOnly).toEqual(['app.audit_logs', 'log.api_requests', 'log.application_errors', 'log.auth_events', 'log.email_deliveries']);
    expect([...audited.keys()].sort()).toEqual([...mustAudit.keys()].sort());
    const triggers = await t.db.query(sql`
      select c.oid::regclass::text as rel, count(*)::int as n, bool_and(t.tgtype = ${1 + 4 + 8 + 16}) as after_row_iud
      from pg_trigger t join pg_class c on c.oid = t.tgrelid join pg_proc p on p.oid = t.tgfoid
      where not t.tgisinternal and p.oid = 'app.audit_row'::regproc group by 1`);
    for (const x of triggers) {
      // Partitions inherit their parent's trigger.
      expect(x.n, `audit triggers on ${x.rel}`).toBe(1);
      expect(x.after_row_iud, `${x.rel}: AFTER INSERT OR UPDATE OR DELETE FOR EACH ROW`).toBe(true);
    }
    expect(triggers.filter((x) => String(x.rel).startsWith('app.detections_')).length).toBe(49);
    let secrets = 0;
    for (const [rel, columns] of mustAudit) {
      expect([...(audited.get(rel) ?? [])].sort(), `secret columns of ${rel} kept out of the trail`).toEqual([...columns].sort());
      secrets += columns.length;
    }
    // users (password_hash, totp_secret), tenant_api_keys, invitations and both token tables.
    expect(secrets).toBe(6);
  });
});

describe('the audit trail on random worlds', () => {
  const whoCan = (privilege: string, rel: string) => (privs.get(`tp_admin ${rel}`)?.has(privilege) ? 'tp_admin' : 'postgres');
  const current = async (tx: Transaction, rel: string, id: unknown, secrets: string[]) =>
    ((await tx.query(sql`select to_jsonb(x) - ${secrets}::text[] as v, to_jsonb(x)::text as raw from ${ident(rel)} x where id = ${id}`))[0] ?? null) as {
      v: Row;
      raw: string;
    } | null;
  // Every audit row of a world shares the transaction's timestamp: new rows are told apart by id.
  const trailIds = async (tx: Transaction) => (await tx.query(sql`select id::text as id from app.audit_logs`)).map((x) => x.id as string);
  const trailSince = (tx: Transaction, before: string[]) =>
    tx.query(sql`select tenant_id::text, actor_user_id::text, action, resource_type, resource_id, old_values, new_values,
        host(ip_address) as ip, user_agent, session_id, to_jsonb(a)::text as text
      from app.audit_logs a where id::text <> all(${before}::text[])`);

  /** Runs one statement as the tenant's administrator when it may, else as the privileged role, with an actor and a client set. */
  async function step(tx: Transaction, privilege: string, target: TenantRelation, tenant: string, actor: string | null, query: ReturnType<typeof sql>): Promise<void> {
    const role = whoCan(privilege, target.name);
    if (role !== 'postgres') await become(tx, role, tenant);
    await tx.query(sql`select set_config('app.user_id', ${actor ?? ''}, true), set_config('app.client_ip', '203.0.113.7', true),
      set_config('app.user_agent', 'audit-property', true), set_config('app.session_id', 'session-1', true)`);
    const out = await attempt(tx, query);
    if (role !== 'postgres') await unbecome(tx);
    if (!out.ok) throw new Error(`${privilege} on ${target.name} as ${role}: ${out.message}`);
  }

  it('inserting, updating and deleting a row writes exactly one audit row each, with its values, its actor and no secret', async () => {
    const covered = new Map<string, number>();
    const targets = () => [...tables().filter((r) => mustAudit.has(r.name)), relations.find((r) => r.kind === 'partition')!];
    // One example per target first (a world with parents for every table), then random ones.
    // (No tenant configuration: the one the test inserts is the tenant's only one.)
    const full = {
      tenants: [
        { ...Object.fromEntries([...mustAudit.keys(), 'app.users', 'app.projects', 'app.photos', 'app.tags', 'app.companies'].map((x) => [x, 2])), 'app.tenant_configs': 0 },
      ],
    };
    const examples = targets().map((_, i) => [{ seed: i, shape: full }, i, 0] as [{ seed: number; shape: typeof full }, number, number]);
    await fc.assert(
      fc.asyncProperty(worldSpec({ maxPerTable: 2 }), fc.nat(), fc.nat(), async ({ seed, shape }, which, who) => {
        const world = buildWorld(seed, shape, { existing });
        // Every audited table, and a partition written directly.
        const target = targets()[which % targets().length]!;
        const table = target.parent ?? target.name;
        const secrets = mustAudit.get(table)!;
        const tenant = world.tenantIds[who % world.tenantIds.length]!;
        const actor = (world.rows['app.users']!.find((u) => u.tenant_id === tenant)?.id as string | undefined) ?? null;
        await inRolledBackWorld(t.db, world, async (tx) => {
          const expectOne = async (id: unknown, action: string, before: string[], old: Row | null, now: Row | null, raw: string) => {
            const rows = await trailSince(tx, before);
            expect(rows.length, `${action} on ${target.name}: audit rows`).toBe(1);
            const { text, ...a } = rows[0]!;
            expect(a, `${action} on ${target.name}`).toEqual({
              tenant_id: tenant,
              actor_user_id: actor,
              action,
              resource_type: table,
              resource_id: id,
              old_values: old,
              new_values: now,
              ip: '203.0.113.7',
              user_agent: 'audit-property',
              session_id: 'session-1',
            });
            // No secret, under any key.
            for (const s of secrets) {
              const value = (JSON.parse(raw) as Row)[s];
              if (typeof value === 'string' && value.length > 0) expect(text as string, `${s} of ${table} in the trail`).not.toContain(value);
            }
          };
          // A new row for the tenant; a random parent pick (or a second configuration for the tenant) may repeat
          // a unique key: try another, and leave this world if none fits.
          let row: Row | null = null;
          for (let a = 0; a < 6 && !row; a++) {
            const candidate = plantRow(world, existing, target, tenant, a);
            if (!candidate) return; // no parent for it in this world
            if ('used_at' in candidate) candidate.used_at = null; // a used token is frozen: keep it updatable
            const control = await undone(tx, () => attempt(tx, insertStatement(target.name, candidate, false)));
            if (control.ok) row = candidate;
            else if (control.code !== '23505') throw new Error(`control insert into ${target.name}: ${control.message}`);
          }
          if (!row) return;
          const columns = sql.join(
            Object.keys(row).map((c) => sql.ident(c)),
            ', ',
          );

          const t0 = await trailIds(tx);
          await step(
            tx,
            'INSERT',
            target,
            tenant,
            actor,
            sql`insert into ${ident(target.name)} (${columns})
            select ${columns} from json_populate_record(null::${ident(target.name)}, ${JSON.stringify(row)}::json)`,
          );
          const inserted = await current(tx, target.name, row.id, secrets);
          await expectOne(row.id, 'insert', t0, null, inserted!.v, inserted!.raw);

          const t1 = await trailIds(tx);
          const nudge = sql.ident(target.nudgeColumn);
          await step(
            tx,
            'UPDATE',
            target,
            tenant,
            actor,
            sql`update ${ident(target.name)} set ${nudge} = ${nudge} + interval '1 microsecond' where tenant_id = ${tenant} and id = ${row.id}`,
          );
          const updated = await current(tx, target.name, row.id, secrets);
          expect(updated!.v).not.toEqual(inserted!.v);
          await expectOne(row.id, 'update', t1, inserted!.v, updated!.v, updated!.raw);

          const t2 = await trailIds(tx);
          await step(tx, 'DELETE', target, tenant, actor, sql`delete from ${ident(target.name)} where tenant_id = ${tenant} and id = ${row.id}`);
          expect(await current(tx, target.name, row.id, secrets)).toBeNull();
          await expectOne(row.id, 'delete', t2, updated!.v, null, updated!.raw);
          covered.set(target.name, (covered.get(target.name) ?? 0) + 1);
        });
      }),
      { numRuns: RUNS * 2 + examples.length, examples },
    );
    // Every audited table (and a partition) went through all three steps at least once.
    expect([...covered.keys()].sort()).toEqual(
      targets()
        .map((r) => r.name)
        .sort(),
    );
  });

  it('a delete that cascades writes exactly one audit row per row it removes, and a bulk update one per row it changes', async () => {
    const coverage = { cascades: 0, removed: 0, updated: 0 };
    const auditedRelations = () => tables().filter((r) => mustAudit.has(r.name));
    await fc.assert(
      fc.asyncProperty(worldSpec({ maxPerTable: 3 }), fc.nat(), fc.nat(), async ({ seed, shape }, which, pick) => {
        const world = buildWorld(seed, shape, { existing });
        const parents = ['app.projects', 'app.photos', 'app.users', 'app.companies', 'app.tags'];
        const table = parents[which % parents.length]!;
        const rows = world.rows[table]!;
        if (rows.length === 0) return;
        const victim = rows[pick % rows.length]!;
        await inRolledBackWorld(t.db, world, async (tx) => {
          const snapshot = async () => {
            const out = new Map<string, Set<string>>();
            for (const r of auditedRelations()) out.set(r.name, new Set((await tx.query(sql`select id::text as id from ${ident(r.name)}`)).map((x) => x.id as string)));
            return out;
          };
          const before = await snapshot();
          const t0 = await trailIds(tx);
          const out = await attempt(tx, sql`delete from ${ident(table)} where tenant_id = ${victim.tenant_id} and id = ${victim.id}`);
          if (!out.ok) {
            // A user who uploaded photos is kept (deactivated instead).
            expect(`${table} ${out.code}`).toBe('app.users 23001');
            return;
          }
          const after = await snapshot();
          const removed: string[] = [];
          for (const [rel, ids] of before) for (const id of ids) if (!after.get(rel)!.has(id)) removed.push(`${rel} ${id}`);
          const trail = await trailSince(tx, t0);
          expect(
            trail
              .filter((x) => x.action === 'delete')
              .map((x) => `${x.resource_type} ${x.resource_id}`)
              .sort(),
            `rows removed by deleting ${table} ${victim.id}`,
          ).toEqual(removed.sort());
          // Anything else is a reference set to null (created_by, invited_by, granted_by): an update of a row that stays.
          for (const x of trail.filter((y) => y.action !== 'delete')) {
            expect(x.action).toBe('update');
            expect(after.get(x.resource_type as string)!.has(x.resource_id as string), `${x.resource_type} ${x.resource_id} still there`).toBe(true);
          }
          coverage.removed += removed.length;
          if (removed.length > 1) coverage.cascades++;

          // A bulk update: one audit row per row changed.
          const t1 = await trailIds(tx);
          const changed = await tx.query(
            sql`update app.projects set description = coalesce(description, '') || '.' where tenant_id = ${victim.tenant_id} returning id::text as id`,
          );
          const trail2 = await trailSince(tx, t1);
          expect(trail2.map((x) => `${x.action} ${x.resource_id}`).sort()).toEqual(changed.map((x) => `update ${x.id}`).sort());
          coverage.updated += changed.length;
        });
      }),
      { numRuns: RUNS * 2 },
    );
    expect(coverage.cascades).toBeGreaterThan(0);
    expect(coverage.removed).toBeGreaterThan(RUNS);
    expect(coverage.updated).toBeGreaterThan(0);
  });
});

describe('the trail and the logs are append-only', () => {
  it('no application role (nor the owner) can update, delete or truncate audit or log rows', async () => {
    const spec = {
      seed: 3,
      shape: {
        tenants: [
          Object.fromEntries(['app.users', 'log.api_requests', 'log.auth_events', 'log.application_errors', 'log.email_deliveries', 'app.audit_logs'].map((x) => [x, 2])),
          { 'app.users': 1 },
        ],
      },
    };
    const world = buildWorld(spec.seed, spec.shape, { existing });
    let refused = 0;
    await inRolledBackWorld(t.db, world, async (tx) => {
      for (const table of appendOnly) {
        const digest = async () =>
          (await tx.query(sql`select count(*)::text || md5(coalesce(string_agg(x::text, '|' order by x::text), '')) as d from ${ident(table)} x`))[0]!.d as string;
        const before = await digest();
        expect(before.startsWith('0'), `${table} has rows to protect`).toBe(false);
        for (const role of ['tp_member', 'tp_admin', 'tp_anon', 'tp_platform', 'tp_app', 'tp_owner']) {
          for (const tenant of world.tenantIds) {
            await become(tx, role, tenant);
            for (const [label, q] of [
              ['update', sql`update ${ident(table)} set occurred_at = occurred_at - interval '1 day' returning 1`],
              ['delete', sql`delete from ${ident(table)} returning 1`],
              ['truncate', sql`truncate ${ident(table)}`],
            ] as const) {
              const out = await attempt(tx, q);
              // The owner holds every privilege, but row level security is forced on it and gives it no
              // row to change (the digest below shows it changed nothing); truncate fires the guard.
              if (role === 'tp_owner' && label !== 'truncate') expect(out.ok ? out.rows.length : out.code, `${role} ${label} on ${table}`).toBe(0);
              else expect(out.ok ? 'allowed' : out.code, `${role} ${label} on ${table}`).toBe('42501');
              refused++;
            }
            await unbecome(tx);
          }
        }
        expect(await digest(), `${table} unchanged`).toBe(before);
      }
    });
    expect(refused).toBe(appendOnly.length * 6 * 2 * 3);
  });
});
