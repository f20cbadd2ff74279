/**
 * One world, start to finish, inside one transaction that is always rolled
 * back: write the world, snapshot it, run every check server-side. The
 * common case is one statement (pg_temp.tp_world: the writes, the snapshot
 * and the runner); when the database refuses some generated row, the world
 * is written again statement by statement and row by row, dropping (and
 * counting) what it refuses.
 */
import { createHash } from 'node:crypto';
import { sql, type Queryable, type Transaction } from '@databases/pg';
import { rolledBack } from '../db/rolled-back.js';
import { quoteLiteral } from '../sql/text.js';
import type { TenancyModel } from '../tenancy/model.js';
import { stepToSql } from '../tenancy/steps.js';
import { buildWorld, type BuildOptions, type World, type WorldShape } from '../world/build.js';
import { insertWorld, worldStatements, type InsertResult, type WriterContext } from '../world/insert.js';
import type { WorldPlan } from '../world/plan.js';
import { bindWorld, type WorldBinding } from './bind.js';
import type { CheckPlan } from './plan.js';
import { installSql, type PlannedCheck, type PlannedGroup } from './runner.js';

export interface EngineContext {
  plan: CheckPlan;
  world: WorldPlan;
  build: BuildOptions;
  /** Statements that fill the snapshot after the world is written. */
  snapshot: string[];
  writer: ((world: World) => WriterContext) | null;
}

export interface WorldOutcome {
  shape: WorldShape;
  world: World;
  binding: WorldBinding;
  inserted: InsertResult;
  /** One outcome character per check and subject slot, group by group (see runner.ts OUTCOMES); read it with decodeWorld. */
  outcomes: string;
  /** `<check id>:<slot>|...` and `g<group id>:<slot>|...` notes. */
  notes: string[];
  /** With a profiling runner: microseconds per outcome, in the same order. */
  micros?: number[];
}

export interface CheckResult {
  check: PlannedCheck;
  /** Which of the group's subjects it ran as (an index into binding.groups.get(group)). */
  slot: number;
  /** h, l, e, i, x, c or - (runner.ts OUTCOMES). */
  outcome: string;
  note: string | undefined;
}

export interface GroupFailure {
  group: PlannedGroup;
  slot: number;
  /** context: the context could not be entered; refused: a context of garbage was refused (it held). */
  kind: 'context' | 'refused';
  code: string;
  message: string;
}

/** The runner's answer read back: every check's outcome in every subject slot, and the groups that could not enter. */
export function decodeWorld(ex: EngineContext, w: WorldOutcome): { results: CheckResult[]; failures: GroupFailure[] } {
  const notes = new Map<string, string>();
  const failures: GroupFailure[] = [];
  for (const n of w.notes) {
    const bar = n.indexOf('|');
    const head = n.slice(0, bar);
    if (head.startsWith('g')) {
      const [gid, slot] = head.slice(1).split(':').map(Number);
      const [kind, code, ...message] = n.slice(bar + 1).split('|');
      failures.push({ group: ex.plan.groups[gid!]!, slot: slot!, kind: kind as GroupFailure['kind'], code: code ?? '', message: message.join('|') });
    } else notes.set(head, n.slice(bar + 1));
  }
  const results: CheckResult[] = [];
  let pos = 0;
  for (const g of ex.plan.groups) {
    const slots = w.binding.groups.get(g.id)?.length ?? 0;
    for (let slot = 0; slot < slots; slot++) {
      for (const check of g.checks) results.push({ check, slot, outcome: w.outcomes[pos++] ?? '-', note: notes.get(`${check.id}:${slot}`) });
    }
  }
  return { results, failures };
}

type TxSource = { tx<T>(fn: (tx: Transaction) => Promise<T>): Promise<T> };

/**
 * The runner's temporary objects, once per connection (they live as long as the session). A
 * connection that already holds the same runner (the same checks on the same catalog: a pool
 * reused by the next run) keeps it, and with it every plan its statements have cached. The runner's
 * hash is the comment of its function: it goes with the objects it describes (DISCARD TEMP drops
 * both), and a RESET ALL by whoever used the connection in between leaves it.
 */
export async function installRunner(conn: Queryable, ex: EngineContext): Promise<void> {
  const statements = [...installSql(ex.plan.spec), worldFunctionSql(ex.snapshot)];
  const hash = createHash('sha256').update(statements.join('\0')).digest('hex').slice(0, 32);
  const [row] = await conn.query(sql`select obj_description(to_regprocedure('pg_temp.tp_run(jsonb)'), 'pg_proc') as installed`);
  if (row?.installed === hash) return;
  for (const s of statements) await conn.query(sql.__dangerous__rawValue(s));
  await conn.query(sql.__dangerous__rawValue(`comment on function pg_temp.tp_run(jsonb) is ${quoteLiteral(hash)}`));
}

