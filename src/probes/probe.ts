/**
 * What a probe is: one declarative definition (id, family, severity, title,
 * why, fix, the phrase the watch verdict uses, and how it builds its checks),
 * registered in one exhaustive table (registry.ts). A check is built once per
 * run as static PL/pgSQL for the runner plus the replay it prints, from the
 * same statement builders; per world only its payload (rows to plant, values
 * to write) is bound.
 */
import type { Catalog, Func, Relation } from '../catalog/types.js';
import type { ResolvedConfig } from '../config/schema.js';
import type { Severity } from '../findings/types.js';
import type { ContextMode } from '../tenancy/adapters/index.js';
import type { ActorModel, TenancyModel } from '../tenancy/model.js';
import type { World } from '../world/build.js';
import type { WorldPlan } from '../world/plan.js';
import type { ProbeId } from './ids.js';
import type { Statements } from './statements.js';

export type ProbeFamily = 'read' | 'write' | 'call';

export interface ProbeDefinition<Id extends ProbeId = ProbeId> {
  id: Id;
  family: ProbeFamily;
  /** Severity of its findings: side channels are warnings, leaks of rows errors. */
  severity: Severity;
  /** One line for the report's rule table. */
  title: string;
  /** Why a failure matters, for a reviewer. */
  why: string;
  /** What to change when it fails. */
  fix: string;
  /** The watch verdict's words, `<actor> <phrase>`: for an actor of a tenant, and for one expected to see none. */
  phrase: { tenant: string; none: string };
  /** The checks of this probe for one actor, built once per run. */
  checks(cx: ProbeContext, actor: ActorModel): CheckDraft[];
}

/** Everything a probe may look at to plan its checks. */
export interface ProbeContext {
  catalog: Catalog;
  config: ResolvedConfig;
  model: TenancyModel;
  plan: WorldPlan;
  /** Tenant relations the probes look at (in scope, not extension-owned), with their runner index. */
  relations: readonly ProbedRelation[];
  relation(name: string): Relation | undefined;
  /** The runner's index of a relation (its leaf tables, for "does another tenant have rows here?"). */
  indexOf(name: string): number | undefined;
  /** The runner's victim view of a stored relation (a security_invoker view that selects one row by tableoid and ctid). */
  victimView(name: string): string | undefined;
  statements: Statements;
  /** The columns a stored relation's generated rows carry (static: the runner names them), or undefined. */
  columnsOf(name: string): readonly string[] | undefined;
}

export interface ProbedRelation {
  relation: Relation;
  index: number;
}

/**
 * A check before it has an id: which cell it belongs to, which context it runs in, the runner's
 * block, the replay, and the payload it needs per world (if any).
 */
export interface CheckDraft {
  probe: ProbeId;
  /** A relation `schema.name`, or a function signature for calls. */
  subject: string;
  /** The context group it runs in. */
  mode: ContextMode;
  /** What the check tries, for findings: "read app.documents". */
  describe: string;
  /**
   * The runner's PL/pgSQL for this check. It may read the group's variables (see runner/variables.ts)
   * and `v_payload` (the bound payload, jsonb), and must end with one of the outcome macros.
   */
  block: string;
  /** The payload of a world (rows to plant, values to write), or null when this world offers none. */
  bind?: (w: BindContext) => unknown;
  /** The replay SQL for a world: what the actor runs, then what shows the leak (with setup run as the checker first). */
  replay(r: ReplayContext): string[] | ReplayScript;
  /** For calls: the function. */
  func?: Func;
}

/** What binding a payload may use: the world, and who the group acts as in it. */
export interface BindContext {
  world: World;
  plan: WorldPlan;
  /** The tenants the subject belongs to, as the world wrote them (the runner recomputes them in the database). */
  own: readonly string[];
  /** The tenant the subject writes as (first of `own`), or null. */
  ownTenant: string | null;
  /** A tenant the subject does not belong to. */
  victimTenant: string | null;
  /** A row builder for planted rows: one more row of `relation` for `tenant`, or null. */
  extraRow(relation: string, tenant: string, salt: number): Record<string, unknown> | null;
}

export interface ReplayScript {
  /** Run as the checker before entering as the actor (a view on the victim row). */
  setup: string[];
  /** Run as the actor, then what shows the effect. */
  act: string[];
}

export interface ReplayContext {
  /** The row a per-row write reached (its columns as JSON), when the check leaked. */
  victimRow: Record<string, unknown> | null;
  /** The payload bound for the world being replayed (null without one). */
  payload: unknown;
  /** The subject's tenants and the victim, as literals. */
  allowed: readonly string[];
  ownTenant: string | null;
  ownPrincipal: string | null;
  victimTenant: string | null;
  victimPrincipal: string | null;
}
