/**
 * One world, start to finish, in a transaction that is never committed:
 * write the world, snapshot it, run every check server-side. The common case
 * is one statement (pg_temp.tp_world: the writes, the snapshot and the
 * runner, in a subtransaction it rolls back), and the worlds of one
 * connection share one transaction (worldSession); when the database refuses
 * some generated row, the world is written again statement by statement and
 * row by row in a transaction of its own, dropping (and counting) what it
 * refuses.
 */
import { createHash } from 'node:crypto';
import { sql, type Connection, type Queryable, type Transaction } from '@databases/pg';
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
  const { statements, hash } = runnerOf(ex);
  const [row] = await conn.query(sql`select obj_description(to_regprocedure('pg_temp.tp_run(jsonb)'), 'pg_proc') as installed`);
  if (row?.installed === hash) return;
  for (const s of statements) await conn.query(sql.__dangerous__rawValue(s));
  await conn.query(sql.__dangerous__rawValue(`comment on function pg_temp.tp_run(jsonb) is ${quoteLiteral(hash)}`));
}

// Generated and hashed once per prepared run, not once per connection (megabytes of text: ~25 ms each).
const runners = new WeakMap<EngineContext, { statements: string[]; hash: string }>();
function runnerOf(ex: EngineContext): { statements: string[]; hash: string } {
  let r = runners.get(ex);
  if (!r) {
    const statements = [...installSql(ex.plan.spec), worldFunctionSql(ex.snapshot)];
    r = { statements, hash: createHash('sha256').update(statements.join('\0')).digest('hex').slice(0, 32) };
    runners.set(ex, r);
  }
  return r;
}

/**
 * A world in one statement: its writes, the snapshot (static statements, so planned once per
 * connection) and the runner. The driver sends a text of several statements one round trip each
 * (it splits it first, in JavaScript): a world of 80 statements was 80 round trips. The world is
 * a subtransaction the function always rolls back (its result survives in a variable), so that
 * several worlds can share one transaction (worldSession); any other error leaves the function.
 */
function worldFunctionSql(snapshot: readonly string[]): string {
  return `create or replace function pg_temp.tp_world(writes text, p jsonb) returns jsonb language plpgsql as $tp$
declare v jsonb;
begin
  begin
    if writes <> '' then execute writes; end if;
${snapshot.map((s) => `    ${s};`).join('\n')}
    v := pg_temp.tp_run(p);
    raise exception using errcode = 'TPRBK';
  exception when sqlstate 'TPRBK' then return v;
  end;
end
$tp$`;
}

// A function the world calls that never returns must not hang the run; nor must a lock. Generic plans:
// each static statement is planned once per connection, not once per world (plpgsql would otherwise
// plan the first five executions of every statement afresh). Set before the world's statement starts:
// a statement's timeout is armed when it starts.
const GUARDS = sql`select set_config('statement_timeout', '120s', true), set_config('lock_timeout', '10s', true), set_config('plan_cache_mode', 'force_generic_plan', true)`;

/** What Node computes for a world before the server sees it: its rows, payloads and write statements. */
export interface PreparedWorld {
  shape: WorldShape;
  world: World;
  writer: WriterContext | null;
  binding: WorldBinding;
  writes: string[];
  mask: ReadonlySet<number> | undefined;
}

export function prepareWorld(ex: EngineContext, shape: WorldShape, mask?: ReadonlySet<number>): PreparedWorld {
  const world = buildWorld(ex.world, shape, ex.build);
  const writer = ex.writer?.(world) ?? null;
  const binding = bindWorld(ex.plan, ex.world, world, ex.build, mask);
  return { shape, world, writer, binding, writes: worldStatements(ex.world, world, writer), mask };
}

export function runWorld(db: TxSource, ex: EngineContext, shape: WorldShape, mask?: ReadonlySet<number>): Promise<WorldOutcome> {
  return runPrepared(db, ex, prepareWorld(ex, shape, mask));
}

// Values travel as parameters: the driver scans a query's text, and a world's payloads are most of it.
// The writes as one text that EXECUTE runs statement after statement: as a text[] the driver escaped
// each of them in JavaScript (~1.5 ms a world).
const worldCall = (p: PreparedWorld) => sql`select pg_temp.tp_world(${p.writes.join(';\n')}::text, ${JSON.stringify(p.binding.wire)}::jsonb) as result`;

