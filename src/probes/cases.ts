/**
 * The checks of one world: every relation x actor x tenant x probe, as SQL the
 * runner executes server-side, each with the rule that judges its outcome.
 * A check passes, fails, or is inconclusive (it could not show anything:
 * nothing to read, an unrelated error); only passes and failures count.
 */
import type { Catalog, Relation, SettingRead } from '../catalog/types.js';
import { actorRoleFor, contextSettings, contextStatements, sqlIdentifier, sqlLiteral, sqlQualified } from '../config/context.js';
import type { ActorConfig, ResolvedConfig } from '../config/schema.js';
import type { WorldPlan } from '../world/plan.js';
import type { WorldRow } from '../world/build.js';
import { SNAPSHOT_TABLE } from './runner-sql.js';

export const PROBES = [
  'read',
  'read-unset',
  'read-empty',
  'read-malformed',
  'read-forged',
  'read-escalated',
  'insert',
  'insert-returning',
  'update',
  'delete',
  'move',
  'steal',
  'reference',
  'upsert',
  'call',
  'call-other-tenant',
  'duplicate-key',
] as const;

/** Probes whose failures are side channels (existence, volume), reported as warnings, not leaks of rows. */
export const SIDE_CHANNEL_PROBES: ReadonlySet<ProbeId> = new Set(['duplicate-key']);
export type ProbeId = (typeof PROBES)[number];

export type Judgement =
  | { status: 'pass'; overRestricted?: string }
  | { status: 'fail'; detail: string }
  | { status: 'inconclusive'; detail: string };

export interface RunnerResult {
  id: number;
  stage: string;
  a: bigint | null;
  b: bigint | null;
  c: bigint | null;
  /** Reads: rows of the actor's own tenant that exist here (null where unknown). */
  d: bigint | null;
  code: string | null;
  message: string | null;
}

export interface ProbeCase {
  id: number;
  relation: string;
  actor: string;
  probe: ProbeId;
  tenant: string | null;
  role: string;
  context: string[];
  mode: 'keys' | 'pair' | 'count';
  sql: string;
  judge?: string;
  /** What the case means, for the finding's message. */
  describe: string;
  /** Run only when one of these tables holds a row of the world (partitions probed directly). */
  onlyIfRows?: number[];
  evaluate(r: RunnerResult): Judgement;
}

export const ident = sqlQualified;

/** The tenant of row `alias` of `r`, as text, computed as the privileged role (through foreign keys when indirect). */
export function tenantExpression(r: Relation, alias: string, byName: ReadonlyMap<string, Relation>, depth = 0): string | null {
  const scope = r.tenancy;
  if (!scope) return null;
  if ((scope.kind === 'direct' || scope.kind === 'tenant-table') && scope.column) return `${alias}.${sqlIdentifier(scope.column)}::text`;
  if (scope.kind !== 'indirect' || depth > 8) return null;
  const hop = scope.path[0];
  const fk = hop ? r.foreignKeys.find((k) => k.name === hop.via) : undefined;
  const parent = hop ? byName.get(hop.to) : undefined;
  if (!fk || !parent) return null;
  const p = `p${depth}`;
  const inner = tenantExpression(parent, p, byName, depth + 1);
  if (!inner) return null;
  const on = fk.columns.map((c, i) => `${p}.${sqlIdentifier(fk.referencedColumns[i]!)} = ${alias}.${sqlIdentifier(c)}`).join(' and ');
  return `(select ${inner} from ${ident(parent.qualifiedName)} ${p} where ${on})`;
}

