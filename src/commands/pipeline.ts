/**
 * The two pipelines every command shares. Static: catalog -> where each
 * object was created -> lint (gate, check, watch, init). Isolation: the
 * engine (catalog, lint, probes) -> the reports (gate, check).
 */
import type { ConnectionPool } from '@databases/pg';
import type { Catalog } from '../catalog/types.js';
import type { ResolvedConfig } from '../config/schema.js';
import { checkIsolation, type IsolationOptions, type IsolationResult } from '../engine/isolation.js';
import type { Finding } from '../findings/types.js';
import { lint } from '../lint/lint.js';
import { locateObjects, type ObjectLocations } from '../lint/locations.js';
import type { MigrationSource } from '../migrate/source.js';
import { emitReports } from '../report/emit.js';
import type { Shard } from '../report/merge.js';

export interface Where {
  projectRoot: string;
  /** The migration source: its files are where findings point. */
  source: MigrationSource;
}

/** Where the source's migrations created each object (none without migration files). */
export function locate(catalog: Catalog, w: Where): Promise<ObjectLocations> {
  return w.source.dir ? locateObjects(w.source.dir, catalog, { relativeTo: w.projectRoot }) : Promise.resolve(new Map());
}

/** The static pipeline after introspection: locate, then lint. */
export async function staticFindings(catalog: Catalog, config: ResolvedConfig, w: Where): Promise<Finding[]> {
  return lint(catalog, config, { locations: await locate(catalog, w) });
}

export interface IsolationRunOptions {
  runs?: number | undefined;
  seed?: number | undefined;
  reportDir: string;
  lint?: boolean | undefined;
  probes?: boolean | undefined;
  onProgress?: IsolationOptions['onProgress'];
  signal?: AbortSignal | undefined;
  shard?: Shard | undefined;
  /** How replays tell the reader to rerun (default: gate). */
  replayCommand?: 'gate' | 'check' | undefined;
}

export interface IsolationRun extends IsolationResult {
  reportFile: string;
  passed: boolean;
}

/** The isolation pipeline on one database: the engine, then every report format into `o.reportDir`. */
export async function runIsolation(db: ConnectionPool, config: ResolvedConfig, configFile: string, w: Where, o: IsolationRunOptions): Promise<IsolationRun> {
  const migrationsDir = w.source.dir ?? undefined;
  const result = await checkIsolation(db, config, {
    lint: o.lint,
    probes: o.probes,
    ...(o.runs !== undefined ? { runs: o.runs } : {}),
    ...(o.seed !== undefined ? { seed: o.seed } : {}),
    ...(migrationsDir ? { migrationsDir } : {}),
    projectRoot: w.projectRoot,
    ...(o.onProgress ? { onProgress: o.onProgress } : {}),
    ...(o.signal ? { signal: o.signal } : {}),
    ...(o.shard ? { shard: o.shard } : {}),
    ...(o.replayCommand ? { replayCommand: o.replayCommand } : {}),
  });
  const reportFile = await emitReports(o.reportDir, result, {
    projectRoot: w.projectRoot,
    // No migrations (none): a folder that holds none, so nothing is located.
    migrationsDir: migrationsDir ?? w.projectRoot + '/.tenantproof-no-migrations',
    configFile,
    runs: o.runs ?? config.probes.runs,
    shard: o.shard,
  });
  return { ...result, reportFile, passed: result.report.verdict === 'pass' };
}
