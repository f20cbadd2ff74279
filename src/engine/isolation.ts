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
  /** How replays tell the reader to rerun: `gate` on this project (default) or `check` on a database. */
  replayCommand?: 'gate' | 'check';
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
  let entries: Pick<IsolationReport, 'actors' | 'connectedAs'> = {};
  const seed = o.seed ?? config.probes.seed ?? Math.floor(Math.random() * 2 ** 31);
  if (o.probes !== false) {
    const run = await time('probes', () =>
      runProbes(db, catalog, config, {
        runs: o.runs ?? config.probes.runs,
        seed,
        ...(o.onProgress ? { onProgress: o.onProgress } : {}),
        ...(o.signal ? { signal: o.signal } : {}),
        ...(o.shard ? { shard: o.shard } : {}),
        ...(o.replayCommand ? { replayCommand: o.replayCommand } : {}),
      }),
    );
    timings.shrinking = run.timings.shrinking;
    findings.push(...run.findings);
    matrix = run.matrix;
    coverage = run.coverage;
    notes.push(...run.notes);
    cells = run.cells;
    entries = { actors: run.actors, connectedAs: run.connectedAs };
  }
  const causeFacts = causeFactsOf(catalog, config.actors);
  const report = buildReport({
    seed: o.probes === false ? null : seed,
    findings,
    matrix,
    coverage,
    causeFacts,
    ...entries,
    notes,
    replay: { command: o.replayCommand ?? 'gate', seed: o.probes === false ? null : seed },
  });
  return { report, catalog, notes, timings, cells, causeFacts };
}