/** Statements that fill the snapshot: every row of every stored tenant relation, with its tenant. */
export function snapshotStatements(catalog: Catalog, config: ResolvedConfig): string[] {
  const byName = new Map(catalog.relations.map((r) => [r.qualifiedName, r]));
  const out = [`delete from pg_temp.${SNAPSHOT_TABLE}`];
  // Materialized views hold what they held at their last refresh: show them the world.
  for (const r of catalog.relations) {
    if (r.kind === 'materialized-view' && r.tenancy && !r.extension) out.push(`refresh materialized view ${ident(r.qualifiedName)}`);
  }
  for (const r of catalog.relations) {
    if (!r.tenancy || r.partitionOf !== null) continue;
    if (r.kind !== 'table' && r.kind !== 'partitioned-table') continue;
    const tenant = tenantExpression(r, 't', byName);
    if (!tenant) continue;
    const shared = sharedPredicate(r, config);
    out.push(
      `insert into pg_temp.${SNAPSHOT_TABLE} (key, reloid, row_ctid, tenant, shared) ` +
        `select t.tableoid::text || ':' || t.ctid::text, t.tableoid, t.ctid, ${tenant}, ${shared} from ${ident(r.qualifiedName)} t`,
    );
  }
  return out;
}

/** Rows shared on purpose (a reviewed exception) are not a leak when read. */
function sharedPredicate(r: Relation, config: ResolvedConfig): string {
  const preds: string[] = [];
  for (const s of config.sharedRows) {
    if (s.relation !== r.qualifiedName) continue;
    const text = s.predicate ?? r.policies.find((p) => p.name === s.policy)?.using ?? null;
    if (text) preds.push(`(${text})`);
  }
  if (preds.length === 0) return 'false';
  return `exists (select 1 from ${ident(r.qualifiedName)} x where x.tableoid = t.tableoid and x.ctid = t.ctid and (${preds.join(' or ')}))`;
}

export interface CaseContext {
  catalog: Catalog;
  config: ResolvedConfig;
  plan: WorldPlan;
  tenants: string[];
  rows: ReadonlyMap<string, WorldRow[]>;
  /** Builds one more row of `relation` for `tenant` (for planted inserts), or null. */
  extraRow(relation: string, tenant: string): Record<string, unknown> | null;
  /** Chooses which tenant each actor probes from in this world (the world's seed). */
  rotation: number;
  /** Restrict to these cells (shrinking one failure), `relation|actor|probe`. */
  only?: ReadonlySet<string> | undefined;
}

const FORGED_VALUES = ['admin', 'uber_admin', 'superuser', 'true', '1'];

export function cellKey(relation: string, actor: string, probe: string): string {
  return `${relation}|${actor}|${probe}`;
}

