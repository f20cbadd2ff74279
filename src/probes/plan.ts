/**
 * The checks of a run, built once: every actor x probe x relation as a
 * static check with an id, grouped by actor and context mode (the runner
 * enters each group once per world), plus what the runner needs to know
 * about the relations (their leaf tables, their victim views).
 */
import type { Catalog, Relation } from '../catalog/types.js';
import type { ResolvedConfig } from '../config/schema.js';
import { CONTEXT_MODES } from '../tenancy/adapters/index.js';
import type { TenancyModel } from '../tenancy/model.js';
import type { WorldPlan } from '../world/plan.js';
import type { ProbeContext, ProbedRelation } from './probe.js';
import { PROBE_LIST } from './registry.js';
import { victimViewName, type PlannedCheck, type PlannedGroup, type RunnerSpec } from './runner.js';
import { statements } from './statements.js';

export interface CheckPlan {
  cx: ProbeContext;
  groups: PlannedGroup[];
  checks: PlannedCheck[];
  spec: RunnerSpec;
  /** Cell key (`relation|actor|probe`) -> the ids of its checks. */
  cells: Map<string, number[]>;
  /** Some call's result can show row data: each world sends the runner its tokens (bind.ts tokensOf). */
  tokens: boolean;
}

export const cellKey = (relation: string, actor: string, probe: string) => `${relation}|${actor}|${probe}`;

export function planChecks(
  catalog: Catalog,
  config: ResolvedConfig,
  model: TenancyModel,
  world: WorldPlan,
  columns: ReadonlyMap<string, readonly string[]>,
  only?: ReadonlySet<string>,
): CheckPlan {
  const byName = new Map(catalog.relations.map((r) => [r.qualifiedName, r]));
  const st = statements(catalog, config, model);
  const probed: ProbedRelation[] = catalog.relations
    .filter((r) => r.tenancy && r.inScope && !r.extension && (!only || only.has(r.qualifiedName)))
    .map((relation, i) => ({ relation, index: i + 1 }));
  const index = new Map(probed.map((p) => [p.relation.qualifiedName, p.index]));
  const leaves = new Map<number, number[]>();
  const victimViews = new Map<number, string>();
  for (const p of probed) {
    const base = storedBase(p.relation, byName);
    leaves.set(p.index, base ? st.leafOids(base) : []);
    const r = p.relation;
    if ((r.kind === 'table' || r.kind === 'partitioned-table') && r.partitionOf === null) victimViews.set(p.index, r.qualifiedName);
  }
  const cx: ProbeContext = {
    catalog,
    config,
    model,
    plan: world,
    relations: probed,
    relation: (name) => byName.get(name),
    indexOf: (name) => index.get(name),
    victimView: (name) => {
      const i = index.get(name);
      return i !== undefined && victimViews.has(i) ? victimViewName(i) : undefined;
    },
    statements: st,
    columnsOf: (name) => columns.get(name),
  };

  const groups: PlannedGroup[] = [];
  const checks: PlannedCheck[] = [];
  const cells = new Map<string, number[]>();
  for (const actor of model.actors) {
    const drafts = PROBE_LIST.flatMap((probe) => probe.checks(cx, actor));
    for (const mode of CONTEXT_MODES) {
      const mine = drafts.filter((d) => d.mode === mode);
      if (mine.length === 0) continue;
      const subjectFree = mode !== 'context' && mine.every((d) => d.bind === undefined && !/\bv_(vt|vp|own)\b/.test(d.block));
      const group: PlannedGroup = { id: groups.length, actor, mode, checks: [], subjectFree };
      for (const d of mine) {
        const c: PlannedCheck = { ...d, id: checks.length, actor, group: group.id };
        group.checks.push(c);
        checks.push(c);
        const key = cellKey(d.subject, actor.name, d.probe);
        cells.set(key, [...(cells.get(key) ?? []), c.id]);
      }
      groups.push(group);
    }
  }
  // Tokens serve calls whose result can hold them: not booleans, numbers, dates or void.
  const textual = (t: string) => !/^(boolean|integer|bigint|smallint|numeric|real|double precision|void|date|timestamp.*|interval)$/.test(t);
  const tokens = checks.some((c) => c.func !== undefined && textual(c.func.returnType));
  return { cx, groups, checks, cells, tokens, spec: { groups, relations: probed, leaves, victimViews, principalModel: model.memberships !== null, statements: st } };
}

/** The stored relation whose rows a relation shows: itself, or for a view the first stored relation it reads. */
function storedBase(r: Relation, byName: ReadonlyMap<string, Relation>, depth = 0): Relation | null {
  if (r.kind === 'table' || r.kind === 'partitioned-table') return r;
  if (depth > 8) return null;
  for (const dep of r.dependsOn) {
    const d = byName.get(dep);
    if (!d?.tenancy) continue;
    const base = storedBase(d, byName, depth + 1);
    if (base) return base;
  }
  return null;
}
