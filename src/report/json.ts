/**
 * The isolation report as JSON: the contract other tools read. Deterministic
 * (stable order, no timestamps) and written atomically: a reader never sees a
 * half-written file, and an interrupted run leaves the previous report intact.
 */
import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { assignCauses, type CauseFacts } from '../findings/causes.js';
import { verdictOf } from '../findings/findings.js';
import type { Coverage, Finding, IsolationReport, MatrixCell } from '../findings/types.js';
import { TOOL_VERSION } from '../version.js';

export const REPORT_FILE = 'isolation-report.json';

export interface ReportParts extends Pick<IsolationReport, 'seed' | 'connectedAs' | 'actors' | 'notes' | 'replay'> {
  findings: Finding[];
  matrix: MatrixCell[];
  coverage: Coverage;
  /** The catalog facts the root causes need (cause-facts.ts); without them the grouping is coarser. */
  causeFacts?: CauseFacts | undefined;
}

/**
 * The report: findings sorted, each with its root cause, the verdict. Notes are sorted and
 * deduplicated (they describe the schema and the run, not an order of discovery), so that the
 * merge of a sharded run gives the same bytes.
 */
export function buildReport(parts: ReportParts): IsolationReport {
  const { findings, causes } = assignCauses(parts.findings, parts.causeFacts);
  const notes = parts.notes === undefined ? undefined : [...new Set(parts.notes)].sort();
  return {
    tool: 'tenantproof',
    version: TOOL_VERSION,
    seed: parts.seed,
    verdict: verdictOf(findings),
    findings,
    matrix: parts.matrix,
    coverage: inSchemaOrder(parts.coverage),
    causes,
    ...(parts.connectedAs !== undefined ? { connectedAs: parts.connectedAs } : {}),
    ...(parts.actors !== undefined ? { actors: parts.actors } : {}),
    ...(notes !== undefined ? { notes } : {}),
    ...(parts.replay !== undefined ? { replay: parts.replay } : {}),
  };
}

/** Coverage keys in the contract's order, whoever built it: the merge of a sharded run gives the same bytes. */
function inSchemaOrder(c: Coverage): Coverage {
  const { relations, actors, worlds, rows, checks, held, leaked, inconclusive, notProven } = c;
  return {
    relations,
    actors,
    worlds,
    rows,
    checks,
    ...(held !== undefined ? { held } : {}),
    ...(leaked !== undefined ? { leaked } : {}),
    ...(inconclusive !== undefined ? { inconclusive } : {}),
    ...(notProven !== undefined ? { notProven } : {}),
  };
}

/** Writes `content` to `file` through a temporary file in the same folder and a rename. */
export function writeFileAtomic(file: string, content: string | Uint8Array): void {
  mkdirSync(path.dirname(file), { recursive: true });
  const tmp = path.join(path.dirname(file), `.tmp-${path.basename(file)}-${process.pid}`);
  try {
    writeFileSync(tmp, content);
    renameSync(tmp, file);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
}

export function writeJsonReport(dir: string, report: IsolationReport): string {
  const file = path.join(dir, REPORT_FILE);
  writeFileAtomic(file, `${JSON.stringify(report, null, 2)}\n`);
  return file;
}