export function buildCases(cx: CaseContext): ProbeCase[] {
  const { catalog, config } = cx;
  const byName = new Map(catalog.relations.map((r) => [r.qualifiedName, r]));
  const cases: ProbeCase[] = [];
  const partitions = new Map(catalog.relations.filter((r) => r.partitionOf !== null).map((r) => [r.qualifiedName, r]));
  const push = (c: Omit<ProbeCase, 'id'>) => {
    if (cx.only && !cx.only.has(cellKey(c.relation, c.actor, c.probe))) return;
    const partition = partitions.get(c.relation);
    cases.push({ ...c, id: cases.length, ...(partition && partition.kind === 'table' ? { onlyIfRows: [partition.oid] } : {}) });
  };
  const probed = catalog.relations.filter((r) => r.tenancy && !r.extension);
  const policySettings = collectPolicySettings(probed);

  for (const [actorIndex, actor] of config.actors.entries()) {
    const actorRole = catalog.actors.find((a) => a.role === actor.role);
    if (!actorRole?.exists) continue;
    const own = contextSettings(actor);
    const trusted = [...own.trusted, ...config.tenancy.trustedSettings];
    const forgeable = policySettings.flatMap((s): SettingRead[] => {
      if (matchesAny(s.name, trusted)) return [];
      if (!own.settings.includes(s.name)) return [s];
      // The actor's own JWT setting: the tenant claim is the context, any other claim a policy reads is the caller's to write.
      if (own.jwt && s.name === own.jwt.setting) {
        const tenantClaim = own.jwt.claim.join('.');
        const others = s.claims.filter((c) => c.join('.') !== tenantClaim);
        return others.length > 0 ? [{ ...s, claims: others }] : [];
      }
      return [];
    });
    const escapes = actorRole.reaches.filter((x) => x.canSetRole && x.role !== actor.role).map((x) => x.role);

    probed.forEach((r, ri) => {
      const readSql = readStatement(r, config, actor.role, byName);
      // One tenant per check and world: the actor's tenant rotates across worlds (each world is one check),
      // and its victim is the other tenant with the most rows here, so that a check rarely probes nothing.
      const tenant = actor.expect === 'none' ? null : cx.tenants[(cx.rotation + ri + actorIndex) % cx.tenants.length]!;
      const victim = pickVictim(cx, r.qualifiedName, tenant);
      {
        const role = tenant === null ? actor.role : actorRoleFor(actor, tenant);
        const ctx = tenant === null ? [] : contextStatements(actor, tenant);
        const base = { relation: r.qualifiedName, actor: actor.name, tenant, role };

        if (readSql) {
          push({ ...base, probe: 'read', context: ctx, ...readSql(tenant ?? ''), describe: `read ${r.qualifiedName}`, evaluate: judgeRead(actor, 'read') });
        }
        if (tenant === null || actor.expect !== 'tenant') {
          if (actor.expect === 'none') pushWrites(push, cx, byName, r, base, ctx, victim);
          return;
        }
        if (readSql) {
          push({ ...base, probe: 'read-unset', context: [], ...readSql(''), describe: `read ${r.qualifiedName} with no tenant context`, evaluate: judgeRead(actor, 'unset') });
          if (actor.context?.sql !== undefined || actor.context?.jwt) {
            push({ ...base, probe: 'read-empty', context: contextStatements(actor, ''), ...readSql(''), describe: `read ${r.qualifiedName} with an empty tenant`, evaluate: judgeRead(actor, 'unset') });
            push({ ...base, probe: 'read-malformed', context: contextStatements(actor, 'not-a-tenant'), ...readSql(''), describe: `read ${r.qualifiedName} with a malformed tenant`, evaluate: judgeRead(actor, 'unset') });
          }
          for (const s of forgeable) {
            for (const value of [...FORGED_VALUES, victim]) {
              push({
                ...base,
                probe: 'read-forged',
                context: [...ctx, forgeStatement(s, value)],
                ...readSql(tenant),
                describe: `read ${r.qualifiedName} with ${s.name}${s.claims.length ? ` claim ${s.claims.map((c) => c.join('.')).join(', ')}` : ''} forged to '${value}'`,
                evaluate: judgeRead(actor, 'read'),
              });
            }
          }
          for (const target of escapes) {
            push({ ...base, probe: 'read-escalated', context: [...ctx, `set local role ${sqlIdentifier(target)}`], ...readSql(tenant), describe: `SET ROLE ${target}, then read ${r.qualifiedName}`, evaluate: judgeRead(actor, 'read') });
          }
        }
        pushWrites(push, cx, byName, r, base, ctx, victim);
      }
    });
    if (actor.expect !== 'all') pushCalls(push, cx, byName, actor, actorIndex);
  }
  return cases;
}

/**
 * Set-returning functions the actor may execute that return tenant rows:
 * called without arguments, and with another tenant's id where the function
 * takes one. A SECURITY DEFINER function runs as its owner and ignores the
 * caller's policies; this shows what it hands out.
 */
