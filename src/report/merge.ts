/**
 * Sharded gates and their merge. `gate --shard i/n` probes the worlds whose
 * index is i-1 mod n (every shard samples the same worlds from the same seed)
 * and writes a partial report: the usual report of its worlds plus what a
 * merge needs to rebuild the whole run exactly, namely each cell's counts
 * and the world index of its first failure. `report --merge` joins the
 * partials into the report one unsharded run with the same seed writes:
 * checks (held, leaked, inconclusive) summed, statuses combined (a cell is
 * not proven only when no shard saw a check hold), each failing cell's
 * finding taken from the shard that saw its first failure (the counts in its
 * message summed), coverage findings recomputed on the whole, the rest
 * deduplicated, notes joined, and the root causes recomputed on the whole
 * run's findings from the catalog facts the shards carry.
 *
 * Limit: a run shrinks at most 25 failing cells (the rest keep their first
 * failing world); with more failing cells than that, a shard may shrink a
 * cell the whole run would not have, and the merged counterexample differs.
 */
import { z } from 'zod';
import type { TenantScope } from '../catalog/types.js';
import type { IsolationResult } from '../engine/isolation.js';
import { TenantproofError } from '../errors.js';
import { causeFactsSchema } from '../findings/cause-facts.js';
import { findingId } from '../findings/findings.js';
import { isolationReportSchema, type Finding, type IsolationReport } from '../findings/types.js';
import { compareCells, matrixCellOf, type CellStats } from '../probes/cells.js';
import { coverageFindings, overRestrictionFinding } from '../probes/findings.js';
import { cellKey } from '../probes/plan.js';
import { reportContextSchema, type ReportContext } from './context.js';
import { buildReport } from './json.js';
import { mergeNotes, mergeUnfilled } from './merge-coverage.js';

export interface Shard {
  /** 1-based. */
  index: number;
  count: number;
}

/** `1/2` -> { index: 1, count: 2 }; null when malformed. */
export function parseShard(text: string): Shard | null {
  const m = /^(\d+)\/(\d+)$/.exec(text.trim());
  if (!m) return null;
  const index = Number(m[1]);
  const count = Number(m[2]);
  return count >= 1 && index >= 1 && index <= count ? { index, count } : null;
}

export const shardFile = (s: Shard) => `isolation-report.shard-${s.index}-of-${s.count}.json`;

const cellStatsSchema = z.object({
  relation: z.string(),
  actor: z.string(),
  probe: z.string(),
  held: z.number().int().nonnegative(),
  leaked: z.number().int().nonnegative(),
  inconclusive: z.array(z.tuple([z.string(), z.number().int().nonnegative()])),
  firstFailure: z.object({ index: z.number().int().nonnegative(), detail: z.string().nullable() }).nullable(),
  overRestricted: z.number().int().nonnegative(),
  overExample: z.object({ index: z.number().int().nonnegative(), example: z.string() }).nullable(),
});

const shardSchema = z.object({
  index: z.number().int().positive(),
  count: z.number().int().positive(),
  /** Worlds of the whole run (this shard probed about runs / count of them). */
  runs: z.number().int().positive(),
  /** Tenant relations (not owned by an extension) and how each is scoped: the coverage findings are recomputed from them. */
  tenantRelations: z.array(z.object({ qualifiedName: z.string(), tenancy: z.custom<TenantScope>((v) => v !== null && typeof v === 'object') })),
  /** Tenant relations that are partitions (probed directly as well as through their parent): the coverage findings treat them apart. */
  partitions: z.array(z.string()).optional(),
  cells: z.array(cellStatsSchema),
  context: reportContextSchema.optional(),
  /** The catalog facts the root causes need: the merge recomputes the causes of the whole run. */
  causeFacts: causeFactsSchema.optional(),
});

export const partialReportSchema = isolationReportSchema.extend({ shard: shardSchema });
export type PartialReport = z.infer<typeof partialReportSchema>;

export function partialReport(result: IsolationResult, o: { shard: Shard; runs: number; context?: ReportContext | undefined }): PartialReport {
  return {
    ...result.report,
    shard: {
      index: o.shard.index,
      count: o.shard.count,
      runs: o.runs,
      tenantRelations: result.catalog.relations.filter((r) => r.tenancy && !r.extension).map((r) => ({ qualifiedName: r.qualifiedName, tenancy: r.tenancy! })),
      partitions: result.catalog.relations.filter((r) => r.tenancy && !r.extension && r.partitionOf !== null).map((r) => r.qualifiedName),
      cells: result.cells,
      ...(o.context ? { context: o.context } : {}),
      causeFacts: result.causeFacts,
    },
  };
}

