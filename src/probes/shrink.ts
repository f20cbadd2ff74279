/**
 * Bounded shrinking. One representative failing cell per relation is shrunk
 * by fast-check from its first failing world (the replay `path` jumps
 * straight to it), running only that cell's checks; the relation's other
 * failing cells try the representative's minimal world once and keep it
 * when they fail there too, else their first counterexample. The budget is
 * a number of worlds for the whole run, so a run with many failures is not
 * slower per check than a clean one, and the same run always settles on the
 * same worlds (reports stay byte-stable).
 */
import fc from 'fast-check';
import type { ConnectionPool } from '@databases/pg';
import type { WorldShape } from '../world/build.js';
import type { CellAgg } from './cells.js';
import type { PlannedCheck } from './runner.js';
import { decodeWorld, installRunner, runWorld, type EngineContext, type WorldOutcome } from './world-run.js';

export interface Minimal {
  world: WorldOutcome;
  check: PlannedCheck;
  /** The subject slot it leaked in. */
  slot: number;
  note: string;
  /** fast-check's replay path of the counterexample. */
  path: string;
  shrunk: boolean;
}

function leakIn(ex: EngineContext, w: WorldOutcome, ids: readonly number[]): { check: PlannedCheck; slot: number; note: string } | null {
  const wanted = new Set(ids);
  const hit = decodeWorld(ex, w).results.find((r) => r.outcome === 'l' && wanted.has(r.check.id));
  return hit ? { check: hit.check, slot: hit.slot, note: hit.note ?? 'l|1|' } : null;
}

export async function shrinkFailures(db: ConnectionPool, ex: EngineContext, arbitrary: fc.Arbitrary<WorldShape>, failing: readonly CellAgg[], o: { seed: number; runs: number; budget: number }): Promise<Map<CellAgg, Minimal>> {
  const out = new Map<CellAgg, Minimal>();
  if (failing.length === 0) return out;
  const idsOf = (c: CellAgg) => ex.plan.cells.get(`${c.relation}|${c.actor}|${c.probe}`) ?? [];
  const byRelation = new Map<string, CellAgg[]>();
  for (const c of failing) byRelation.set(c.relation, [...(byRelation.get(c.relation) ?? []), c]);
  let left = o.budget;
  await db.task(async (conn) => {
    await installRunner(conn, ex);
    for (const cells of byRelation.values()) {
      if (left <= 0) break;
      const rep = cells[0]!;
      const ids = idsOf(rep);
      const mask = new Set(ids);
      let last: { world: WorldOutcome; leak: { check: PlannedCheck; slot: number; note: string } } | null = null;
      // An equal share of what is left, so that every relation gets some shrinking.
      const steps = Math.max(5, Math.floor(left / Math.max(1, byRelation.size - out.size)));
      let used = 0;
      const details = (await fc.check(
        fc.asyncProperty(arbitrary, async (shape) => {
          // Out of budget: every further candidate passes, and fast-check keeps the smallest failure found.
          if (used >= steps) return true;
          used++;
          const world = await runWorld(conn, ex, shape, mask);
          const leak = leakIn(ex, world, ids);
          if (leak) last = { world, leak };
          return !leak;
        }),
        { seed: o.seed, path: String(rep.firstLeak!.index), numRuns: o.runs, endOnFailure: false },
      )) as fc.RunDetails<[WorldShape]>;
      left -= used;
      const found = last as { world: WorldOutcome; leak: { check: PlannedCheck; slot: number; note: string } } | null;
      if (!details.failed || !found) continue;
      const path = details.counterexamplePath ?? String(rep.firstLeak!.index);
      out.set(rep, { world: found.world, ...found.leak, path, shrunk: true });
      // The relation's other failing cells: one world each, the representative's minimal one.
      for (const other of cells.slice(1)) {
        if (left <= 0) break;
        left--;
        const otherIds = idsOf(other);
        const world = await runWorld(conn, ex, found.world.shape, new Set(otherIds));
        const leak = leakIn(ex, world, otherIds);
        if (leak) out.set(other, { world, ...leak, path, shrunk: true });
      }
    }
  });
  return out;
}