function pushCalls(push: Push, cx: CaseContext, byName: ReadonlyMap<string, Relation>, actor: ActorConfig, actorIndex: number): void {
  const { catalog, config } = cx;
  const tenantColumn = catalog.tenancy.tenantColumn;
  const tenantKeyType = byName.get(catalog.tenancy.tenantTable ?? '')?.columns.find((c) => c.name === catalog.tenancy.tenantKey)?.type ?? 'uuid';
  for (const [fi, fn] of catalog.functions.entries()) {
    if (!fn.inScope || fn.isTrigger || fn.kind !== 'function' || fn.extension) continue;
    if (!fn.executableBy.includes(actor.role) && !fn.publicExecute) continue;
    const returned = fn.returnsRelation ? byName.get(fn.returnsRelation) : undefined;
    const column = returned?.tenancy?.column ?? fn.returnsTable?.find((c) => c.name === tenantColumn)?.name ?? (returned?.columns.some((c) => c.name === tenantColumn) ? tenantColumn : undefined);
    if (!column || !(fn.returnsSet || returned)) continue;
    const tenant = actor.expect === 'none' ? null : cx.tenants[(cx.rotation + fi + actorIndex) % cx.tenants.length]!;
    const victim = cx.tenants.find((t) => t !== tenant) ?? cx.tenants[0]!;
    const own = tenant ?? '';
    const base = { relation: fn.signature, actor: actor.name, tenant, role: tenant === null ? actor.role : actorRoleFor(actor, tenant) };
    const ctx = tenant === null ? [] : contextStatements(actor, tenant);
    const name = `${sqlIdentifier(fn.schema)}.${sqlIdentifier(fn.name)}`;
    const count = (args: string) =>
      `select count(*) filter (where t.${sqlIdentifier(column)}::text = ${sqlLiteral(own)}), count(*) filter (where t.${sqlIdentifier(column)}::text is distinct from ${sqlLiteral(own)}), null::bigint, null::bigint from ${name}(${args}) t`;
    if (fn.argTypes.length === 0) {
      push({ ...base, probe: 'call', context: ctx, mode: 'pair', sql: count(''), describe: `call ${fn.signature}`, evaluate: judgeRead(actor, 'read') });
    } else if (fn.argTypes.length === 1 && fn.argTypes[0] === tenantKeyType) {
      push({ ...base, probe: 'call-other-tenant', context: ctx, mode: 'pair', sql: count(`${sqlLiteral(victim)}::${tenantKeyType}`), describe: `call ${fn.signature} with tenant ${victim}`, evaluate: judgeRead(actor, 'read') });
    }
  }
}

function pickVictim(cx: CaseContext, relation: string, own: string | null): string {
  const rows = cx.rows.get(relation) ?? [];
  let best = cx.tenants.find((t) => t !== own) ?? cx.tenants[0]!;
  let bestCount = -1;
  for (const t of cx.tenants) {
    if (t === own) continue;
    const n = rows.filter((row) => row.tenant === t).length;
    if (n > bestCount) [best, bestCount] = [t, n];
  }
  return best;
}

type Push = (c: Omit<ProbeCase, 'id'>) => void;
type Base = { relation: string; actor: string; tenant: string | null; role: string };

