/**
 * The dynamic half of the engine: the checks of a run built once, random
 * worlds probed on every core, then, for the failing cells, the smallest
 * world that still fails (fast-check's shrinking, within a budget) and SQL
 * that replays it. A check that could not run is never a pass: a context an
 * actor cannot enter stops the run (exit 2).
 */
import os from 'node:os';
import fc from 'fast-check';
import { sql, type ConnectionPool } from '@databases/pg';
import type { Catalog } from '../catalog/types.js';
import type { ResolvedConfig } from '../config/schema.js';
import { TenantproofError } from '../errors.js';
import { applyAccepted } from '../findings/accept.js';
import type { ActorEntry, Finding, MatrixCell } from '../findings/types.js';
import { resolveTenancy, type TenancyModel } from '../tenancy/model.js';
import { stepToSql } from '../tenancy/steps.js';
import { worldShapeArbitrary, type WorldShape } from '../world/build.js';
import type { WorldPlan } from '../world/plan.js';
import { cellStats, compareCells, inconclusiveReason, matrixCellOf, type CellAgg, type CellStats } from './cells.js';
import { coverageFacts, coverageFindings, overRestrictionFinding, probeFinding } from './findings.js';
import { pooledContextFindings } from './pooled-context.js';
import { prepareRun, type PreparedRun } from './prepare.js';
import { shrinkFailures } from './shrink.js';
import { decodeWorld, prepareWorld, worldSession, type PreparedWorld, installRunner, type WorldOutcome, type GroupFailure } from './world-run.js';

export interface ProbeOptions {
  runs: number;
  seed: number;
  /** Connections working in parallel (default: the config's, else the number of cores). */
  connections?: number;
  /** Worlds spent shrinking in all (default: a fifth of the run's worlds, at least 20). A count, not a time: the same run settles on the same worlds. */
  shrinkBudget?: number;
  onProgress?: (p: ProbeProgress) => void;
  signal?: AbortSignal;
  /** Run one shard of the worlds: world i (0-based) runs in shard (i mod count) + 1. */
  shard?: { index: number; count: number };
  /** Probe only these relations (the watch's affected ones). */
  only?: ReadonlySet<string>;
  /** How a replay tells the reader to rerun: this project's gate, or check on a database. */
  replayCommand?: 'gate' | 'check';
}

export interface ProbeProgress {
  worlds: number;
  of: number;
  checks: number;
  failures: number;
  phase: 'worlds' | 'shrinking';
}

export interface ProbeRun {
  seed: number;
  findings: Finding[];
  matrix: MatrixCell[];
  coverage: { relations: number; actors: number; worlds: number; rows: number; checks: number; held: number; leaked: number; inconclusive: number; notProven: number };
  /** What was not probed and why: every report format shows them. */
  notes: string[];
  cells: CellStats[];
  actors: ActorEntry[];
  connectedAs: string;
  timings: { worlds: number; shrinking: number };
}

