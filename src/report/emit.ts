/**
 * The end of a gate or check run: the policies beside the report, then every
 * format (or, for one shard of a sharded run, its partial report), and the
 * run file with what varies between runs (timings, notes).
 */
import path from 'node:path';
import type { IsolationResult } from '../engine/isolation.js';
import { locateObjects } from '../lint/locations.js';
import { reportContext } from './context.js';
import { writeFileAtomic, REPORT_FILE } from './json.js';
import { partialReport, shardFile, type Shard } from './merge.js';
import { jsonText, RUN_FILE, writeReports } from './write.js';

export interface EmitOptions {
  projectRoot: string;
  /** Absolute folder of the migrations (for the file and line of each relation). */
  migrationsDir: string;
  /** Absolute path of the config file. */
  configFile?: string | undefined;
  runs: number;
  shard?: Shard | undefined;
}

/** Writes the reports into `dir`; returns the JSON report's path (the partial one for a shard). */
export async function emitReports(dir: string, result: IsolationResult, o: EmitOptions): Promise<string> {
  const locations = await locateObjects(o.migrationsDir, result.catalog, { relativeTo: o.projectRoot });
  const configFile = o.configFile ? path.relative(o.projectRoot, o.configFile).split(path.sep).join('/') : undefined;
  const context = reportContext(result.catalog, result.report, { locations, configFile });
  const run = { seed: result.report.seed, runs: o.runs, ...(o.shard ? { shard: o.shard } : {}), timings: result.timings, notes: result.notes };
  if (o.shard) {
    const file = path.join(dir, shardFile(o.shard));
    writeFileAtomic(file, jsonText(partialReport(result, { shard: o.shard, runs: o.runs, context })));
    writeFileAtomic(file.replace(/\.json$/, '.run.json'), jsonText(run));
    return file;
  }
  writeReports(dir, result.report, context, run);
  return path.join(dir, REPORT_FILE);
}

export { RUN_FILE };