function pushWrites(push: Push, cx: CaseContext, byName: ReadonlyMap<string, Relation>, r: Relation, base: Base, ctx: string[], victim: string): void {
  if (r.kind !== 'table' && r.kind !== 'partitioned-table') return;
  const tenantExpr = tenantExpression(r, 't', byName);
  if (!tenantExpr) return;
  const own = base.tenant ?? '';
  const rel = ident(r.qualifiedName);
  const oids = leafOids(r, byName);
  const newRowsNotOwn = `select count(*) filter (where ${tenantExpr} is distinct from ${sqlLiteral(own)}), count(*) from ${rel} t where not exists (select 1 from pg_temp.${SNAPSHOT_TABLE} s where s.reloid = t.tableoid and s.row_ctid = t.ctid)`;
  const othersChanged = `select count(*) filter (where not exists (select 1 from ${rel} t where t.tableoid = s.reloid and t.ctid = s.row_ctid)), count(*) from pg_temp.${SNAPSHOT_TABLE} s where s.reloid = any('{${oids.join(',')}}'::oid[]) and s.tenant is distinct from ${sqlLiteral(own)}`;
  const root = r.partitionOf === null;

  // Planting a row stamped with another tenant: with and without RETURNING (RETURNING alone can mask WITH CHECK (true)).
  const planted = root ? cx.extraRow(r.qualifiedName, victim) : null;
  if (planted) {
    const stmt = insertSql(r, planted);
    push({ ...base, probe: 'insert', context: ctx, mode: 'count', sql: stmt, judge: newRowsNotOwn, describe: `insert into ${r.qualifiedName} a row of tenant ${victim}`, evaluate: judgeInsert });
    push({ ...base, probe: 'insert-returning', context: ctx, mode: 'count', sql: `${stmt} returning 1`, judge: newRowsNotOwn, describe: `insert into ${r.qualifiedName} a row of tenant ${victim}, with RETURNING`, evaluate: judgeInsert });
  }
  // A constant from the world: reading a column would bring the SELECT policies in and hide what UPDATE alone allows.
  const inKeys = new Set([r.primaryKey, ...r.uniqueConstraints].flatMap((k) => k?.columns ?? []));
  const fkCols = new Set(r.foreignKeys.flatMap((k) => k.columns));
  const sample = (cx.rows.get(r.partitionOf ?? r.qualifiedName) ?? [])[0]?.values;
  const target = sample && r.columns.find((c) => !c.generated && c.identity !== 'always' && !inKeys.has(c.name) && !fkCols.has(c.name) && c.name !== r.tenancy?.column && c.name in sample);
  if (target && sample) {
    const value = `(json_populate_record(null::${ident(r.partitionOf ?? r.qualifiedName)}, ${sqlLiteral(JSON.stringify({ [target.name]: sample[target.name] }))}::json)).${sqlIdentifier(target.name)}`;
    push({ ...base, probe: 'update', context: ctx, mode: 'count', sql: `update ${rel} set ${sqlIdentifier(target.name)} = ${value}`, judge: othersChanged, describe: `update every row of ${r.qualifiedName} it can`, evaluate: judgeOthersUnchanged('updated') });
  }
  push({ ...base, probe: 'delete', context: ctx, mode: 'count', sql: `delete from ${rel}`, judge: othersChanged, describe: `delete every row of ${r.qualifiedName} it can`, evaluate: judgeOthersUnchanged('deleted') });
  if (r.tenancy?.kind === 'direct' && r.tenancy.column && base.tenant !== null) {
    push({
      ...base,
      probe: 'move',
      context: ctx,
      mode: 'count',
      sql: `update ${rel} set ${sqlIdentifier(r.tenancy.column)} = ${sqlLiteral(victim)}`,
      judge: newRowsNotOwn,
      describe: `move its rows of ${r.qualifiedName} to tenant ${victim}`,
      evaluate: judgeMove,
    });
  }
  // Stealing: another tenant's rows re-stamped with the actor's own tenant pass a strict WITH CHECK when USING is open.
  if (r.tenancy?.kind === 'direct' && r.tenancy.column && base.tenant !== null) {
    push({
      ...base,
      probe: 'steal',
      context: ctx,
      mode: 'count',
      // No WHERE: a statement that reads no column is judged by the UPDATE policies alone, as an attacker would write it.
      sql: `update ${rel} set ${sqlIdentifier(r.tenancy.column)} = ${sqlLiteral(base.tenant)}`,
      judge: othersChanged,
      describe: `re-stamp rows of other tenants in ${r.qualifiedName} with its own tenant`,
      evaluate: judgeOthersUnchanged('took over'),
    });
  }
  if (root && base.tenant !== null) pushDuplicateKeys(push, cx, r, base, ctx, victim);
  if (root && base.tenant !== null) pushReferences(push, cx, byName, r, base, ctx, victim);
  if (root && base.tenant !== null) pushUpsert(push, cx, r, base, ctx, victim, othersChanged);
}

/** Each foreign key to a tenant relation: an own row pointing at another tenant's parent must be refused. */
function pushReferences(push: Push, cx: CaseContext, byName: ReadonlyMap<string, Relation>, r: Relation, base: Base, ctx: string[], victim: string): void {
  const tenantColumn = r.tenancy?.column ?? null;
  for (const fk of r.foreignKeys) {
    if (fk.inherited || fk.columns.every((c) => c === tenantColumn)) continue;
    const parent = byName.get(fk.references);
    if (!parent?.tenancy || parent.tenancy.kind === 'tenant-table') continue;
    const parentRow = (cx.rows.get(fk.references) ?? []).find((row) => row.tenant === victim);
    const row = parentRow ? cx.extraRow(r.qualifiedName, base.tenant!) : null;
    if (!row || !parentRow) continue;
    fk.columns.forEach((c, i) => {
      if (c !== tenantColumn) row[c] = parentRow.values[fk.referencedColumns[i]!];
    });
    push({
      ...base,
      probe: 'reference',
      context: ctx,
      mode: 'count',
      sql: insertSql(r, row),
      describe: `insert into ${r.qualifiedName} a row whose ${fk.name} (${fk.columns.join(', ')}) points at a row of tenant ${victim} in ${fk.references}`,
      evaluate: judgeReference,
    });
  }
}

