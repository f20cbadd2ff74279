/**
 * The isolation report as JSON: the contract other tools read. Deterministic
 * (stable order, no timestamps) and written atomically: a reader never sees a
 * half-written file, and an interrupted run leaves the previous report intact.
 */
import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { sortFindings, verdictOf } from '../findings/findings.js';
import type { Coverage, Finding, IsolationReport, MatrixCell } from '../findings/types.js';
import { TOOL_VERSION } from '../version.js';

export const REPORT_FILE = 'isolation-report.json';

export function buildReport(parts: { seed: number | null; findings: Finding[]; matrix: MatrixCell[]; coverage: Coverage }): IsolationReport {
  const findings = sortFindings(parts.findings);
  return { tool: 'tenantproof', version: TOOL_VERSION, seed: parts.seed, verdict: verdictOf(findings), findings, matrix: parts.matrix, coverage: parts.coverage };
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