export async function runProbes(db: ConnectionPool, catalog: Catalog, config: ResolvedConfig, o: ProbeOptions): Promise<ProbeRun> {
  const model = resolveTenancy(catalog, config);
  const ex = await prepareRun(db, catalog, config, model, o.only);
  const [me] = await db.query(sql`select current_user as name, (select rolsuper from pg_roles where rolname = current_user) as superuser`);
  const connectedAs = String(me?.name);
  if (!me?.superuser && model.actors.some((a) => a.expect !== 'all')) {
    throw new TenantproofError(
      'check-needs-superuser',
      `the probes log in as each actor's login (transaction-local SET SESSION AUTHORIZATION), which only a superuser may do, and ${connectedAs} is not one`,
      'connect as a superuser (the probes switch to each actor and login themselves), or run with --no-probes for the static lint only',
    );
  }

  const arbitrary = worldArbitrary(ex.world, config);
  const shapes = fc.sample(arbitrary, { numRuns: o.runs, seed: o.seed });
  const mine = shapes.map((_, i) => i).filter((i) => !o.shard || i % o.shard.count === o.shard.index - 1);

  const cells = new Map<string, CellAgg>();
  const dropped = new Map<string, { count: number; reason: string; index: number }>();
  const filled = new Map<string, number>();
  let rows = 0;
  let judged = 0;
  let failures = 0;
  let done = 0;
  // A check's cell, named once per run (not once per check and world).
  const cellKeys = ex.plan.checks.map((c) => `${c.subject}|${c.actor.name}|${c.probe}`);
  const record = (w: WorldOutcome, index: number) => {
    const decoded = decodeWorld(ex, w);
    abortOnContextFailure(w, decoded.failures);
    for (const [rel, list] of w.inserted.rows) {
      rows += list.length;
      filled.set(rel, (filled.get(rel) ?? 0) + list.length);
    }
    for (const [rel, d] of w.inserted.dropped) {
      const prev = dropped.get(rel);
      const first = !prev || index < prev.index;
      dropped.set(rel, { count: (prev?.count ?? 0) + d.count, reason: first ? d.reason : prev.reason, index: first ? index : prev.index });
    }
    for (const { check: c, slot, outcome, note } of decoded.results) {
      if (outcome === '-' || outcome === 'c') continue;
      const key = cellKeys[c.id]!;
      let agg = cells.get(key);
      if (!agg) cells.set(key, (agg = { relation: c.subject, actor: c.actor.name, probe: c.probe, held: 0, leaked: 0, inconclusive: new Map(), overRestricted: 0 }));
      if (outcome === 'h') {
        agg.held++;
        judged++;
        if (c.probe === 'read' && note?.startsWith('o|')) {
          agg.overRestricted++;
          const [, seen, existing] = note.split('|');
          if (!agg.overExample || index < agg.overExample.index) agg.overExample = { index, example: `saw ${seen} of its tenants' ${existing} row(s)` };
        }
      } else if (outcome === 'l') {
        agg.leaked++;
        judged++;
        failures++;
        if (!agg.firstLeak || index < agg.firstLeak.index) agg.firstLeak = { index, world: w, check: c, slot, note: note ?? 'l|1|' };
      } else {
        const reason = inconclusiveReason(c, outcome, note);
        agg.inconclusive.set(reason, (agg.inconclusive.get(reason) ?? 0) + 1);
      }
    }
  };

  // Each connection takes the next world; the indexes keep results reproducible whatever finishes first.
  const t0 = performance.now();
  let next = 0;
  const workers = Math.max(1, Math.min(mine.length, o.connections ?? config.probes.connections ?? os.availableParallelism()));
  const failed = new AbortController();
  await Promise.all(
    Array.from({ length: workers }, () =>
      db.task(async (conn) => {
        await installRunner(conn, ex);
        const session = worldSession(conn, ex);
        // The next world is built while the server runs this one (sendThen in world-run.ts).
        const take = (): { index: number; prepared: PreparedWorld } | null => {
          const k = next++;
          if (k >= mine.length || failed.signal.aborted) return null;
          return { index: mine[k]!, prepared: prepareWorld(ex, shapes[mine[k]!]!) };
        };
        let ok = false;
        try {
          let current = take();
          while (current) {
            if (o.signal?.aborted) throw o.signal.reason ?? new Error('interrupted');
            let upcoming: ReturnType<typeof take> | undefined;
            let early: unknown;
            const ahead = () => {
              try {
                upcoming = take();
              } catch (e) {
                early = e;
              }
            };
            const w = await session.run(current.prepared, ahead);
            if (early) throw early;
            record(w, current.index);
            done++;
            o.onProgress?.({ worlds: done, of: mine.length, checks: judged, failures, phase: 'worlds' });
            current = upcoming === undefined ? take() : upcoming;
          }
          ok = true;
        } catch (e) {
          failed.abort(e);
          throw e;
        } finally {
          // After an error the connection may be gone: that error is the one to report.
          await session.close().catch((e) => {
            if (ok) throw e;
          });
        }
      }),
    ),
  );
  const worldsMs = performance.now() - t0;

  const t1 = performance.now();
  const failing = [...cells.values()].filter((c) => c.leaked > 0).sort(compareCells);
  o.onProgress?.({ worlds: done, of: mine.length, checks: judged, failures, phase: 'shrinking' });
  const minimal = await shrinkFailures(db, ex, arbitrary, failing, { seed: o.seed, runs: o.runs, budget: o.shrinkBudget ?? Math.max(20, Math.ceil(o.runs / 5)) });
  const shrinkMs = performance.now() - t1;

  const replay = { command: o.replayCommand ?? 'gate', seed: o.seed } as const;
  const findings: Finding[] = failing.map((cell) =>
    probeFinding(
      ex,
      cell,
      minimal.get(cell) ?? {
        world: cell.firstLeak!.world,
        check: cell.firstLeak!.check,
        slot: cell.firstLeak!.slot,
        note: cell.firstLeak!.note,
        path: String(cell.firstLeak!.index),
        shrunk: false,
      },
      replay,
    ),
  );
  findings.push(...(await pooledContextFindings(db, model)));
  const stats = [...cells.values()].map(cellStats).sort(compareCells);
  for (const cell of stats) {
    const f = overRestrictionFinding(cell);
    if (f) findings.push(f);
  }
  const matrix = stats.map(matrixCellOf);
  const notes = runNotes(ex, model, dropped, filled);
  findings.push(...coverageFindings(coverageFacts(ex, filled), matrix, { worlds: done, rows, checks: judged }));
  // Reviewed exceptions stay visible, as info (the lint applies them to its own findings).
  const reviewed = applyAccepted(findings, config);
  const count = (f: (m: MatrixCell) => number) => matrix.reduce((n, m) => n + f(m), 0);
  return {
    seed: o.seed,
    findings: reviewed,
    matrix,
    coverage: {
      relations: new Set(matrix.map((m) => m.relation)).size,
      actors: new Set(matrix.map((m) => m.actor)).size,
      worlds: done,
      rows,
      checks: judged,
      held: count((m) => m.held ?? 0),
      leaked: count((m) => m.leaked ?? 0),
      inconclusive: count((m) => m.inconclusive ?? 0),
      notProven: matrix.filter((m) => m.status === 'not-proven').length,
    },
    notes,
    cells: stats,
    actors: actorEntries(model),
    connectedAs,
    timings: { worlds: Math.round(worldsMs), shrinking: Math.round(shrinkMs) },
  };
}