/**
 * A unique key without the tenant column answers "does another tenant have
 * this value?" through duplicate-key errors: insert an own row carrying a
 * value another tenant holds.
 */
function pushDuplicateKeys(push: Push, cx: CaseContext, r: Relation, base: Base, ctx: string[], victim: string): void {
  const tenantColumn = r.tenancy?.column;
  if (!tenantColumn) return;
  const keys = [r.primaryKey, ...r.uniqueConstraints].filter((k): k is NonNullable<typeof k> => !!k && !k.columns.includes(tenantColumn));
  const target = (cx.rows.get(r.qualifiedName) ?? []).find((row) => row.tenant === victim);
  if (!target) return;
  for (const key of keys) {
    const row = cx.extraRow(r.qualifiedName, base.tenant!);
    if (!row) return;
    for (const c of key.columns) row[c] = target.values[c];
    push({
      ...base,
      probe: 'duplicate-key',
      context: ctx,
      mode: 'count',
      sql: insertSql(r, row),
      describe: `learn whether tenant ${victim} holds a value of ${key.name} (${key.columns.join(', ')}) from a duplicate-key error`,
      evaluate: (res) => (res.code === '23505' ? { status: 'fail', detail: `a duplicate-key error on ${key.name} revealed another tenant's row` } : res.code === null || res.code === '42501' ? { status: 'pass' } : { status: 'inconclusive', detail: `refused for another reason: ${res.message} (${res.code})` }),
    });
  }
}

/** INSERT ... ON CONFLICT DO UPDATE aimed at another tenant's key must not change that row. */
function pushUpsert(push: Push, cx: CaseContext, r: Relation, base: Base, ctx: string[], victim: string, othersChanged: string): void {
  const key = r.primaryKey?.columns;
  const target = (cx.rows.get(r.qualifiedName) ?? []).find((row) => row.tenant === victim);
  const row = target ? cx.extraRow(r.qualifiedName, base.tenant!) : null;
  if (!key || !target || !row) return;
  for (const c of key) if (c !== r.tenancy?.column) row[c] = target.values[c];
  const setCol = r.columns.find((c) => !key.includes(c.name) && !c.generated && c.identity !== 'always' && c.name !== r.tenancy?.column);
  if (!setCol) return;
  const col = sqlIdentifier(setCol.name);
  push({
    ...base,
    probe: 'upsert',
    context: ctx,
    mode: 'count',
    sql: `${insertSql(r, row)} on conflict (${key.map(sqlIdentifier).join(', ')}) do update set ${col} = excluded.${col}`,
    judge: othersChanged,
    describe: `upsert into ${r.qualifiedName} on the key of a row of tenant ${victim}`,
    evaluate: judgeOthersUnchanged('changed through ON CONFLICT DO UPDATE'),
  });
}

function insertSql(r: Relation, values: Record<string, unknown>): string {
  const cols = Object.keys(values).map(sqlIdentifier).join(', ');
  return `insert into ${ident(r.qualifiedName)} (${cols}) overriding system value select ${cols} from json_populate_record(null::${ident(r.qualifiedName)}, ${sqlLiteral(JSON.stringify(values))}::json)`;
}

/**
 * Relations stored in tables are judged by row identity: the actor's own
 * statement joins what it can see to the privileged snapshot. Views are judged
 * by a tenant column they expose.
 */
