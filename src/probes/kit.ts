/**
 * Pieces the probe definitions share: which relations a family looks at,
 * the read block, and the replay lines every probe ends with.
 */
import type { Relation } from '../catalog/types.js';
import { quoteIdent, quoteLiteral, quoteRelation } from '../sql/text.js';
import type { ContextMode } from '../tenancy/adapters/index.js';
import type { ActorModel } from '../tenancy/model.js';
import type { BindContext, ProbeContext, ProbedRelation, ReplayContext } from './probe.js';
import { ANY_ERROR_HOLDS, REFUSED_HOLDS, rolledBackBlock } from './runner.js';
import { literalBindings, RUNNER_BINDINGS } from './statements.js';

export const stored = (r: Relation) => r.kind === 'table' || r.kind === 'partitioned-table';

/** Relations the write probes target: stored tenant tables, through their root (partitions are written through it). */
export function writable(cx: ProbeContext): ProbedRelation[] {
  return cx.relations.filter((p) => stored(p.relation) && p.relation.partitionOf === null && cx.victimView(p.relation.qualifiedName) !== undefined);
}

/** Actors the tenant-bound probes run for: expect 'tenant' (in their context) and 'none' (with none). */
export const isolated = (a: ActorModel) => a.expect !== 'all';

/** The error handler of a read in a mode: garbage or no context that raises has failed closed. */
export const readErrors = (mode: ContextMode) => (mode === 'context' ? REFUSED_HOLDS : ANY_ERROR_HOLDS);

/** A read of relation `index` as the actor, with `before` run first (a forged setting, SET ROLE). */
export function readBlock(cx: ProbeContext, p: ProbedRelation, mode: ContextMode, before: string[] = []): string | null {
  const read = cx.statements.read(p.relation, RUNNER_BINDINGS);
  if (!read) return null;
  const i = p.index;
  return `if v_foreign[${i}] = 0 then v_state := 'e';
else
${rolledBackBlock(
  [
    ...before,
    `${read} into n, m;`,
    `if n > 0 then v_state := 'l'; v_note := 'l|' || n;`,
    `else v_state := 'h'; if m < v_ownn[${i}] then v_note := 'o|' || m || '|' || v_ownn[${i}]; end if;`,
    `end if;`,
  ].join('\n'),
  readErrors(mode),
)}
end if;`;
}

/** Replay of a read: what the actor sees, by tenant where the relation names it. */
export function readReplay(cx: ProbeContext, r: Relation, rc: ReplayContext): string[] {
  const rel = quoteRelation(r.qualifiedName);
  const col = cx.statements.exposedTenantColumn(r);
  const allowed = rc.allowed.length ? rc.allowed.map(quoteLiteral).join(', ') : '(none)';
  return [
    `-- every row of a tenant other than ${allowed} is a leak:`,
    col ? `select ${quoteIdent(col)} as tenant, count(*) from ${rel} group by 1 order by 1;` : `select * from ${rel};`,
  ];
}

/** Replay of a write planted from a payload: the statement as the actor, then what it did, as the checker. */
export function plantedReplay(cx: ProbeContext, r: Relation, statement: (b: ReturnType<typeof literalBindings>) => string, rc: ReplayContext): string[] {
  const b = literalBindings(rc.allowed, rc.payload);
  const judge = cx.statements.plantedForeign(r, b);
  return [`${statement(b)};`, 'reset role;', 'reset session authorization;', ...(judge ? ['-- rows it planted in a tenant it may not write (should be 0):', `${judge};`] : [])];
}

/** The SET list columns a payload carries. */
export const payloadColumns = (payload: unknown) => Object.keys((payload ?? {}) as Record<string, unknown>);

/**
 * Replay of a per-row write: a view on the victim row (selected by its key, as the runner selected
 * it by identity), the statement through it as the actor, then whether the row was reached.
 */
export function victimReplay(r: Relation, rc: ReplayContext, statement: string, effect: string): { setup: string[]; act: string[] } {
  const rel = quoteRelation(r.qualifiedName);
  const key = r.primaryKey?.columns ?? (rc.victimRow ? Object.keys(rc.victimRow) : []);
  const row = JSON.stringify(Object.fromEntries(key.map((k) => [k, rc.victimRow?.[k] ?? null])));
  const cols = key.map(quoteIdent);
  return {
    setup: [
      `-- the row of another tenant the actor reached, selected by its key; the view reads no column in the actor's statement`,
      `create temporary view tp_victim with (security_invoker = true) as select * from ${rel} where (${cols.join(', ')}) = (select ${cols.map((c) => `x.${c}`).join(', ')} from jsonb_populate_record(null::${rel}, ${quoteLiteral(row)}::jsonb) x);`,
      'grant select, insert, update, delete on pg_temp.tp_victim to public;',
    ],
    act: [`${statement};`, 'reset role;', 'reset session authorization;', `-- ${effect}:`, 'select * from pg_temp.tp_victim;'],
  };
}

/** A small stable number from a string: the salt of a check's planted rows. */
export function saltOf(text: string): number {
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619);
  return (h >>> 0) % 100_000;
}

/**
 * Values that move a row into `tenant`: its tenant column and every foreign key to a tenant-scoped
 * parent re-pointed at a parent row of that tenant, as an attacker who knows one id of the tenant
 * would write them (a composite foreign key refuses the naive move).
 */
export function repoint(bc: BindContext, cx: ProbeContext, r: Relation, tenant: string): Record<string, unknown> | null {
  const out: Record<string, unknown> = {};
  const scope = r.tenancy;
  if (scope?.kind === 'direct' && scope.column) out[scope.column] = tenant;
  for (const fk of r.foreignKeys) {
    if (fk.inherited) continue;
    const parent = cx.relation(fk.references);
    if (!parent?.tenancy) continue;
    if (fk.columns.every((c) => c === scope?.column)) continue;
    const row = (bc.world.rows.get(fk.references) ?? []).find((x) => x.tenant === tenant);
    if (!row) {
      if (scope?.kind === 'indirect' && scope.path[0]?.via === fk.name) return null;
      continue;
    }
    fk.columns.forEach((c, i) => {
      out[c] = row.values[fk.referencedColumns[i]!];
    });
  }
  return Object.keys(out).length > 0 ? out : null;
}

/** A world row of `r` in `tenant`, or undefined. */
export const rowOf = (bc: BindContext, r: Relation, tenant: string | null) =>
  tenant === null ? undefined : (bc.world.rows.get(r.qualifiedName) ?? []).find((x) => x.tenant === tenant);

/** The columns `repoint` writes: the tenant column and every foreign key to a tenant-scoped parent (a static SET list). */
export function repointColumns(cx: ProbeContext, r: Relation): string[] {
  const cols = new Set<string>();
  if (r.tenancy?.kind === 'direct' && r.tenancy.column) cols.add(r.tenancy.column);
  for (const fk of r.foreignKeys) {
    if (fk.inherited || !cx.relation(fk.references)?.tenancy) continue;
    for (const c of fk.columns) cols.add(c);
  }
  return [...cols];
}

/** A row of the actor's own tenant carrying another tenant's values in `columns` (a key it aims at), or null. */
export function ownRowWithVictimValues(bc: BindContext, r: Relation, columns: readonly string[], salt: number): Record<string, unknown> | null {
  const target = rowOf(bc, r, bc.victimTenant);
  const row = bc.ownTenant === null || !target ? null : bc.extraRow(r.qualifiedName, bc.ownTenant, salt);
  if (!row || !target) return null;
  for (const c of columns) row[c] = target.values[c];
  return row;
}