/**
 * A world in one statement: its writes, the snapshot (static statements, so planned once per
 * connection) and the runner. The driver sends a text of several statements one round trip each
 * (it splits it first, in JavaScript): a world of 80 statements was 80 round trips.
 */
function worldFunctionSql(snapshot: readonly string[]): string {
  return `create or replace function pg_temp.tp_world(writes text[], p jsonb) returns jsonb language plpgsql as $tp$
declare w text;
begin
  foreach w in array writes loop execute w; end loop;
${snapshot.map((s) => `  ${s};`).join('\n')}
  return pg_temp.tp_run(p);
end
$tp$`;
}

// A function the world calls that never returns must not hang the run; nor must a lock. Generic plans:
// each static statement is planned once per connection, not once per world (plpgsql would otherwise
// plan the first five executions of every statement afresh). Set before the world's statement starts:
// a statement's timeout is armed when it starts.
const GUARDS = sql`select set_config('statement_timeout', '120s', true), set_config('lock_timeout', '10s', true), set_config('plan_cache_mode', 'force_generic_plan', true)`;

export async function runWorld(db: TxSource, ex: EngineContext, shape: WorldShape, mask?: ReadonlySet<number>): Promise<WorldOutcome> {
  const world = buildWorld(ex.world, shape, ex.build);
  const writer = ex.writer?.(world) ?? null;
  const binding = bindWorld(ex.plan, ex.world, world, ex.build, mask);
  const decode = (rows: Array<Record<string, unknown>>, inserted: InsertResult): WorldOutcome => {
    const result = rows[0]?.result as { o: string; n: string[]; t?: number[] } | undefined;
    if (!result) throw new Error('the runner returned nothing');
    return { shape, world, binding, inserted, outcomes: result.o, notes: result.n, ...(result.t ? { micros: result.t } : {}) };
  };

  // Values travel as parameters: the driver scans a query's text, and a world's payloads are most of it.
  const writes = worldStatements(ex.world, world, writer);
  try {
    const rows = await rolledBack(db, async (tx) => {
      await tx.query(GUARDS);
      return tx.query(sql`select pg_temp.tp_world(${writes}::text[], ${JSON.stringify(binding.wire)}::jsonb) as result`);
    });
    return decode(rows, { rows: world.rows, dropped: new Map() });
  } catch {
    // Some generated row was refused: write the world row by row instead.
  }
  return rolledBack(db, async (tx) => {
    await tx.query(GUARDS);
    const inserted = await insertWorld(tx, ex.world, world, writer);
    for (const [name, rows] of inserted.rows) world.rows.set(name, rows);
    for (const s of ex.snapshot) await tx.query(sql.__dangerous__rawValue(s));
    // Payloads were built against the planned rows: build them again against the rows that landed.
    const rebound = bindWorld(ex.plan, ex.world, world, ex.build, mask);
    const rows = await tx.query(sql`select pg_temp.tp_run(${JSON.stringify(rebound.wire)}::jsonb) as result`);
    return { ...decode(rows, inserted), binding: rebound };
  });
}

/**
 * The world writer's context: where a trigger or a default reads the context (auth.uid() stamping a
 * row), each tenant's rows are written with the settings of a subject of that tenant in place. The
 * writer stays privileged: only the settings change.
 */
export function writerFor(model: TenancyModel): ((world: World) => WriterContext) | null {
  const actor = model.actors.find((a) => a.expect === 'tenant' && (a.adapter.steps('context') ?? []).some((s) => s.kind === 'set'));
  if (!actor) return null;
  const steps = (actor.adapter.steps('context') ?? []).filter((s) => s.kind === 'set');
  return (world) => ({
    enter(tenant) {
      const principal = world.memberships.find((m) => m.tenant === tenant)?.principal ?? (world.principals.length ? world.principals[0]! : tenant);
      const subject = { tenant, principal, login: actor.login ?? actor.role, role: actor.role, session: world.sessions.get(principal) };
      return steps.flatMap((s) => stepToSql(s, subject));
    },
    leave: () => steps.map((s) => (s.kind === 'set' ? `select set_config(${quoteLiteral(s.name)}, '', true)` : '')).filter(Boolean),
  });
}