function readStatement(r: Relation, config: ResolvedConfig, actorRole: string, byName: ReadonlyMap<string, Relation>): ((own: string) => Pick<ProbeCase, 'mode' | 'sql' | 'judge'>) | null {
  const rel = ident(r.qualifiedName);
  // How many rows of other tenants exist here (from the snapshot): a read that saw none of zero proves nothing.
  const oids = r.kind === 'table' || r.kind === 'partitioned-table' ? leafOids(r, byName) : [];
  // ...and how many of its own exist, to tell over-restriction (own rows hidden) apart.
  const others = (own: string) =>
    oids.length > 0
      ? `(select count(*) from pg_temp.${SNAPSHOT_TABLE} s where s.reloid = any('{${oids.join(',')}}'::oid[]) and s.tenant is distinct from ${sqlLiteral(own)} and not s.shared), ` +
        `(select count(*) from pg_temp.${SNAPSHOT_TABLE} s where s.reloid = any('{${oids.join(',')}}'::oid[]) and (s.tenant = ${sqlLiteral(own)} or s.shared))`
      : 'null::bigint, null::bigint';
  const scope = r.tenancy;
  const tenantCol = scope && (scope.kind === 'direct' || scope.kind === 'tenant-table') ? scope.column : null;
  const hasShared = config.sharedRows.some((s) => s.relation === r.qualifiedName || s.relation === r.partitionOf);
  const privileges = r.privileges.find((p) => p.role === actorRole);
  const canReadColumn = !!privileges && (privileges.select || privileges.columns.select.includes(tenantCol ?? ''));
  // Cheapest: the row names its tenant and the actor may read that column (planning a join costs more than the query).
  if (tenantCol && !hasShared && (canReadColumn || !privileges)) {
    const col = `t.${sqlIdentifier(tenantCol)}::text`;
    return (own) => ({
      mode: 'pair',
      sql: `select count(*) filter (where ${col} = ${sqlLiteral(own)}), count(*) filter (where ${col} is distinct from ${sqlLiteral(own)}), ${others(own)} from ${rel} t`,
    });
  }
  if (r.kind === 'table' || r.kind === 'partitioned-table') {
    return (own) => ({
      mode: 'pair',
      sql:
        `select count(*) filter (where s.tenant = ${sqlLiteral(own)} or s.shared), count(*) filter (where s.tenant is distinct from ${sqlLiteral(own)} and not s.shared), ${others(own)} ` +
        `from ${rel} t join pg_temp.${SNAPSHOT_TABLE} s on s.reloid = t.tableoid and s.row_ctid = t.ctid`,
    });
  }
  const col = r.tenancy?.column ?? config.tenancy.tenantColumn;
  if (typeof col !== 'string') return null;
  if (!r.columns.some((c) => c.name === col)) return null;
  return (own) => ({
    mode: 'pair',
    sql: `select count(*) filter (where t.${sqlIdentifier(col)}::text = ${sqlLiteral(own)}), count(*) filter (where t.${sqlIdentifier(col)}::text is distinct from ${sqlLiteral(own)}), null::bigint, null::bigint from ${rel} t`,
  });
}

function leafOids(r: Relation, byName: ReadonlyMap<string, Relation>): number[] {
  if (r.kind !== 'partitioned-table') return [r.oid];
  return r.partitions.flatMap((p) => {
    const child = byName.get(p);
    return child ? leafOids(child, byName) : [];
  });
}

function collectPolicySettings(relations: readonly Relation[]): SettingRead[] {
  const seen = new Map<string, SettingRead>();
  for (const r of relations) for (const p of r.policies) for (const s of p.settings) {
    const key = `${s.name}|${JSON.stringify(s.claims)}`;
    if (!seen.has(key)) seen.set(key, s);
  }
  return [...seen.values()].sort((a, b) => (a.name < b.name ? -1 : 1));
}

function matchesAny(name: string, globs: readonly string[]): boolean {
  return globs.some((g) => new RegExp(`^${g.toLowerCase().replace(/[.+?^${}()|[\]\\]/g, '\\$&').replaceAll('*', '.*')}$`).test(name));
}

/** Writes a forged value into a setting, or into each claim the policies read from it. */
function forgeStatement(s: SettingRead, value: string): string {
  if (s.claims.length === 0) return `select set_config(${sqlLiteral(s.name)}, ${sqlLiteral(value)}, true)`;
  const claims: Record<string, unknown> = {};
  for (const path of s.claims) {
    let node = claims;
    path.forEach((k, i) => {
      if (i === path.length - 1) node[k] = value;
      else node = (node[k] ??= {}) as Record<string, unknown>;
    });
  }
  // Merged into what the context set, so the tenant claim stays.
  return `select set_config(${sqlLiteral(s.name)}, (coalesce(nullif(current_setting(${sqlLiteral(s.name)}, true), ''), '{}')::jsonb || ${sqlLiteral(JSON.stringify(claims))}::jsonb)::text, true)`;
}