/** The worlds a run samples from: the config's bounds on tenants, principals and rows. */
export function worldArbitrary(world: WorldPlan, config: ResolvedConfig) {
  const { tenantsPerWorld, maxRowsPerTable, principalsPerWorld } = config.probes;
  return worldShapeArbitrary(world, {
    minTenants: tenantsPerWorld.min,
    maxTenants: tenantsPerWorld.max,
    minPrincipals: principalsPerWorld.min,
    maxPrincipals: principalsPerWorld.max,
    maxRows: maxRowsPerTable,
  });
}

/** A context that cannot be entered proves nothing: stop with the actor, the SQL and PostgreSQL's error. */
function abortOnContextFailure(w: WorldOutcome, failures: readonly GroupFailure[]): void {
  for (const f of failures) {
    if (f.kind !== 'context') continue;
    const group = f.group;
    const gb = w.binding.groups.get(group.id)![f.slot]!;
    const s = gb.subject;
    const steps = (group.actor.adapter.steps(group.mode) ?? []).flatMap((step) => stepToSql(step, s, gb.statements));
    const entry = [`set local session authorization ${s.login}`, ...(s.role !== s.login ? [`set local role ${s.role}`] : []), ...steps];
    throw new TenantproofError(
      'context-failed',
      `actor "${group.actor.name}" could not enter its context${group.mode === 'context' ? '' : ` (${group.mode})`} as ${group.actor.as} ${group.actor.as === 'principal' ? s.principal : s.tenant}: ${f.message} (SQLSTATE ${f.code})\n  the statements were:\n    ${entry.join(';\n    ')};`,
      `fix actors.${group.actor.name}: the role and login must exist (the login must be allowed to SET ROLE to the role) and the context's statements must run for a generated ${group.actor.as}`,
    );
  }
}

function runNotes(ex: PreparedRun, model: TenancyModel, dropped: Map<string, { count: number; reason: string }>, filled: Map<string, number>): string[] {
  const notes = ex.world.unfillable.map((u) => `${u.relation}: never filled (${u.reason})`);
  // An actor meant to see every tenant has nothing that could leak to it: say so, rather than let its
  // absence from the matrix read as an oversight.
  for (const a of model.actors.filter((x) => x.expect === 'all'))
    notes.push(`actor ${a.name}: expects every tenant's rows, so no isolation probe applies to it (the lint checks what its role may reach)`);
  for (const u of ex.unresolved) notes.push(`${u.column}: ${u.reason}; rows may be refused (set probes.columns["${u.column}"])`);
  for (const [rel, d] of [...dropped].sort(([a], [b]) => (a < b ? -1 : 1))) notes.push(`${rel}: ${d.count} generated row(s) refused by the database, e.g. ${d.reason}`);
  for (const p of ex.world.relations) {
    if ((filled.get(p.relation.qualifiedName) ?? 0) === 0 && p.role === 'data') notes.push(`${p.relation.qualifiedName}: no world held a row of it`);
  }
  return notes;
}

function actorEntries(model: TenancyModel): ActorEntry[] {
  return model.actors.map((a) => ({ name: a.name, role: a.role, login: a.login ?? "(each tenant's own role)", as: a.as, expect: a.expect, context: a.kind }));
}

export type { CellStats } from './cells.js';
export type { WorldShape };