export function parsePartialReport(json: unknown, file: string): PartialReport {
  const parsed = partialReportSchema.safeParse(json);
  if (!parsed.success) {
    const isFull = isolationReportSchema.safeParse(json).success;
    throw new TenantproofError(
      'merge-not-partial',
      `${file} is not a partial report of a sharded gate${isFull ? ' (it is a whole report)' : `: ${parsed.error.issues.slice(0, 2).map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`}`,
      'merge the files `tenantproof gate --shard i/n` writes (isolation-report.shard-i-of-n.json)',
    );
  }
  return parsed.data;
}

const VACUITY_RULES = new Set(['coverage-vacuous', 'coverage-relation-unprobed', 'coverage-relation-not-proven', 'coverage-unfilled']);
// The engine's matrix order (relation, actor, probe order): the merged matrix is the whole run's.
const byCell = (a: CellStats, b: CellStats) => compareCells(a, b);
const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** The whole run's report (and policies) from the partial reports of every shard. */
export function mergePartials(parts: PartialReport[]): { report: IsolationReport; context: ReportContext | undefined } {
  if (parts.length === 0) throw new TenantproofError('merge-empty', 'nothing to merge', 'name the partial reports: tenantproof report --merge a.json b.json');
  const first = parts[0]!;
  const n = first.shard.count;
  for (const p of parts) {
    const mismatch =
      p.shard.count !== n ? `shard count ${p.shard.count} and ${n}` : p.seed !== first.seed ? `seed ${p.seed} and ${first.seed}` : p.shard.runs !== first.shard.runs ? `runs ${p.shard.runs} and ${first.shard.runs}` : p.version !== first.version ? `tenantproof ${p.version} and ${first.version}` : null;
    if (mismatch) throw new TenantproofError('merge-mismatch', `the partial reports come from different runs (${mismatch})`, 'merge the shards of one run: the same --seed, --runs and shard count');
  }
  const seen = new Map<number, PartialReport>();
  for (const p of parts) {
    if (seen.has(p.shard.index)) throw new TenantproofError('merge-duplicate', `shard ${p.shard.index}/${n} is given twice`, 'give each shard once');
    seen.set(p.shard.index, p);
  }
  const missing = Array.from({ length: n }, (_, i) => i + 1).filter((i) => !seen.has(i));
  if (missing.length > 0) throw new TenantproofError('merge-incomplete', `shard${missing.length === 1 ? '' : 's'} ${missing.map((i) => `${i}/${n}`).join(', ')} missing`, `merge all ${n} shards of the run`);
  const shards = [...seen.values()].sort((a, b) => a.shard.index - b.shard.index);

  // Cells: counts summed; the first failure and the over-restriction example of the lowest world index.
  const cells = new Map<string, { stats: CellStats; failShard: PartialReport | null; failIndex: number }>();
  for (const p of shards) {
    for (const c of p.shard.cells) {
      const key = cellKey(c.relation, c.actor, c.probe);
      const prev = cells.get(key);
      if (!prev) {
        cells.set(key, { stats: { ...c, inconclusive: [...c.inconclusive] }, failShard: c.firstFailure ? p : null, failIndex: c.firstFailure?.index ?? Infinity });
        continue;
      }
      const s = prev.stats;
      const inconclusive = new Map(s.inconclusive);
      for (const [detail, count] of c.inconclusive) inconclusive.set(detail, (inconclusive.get(detail) ?? 0) + count);
      const earlierFailure = c.firstFailure !== null && c.firstFailure.index < prev.failIndex;
      const earlierOver = c.overExample !== null && (s.overExample === null || c.overExample.index < s.overExample.index);
      prev.stats = {
        ...s,
        held: s.held + c.held,
        leaked: s.leaked + c.leaked,
        inconclusive: [...inconclusive.entries()].sort((a, b) => cmp(a[0], b[0])),
        firstFailure: earlierFailure ? c.firstFailure : s.firstFailure,
        overRestricted: s.overRestricted + c.overRestricted,
        overExample: earlierOver ? c.overExample : s.overExample,
      };
      if (earlierFailure) {
        prev.failShard = p;
        prev.failIndex = c.firstFailure!.index;
      }
    }
  }
  const merged = [...cells.values()].sort((a, b) => byCell(a.stats, b.stats));
  const matrix = merged.map((c) => matrixCellOf(c.stats));

  // Findings of a failing cell: the shard that saw the first failure wrote the whole run's finding, but with its own counts.
  const cellFindingIds = new Set<string>();
  const findings: Finding[] = [];
  for (const { stats, failShard } of merged) {
    if (stats.leaked === 0 || !failShard) continue;
    const id = findingId(`probe-${stats.probe}`, { relation: stats.relation }, stats.actor);
    cellFindingIds.add(id);
    const f = failShard.findings.find((x) => x.id === id);
    const own = failShard.shard.cells.find((x) => x.relation === stats.relation && x.actor === stats.actor && x.probe === stats.probe)!;
    if (!f) throw new TenantproofError('merge-unsupported', `shard ${failShard.shard.index} saw ${id} fail but reports no finding for it`, 'regenerate the partial reports with this version of tenantproof');
    findings.push({ ...f, message: recount(f.message, own, stats, id) });
  }
  for (const c of merged) {
    const f = overRestrictionFinding(c.stats);
    if (f) findings.push(f);
  }
  // Probe findings of failing cells seen only in some shards are accounted for above; everything else must agree.
  // Causes are recomputed on the whole run below: a shard's are of its own findings.
  const rest = (p: PartialReport) =>
    p.findings.filter((f) => !VACUITY_RULES.has(f.rule) && f.rule !== 'probe-over-restriction' && !cellFindingIds.has(f.id) && !isCellFinding(p, f)).map(({ cause: _c, ...f }) => f);
  const common = rest(shards[0]!);
  for (const p of shards.slice(1)) {
    if (JSON.stringify(rest(p)) !== JSON.stringify(common)) {
      throw new TenantproofError('merge-mismatch', `shard ${p.shard.index} and shard 1 report different static findings: they did not check the same schema and config`, 'run every shard on the same commit');
    }
  }
  findings.push(...common);

  const contexts = shards.map((p) => JSON.stringify(p.shard.context ?? null));
  if (contexts.some((c) => c !== contexts[0])) throw new TenantproofError('merge-mismatch', 'the shards saw different policies: they did not check the same schema', 'run every shard on the same commit');

  const coverage = {
    relations: new Set(matrix.map((m) => m.relation)).size,
    actors: new Set(matrix.map((m) => m.actor)).size,
    worlds: shards.reduce((n, p) => n + p.coverage.worlds, 0),
    rows: shards.reduce((n, p) => n + p.coverage.rows, 0),
    checks: shards.reduce((n, p) => n + p.coverage.checks, 0),
    held: matrix.reduce((n, m) => n + (m.held ?? 0), 0),
    leaked: matrix.reduce((n, m) => n + (m.leaked ?? 0), 0),
    inconclusive: matrix.reduce((n, m) => n + (m.inconclusive ?? 0), 0),
    notProven: matrix.filter((m) => m.status === 'not-proven').length,
  };
  findings.push(...coverageFindings({ relations: first.shard.tenantRelations.map((r) => r.qualifiedName), unfillable: [], neverFilled: [], partitions: first.shard.partitions ?? [] }, matrix, coverage));
  if (!findings.some((f) => f.rule === 'coverage-vacuous')) findings.push(...mergeUnfilled(shards.map((p) => p.findings.filter((f) => f.rule === 'coverage-unfilled'))));
  const report = buildReport({
    seed: first.seed,
    findings,
    matrix,
    coverage,
    causeFacts: first.shard.causeFacts,
    connectedAs: first.connectedAs,
    actors: first.actors,
    notes: shards.some((p) => p.notes !== undefined) ? mergeNotes(shards.map((p) => p.notes ?? [])) : undefined,
    replay: first.replay,
  });
  return { report, context: first.shard.context };
}

/** A probe finding of a cell that failed in this shard (its id is the cell's). */
function isCellFinding(p: PartialReport, f: Finding): boolean {
  return p.shard.cells.some((c) => c.leaked > 0 && findingId(`probe-${c.probe}`, { relation: c.relation }, c.actor) === f.id);
}

/** The shard's "in F of T checks" becomes the whole run's. */
function recount(message: string, own: CellStats, all: CellStats, id: string): string {
  const from = `(in ${own.leaked} of ${own.held + own.leaked} checks;`;
  const to = `(in ${all.leaked} of ${all.held + all.leaked} checks;`;
  if (!message.includes(from)) {
    throw new TenantproofError('merge-unsupported', `cannot merge the finding ${id}: its message does not carry its counts as expected ("${from}")`, 'run the gate unsharded, or update tenantproof');
  }
  return message.replace(from, to);
}