// ---- judgements ----

const num = (x: bigint | null) => (x === null ? 0 : Number(x));
const denied = (r: RunnerResult) => r.code === '42501';

function judgeRead(actor: ActorConfig, kind: 'read' | 'unset') {
  return (r: RunnerResult): Judgement => {
    if (r.code !== null) {
      if (r.stage === 'judge') return { status: 'inconclusive', detail: `the judge failed: ${r.message}` };
      // A context that cannot be entered proves nothing about the read (unless it is the attack itself: a malformed tenant).
      if (r.stage === 'context' && kind !== 'unset') return { status: 'inconclusive', detail: `could not enter the context: ${r.message}` };
      // Refused to read (no privilege, a malformed tenant raising): nothing leaked.
      return { status: 'pass' };
    }
    const foreign = num(r.b);
    if (actor.expect === 'all') return { status: 'pass' };
    // r.c: rows of other tenants that exist here (null where unknown: views, functions).
    const nothingToSee = r.c !== null && Number(r.c) === 0;
    if (kind === 'unset' || actor.expect === 'none') {
      const seen = num(r.a) + foreign;
      if (seen > 0) return { status: 'fail', detail: `saw ${seen} tenant row(s) without being in any tenant` };
      return nothingToSee ? { status: 'inconclusive', detail: 'the relation had no rows' } : { status: 'pass' };
    }
    if (foreign > 0) return { status: 'fail', detail: `saw ${foreign} row(s) of other tenants` };
    if (nothingToSee) return { status: 'inconclusive', detail: 'other tenants had no rows here' };
    // Own rows hidden is not a leak, but a reviewer wants to know (a policy stricter than intended, or a broken context).
    const own = num(r.a);
    const ownExisting = r.d === null ? null : Number(r.d);
    if (kind === 'read' && ownExisting !== null && own < ownExisting) return { status: 'pass', overRestricted: `saw ${own} of its tenant's ${ownExisting} row(s)` };
    return { status: 'pass' };
  };
}

function judgeInsert(r: RunnerResult): Judgement {
  if (r.code !== null) {
    if (r.stage === 'judge') return { status: 'inconclusive', detail: `the judge failed: ${r.message}` };
    return denied(r) ? { status: 'pass' } : { status: 'inconclusive', detail: `refused for another reason: ${r.message} (${r.code})` };
  }
  const planted = num(r.b);
  return planted > 0 ? { status: 'fail', detail: `planted ${planted} row(s) stamped with another tenant` } : { status: 'pass' };
}

function judgeOthersUnchanged(verb: string) {
  return (r: RunnerResult): Judgement => {
    if (r.code !== null) return r.stage === 'judge' ? { status: 'inconclusive', detail: `the judge failed: ${r.message}` } : { status: 'pass' };
    const changed = num(r.b);
    if (changed > 0) return { status: 'fail', detail: `${verb} ${changed} row(s) of other tenants` };
    return num(r.c) > 0 ? { status: 'pass' } : { status: 'inconclusive', detail: 'other tenants had no rows here' };
  };
}

function judgeMove(r: RunnerResult): Judgement {
  if (r.code !== null) return r.stage === 'judge' ? { status: 'inconclusive', detail: `the judge failed: ${r.message}` } : { status: 'pass' };
  const moved = num(r.b);
  if (moved > 0) return { status: 'fail', detail: `moved ${moved} row(s) into another tenant` };
  return num(r.a) > 0 ? { status: 'pass' } : { status: 'inconclusive', detail: 'it had no rows to move' };
}

function judgeReference(r: RunnerResult): Judgement {
  if (r.code === null) return num(r.a) > 0 ? { status: 'fail', detail: 'stored a row that references another tenant\'s row' } : { status: 'pass' };
  return r.code === '23503' || denied(r) ? { status: 'pass' } : { status: 'inconclusive', detail: `refused for another reason: ${r.message} (${r.code})` };
}