function decode(p: PreparedWorld, rows: Array<Record<string, unknown>>, inserted: InsertResult, binding = p.binding): WorldOutcome {
  const result = rows[0]?.result as { o: string; n: string[]; t?: number[] } | undefined;
  if (!result) throw new Error('the runner returned nothing');
  return { shape: p.shape, world: p.world, binding, inserted, outcomes: result.o, notes: result.n, ...(result.t ? { micros: result.t } : {}) };
}

/**
 * Sends `query`, and once the driver has written it (one turn of the event loop) calls
 * `whileRunning`: the caller prepares its next world there, so Node's share of a world overlaps
 * the server's instead of leaving the connection idle.
 */
async function sendThen<T>(query: Promise<T>, whileRunning: (() => void) | undefined): Promise<T> {
  if (!whileRunning) return query;
  // Marked handled: a refusal may arrive before the caller awaits it (it still rejects there).
  query.catch(() => {});
  await new Promise((resolve) => setImmediate(resolve));
  whileRunning();
  return query;
}

/** One world in a transaction of its own (shrinking, tests): the worlds of a run go through worldSession. */
async function runPrepared(db: TxSource, ex: EngineContext, p: PreparedWorld): Promise<WorldOutcome> {
  try {
    const rows = await rolledBack(db, async (tx) => {
      await tx.query(GUARDS);
      return tx.query(worldCall(p));
    });
    return decode(p, rows, { rows: p.world.rows, dropped: new Map() });
  } catch {
    // Some generated row was refused: write the world row by row instead.
  }
  return rowByRow(db, ex, p);
}

/** The world written statement by statement, row by row, what the database refuses dropped (and counted). */
function rowByRow(db: TxSource, ex: EngineContext, p: PreparedWorld): Promise<WorldOutcome> {
  return rolledBack(db, async (tx) => {
    await tx.query(GUARDS);
    const inserted = await insertWorld(tx, ex.world, p.world, p.writer);
    for (const [name, rows] of inserted.rows) p.world.rows.set(name, rows);
    for (const s of ex.snapshot) await tx.query(sql.__dangerous__rawValue(s));
    // Payloads were built against the planned rows: build them again against the rows that landed.
    const rebound = bindWorld(ex.plan, ex.world, p.world, ex.build, p.mask);
    const rows = await tx.query(sql`select pg_temp.tp_run(${JSON.stringify(rebound.wire)}::jsonb) as result`);
    return decode(p, rows, inserted, rebound);
  });
}

export interface WorldSession {
  /** Runs a prepared world; `whileRunning` is called once its statement is on its way (see sendThen). */
  run(p: PreparedWorld, whileRunning?: () => void): Promise<WorldOutcome>;
  /** Rolls back the shared transaction (nothing of any world was ever kept). */
  close(): Promise<void>;
}

/**
 * The worlds one connection runs, in one transaction that is never committed, each world a
 * subtransaction tp_world rolls back. PL/pgSQL prepares the state of each of the runner's
 * thousands of expressions once per transaction, and a transaction per world paid it every world
 * (4% of a world, with three round trips). A world whose rows the database refuses aborts the
 * transaction: it is rolled back, the world runs row by row in a transaction of its own, and the
 * next world opens a new one.
 */
export function worldSession(conn: Connection, ex: EngineContext): WorldSession {
  let open = false;
  const close = async () => {
    if (!open) return;
    open = false;
    await conn.query(sql`rollback`);
  };
  return {
    async run(p, whileRunning) {
      if (!open) {
        await conn.query(sql`begin`);
        open = true;
        await conn.query(GUARDS);
      }
      try {
        const rows = await sendThen(conn.query(worldCall(p)), whileRunning);
        return decode(p, rows, { rows: p.world.rows, dropped: new Map() });
      } catch {
        // Some generated row was refused (or the world failed otherwise: row by row says which).
      }
      await close();
      return rowByRow(conn, ex, p);
    },
    close,
  };
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
