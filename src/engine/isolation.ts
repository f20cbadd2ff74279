/**
 * The isolation check, end to end on one database:
 * config -> catalog -> lint / probes -> findings -> report.
 */
import type { ConnectionPool } from '@databases/pg';
import { introspect } from '../catalog/introspect.js';
import { catalogOptions } from '../catalog/options.js';
import type { Catalog } from '../catalog/types.js';
import type { ResolvedConfig } from '../config/schema.js';
import { causeFactsOf } from '../findings/cause-facts.js';
import type { CauseFacts } from '../findings/causes.js';
import { findingId } from '../findings/findings.js';
import type { Coverage, Finding, IsolationReport, MatrixCell } from '../findings/types.js';
import { lint } from '../lint/lint.js';
import { locateObjects } from '../lint/locations.js';
import { runProbes, type CellStats, type ProbeOptions, type ProbeProgress } from '../probes/engine.js';
import { buildReport } from '../report/json.js';

export interface IsolationOptions {
  lint?: boolean;
  probes?: boolean;
  runs?: number;
  seed?: number;
  /** Folder of the migrations, for the file and line of lint findings. */
  migrationsDir?: string;
  /** Paths in findings are relative to this folder. */
  projectRoot?: string;
  onProgress?: (p: ProbeProgress | { phase: 'catalog' | 'lint' }) => void;
  signal?: AbortSignal;
  /** Probe only this shard's worlds (see ProbeOptions.shard). */
  shard?: ProbeOptions['shard'];
}

export interface IsolationResult {
  report: IsolationReport;
  catalog: Catalog;
  /** What was not probed and why (refused rows, unresolved columns). */
  notes: string[];
  timings: Record<string, number>;
  /** The probes' per-cell counts (empty without probes): what shards are merged from. */
  cells: CellStats[];
  /** The catalog facts the report's root causes were computed from (a merge recomputes them). */
  causeFacts: CauseFacts;
}

export async function checkIsolation(db: ConnectionPool, config: ResolvedConfig, o: IsolationOptions = {}): Promise<IsolationResult> {
  const timings: Record<string, number> = {};
  const time = async <T>(name: string, fn: () => Promise<T>): Promise<T> => {
    const t0 = performance.now();
    try {
      return await fn();
    } finally {
      timings[name] = Math.round(performance.now() - t0);
    }
  };
  o.onProgress?.({ phase: 'catalog' });
  const catalog = await time('catalog', () => introspect(db, catalogOptions(config)));

  const findings: Finding[] = [];
  if (o.lint !== false) {
    o.onProgress?.({ phase: 'lint' });
    await time('lint', async () => {
      const locations = o.migrationsDir ? await locateObjects(o.migrationsDir, catalog, o.projectRoot ? { relativeTo: o.projectRoot } : {}) : undefined;
      findings.push(...lint(catalog, config, locations ? { locations } : {}));
    });
  }

  let matrix: MatrixCell[] = [];
  let coverage: Coverage = { relations: catalog.relations.filter((r) => r.tenancy).length, actors: config.actors.length, worlds: 0, rows: 0, checks: 0 };
  const notes: string[] = [];
  let cells: CellStats[] = [];
  const seed = o.seed ?? config.probes.seed ?? Math.floor(Math.random() * 2 ** 31);
  if (o.probes !== false) {
    const run = await time('probes', () =>
      runProbes(db, catalog, config, {
        runs: o.runs ?? config.probes.runs,
        seed,
        ...(o.onProgress ? { onProgress: o.onProgress } : {}),
        ...(o.signal ? { signal: o.signal } : {}),
        ...(o.shard ? { shard: o.shard } : {}),
      }),
    );
    findings.push(...run.findings);
    matrix = run.matrix;
    coverage = run.coverage;
    notes.push(...run.notes);
    cells = run.cells;
    findings.push(...vacuity(catalog.relations, run.matrix, run.coverage));
  }
  const causeFacts = causeFactsOf(catalog, config.actors);
  return { report: buildReport({ seed: o.probes === false ? null : seed, findings, matrix, coverage, causeFacts }), catalog, notes, timings, cells, causeFacts };
}

/**
 * A run that probed nothing proves nothing: it fails the gate. A tenant
 * relation whose reads never ran for an actor is a warning a reviewer sees.
 */
export function vacuity(relations: ReadonlyArray<Pick<Catalog['relations'][number], 'qualifiedName' | 'tenancy' | 'extension'>>, matrix: MatrixCell[], coverage: Coverage): Finding[] {
  const out: Finding[] = [];
  if (coverage.checks === 0 || coverage.rows === 0 || coverage.worlds === 0) {
    out.push({
      id: findingId('coverage-vacuous', { relation: null }, null),
      rule: 'coverage-vacuous',
      severity: 'error',
      relation: null,
      actor: null,
      message: `the probes proved nothing: ${coverage.worlds} worlds, ${coverage.rows} rows, ${coverage.checks} checks`,
      fix: 'check the config (tenant table, actors) and the notes on refused rows; set probes.columns for columns no value could be found for',
    reproduction: null,
    });
  }
  const readable = new Set(matrix.filter((m) => m.probe === 'read' && m.status !== 'skipped').map((m) => m.relation));
  for (const r of relations) {
    if (!r.tenancy || r.extension || readable.has(r.qualifiedName)) continue;
    const reason = matrix.find((m) => m.relation === r.qualifiedName && m.probe === 'read')?.reason ?? 'no read check ran';
    out.push({
      id: findingId('coverage-relation-unprobed', { relation: r.qualifiedName }, null),
      rule: 'coverage-relation-unprobed',
      severity: 'warning',
      relation: r.qualifiedName,
      actor: null,
      message: `${r.qualifiedName} is tenant data but no read check could judge it (${reason})`,
      fix: 'make sure the world can fill it (probes.columns for its columns) and that views over it expose the tenant column',
      reproduction: null,
    });
  }
  return out;
}
