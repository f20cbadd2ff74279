/**
 * `tenantproof report`: render the report formats from an existing JSON;
 * `--check`: regenerate the reports (the gate, into a temporary folder) and
 * compare them with the committed ones; `--merge`: join the partial reports
 * of a sharded gate into the whole run's reports.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { TenantproofError } from '../errors.js';
import type { IsolationReport } from '../findings/types.js';
import { POLICIES_FILE } from '../report/context.js';
import { diffReports, type ReportDiff } from '../report/diff.js';
import { HTML_FILE } from '../report/html.js';
import { REPORT_FILE, writeFileAtomic } from '../report/json.js';
import { JUNIT_FILE } from '../report/junit.js';
import { MARKDOWN_FILE } from '../report/markdown.js';
import { mergePartials, parsePartialReport } from '../report/merge.js';
import { SARIF_FILE } from '../report/sarif.js';
import { readContextBeside, readJson, readReport, renderReports, writeReports, type ReportFileName } from '../report/write.js';
import type { CommandContext } from './context.js';
import { gate, type GateOptions, type GateResult } from './gate.js';

// ---- render ----

export interface RenderOptions {
  /** The report JSON (default reports/isolation-report.json, from `cwd`). */
  from?: string | undefined;
  /** Where the formats go (default: beside the JSON). */
  reportDir?: string | undefined;
  cwd?: string | undefined;
}

/** Markdown, HTML, JUnit and SARIF from a report JSON (and the policies file beside it, when there is one). */
export function renderReport(o: RenderOptions = {}): { report: IsolationReport; files: string[]; withPolicies: boolean } {
  const cwd = o.cwd ?? process.cwd();
  const from = path.resolve(cwd, o.from ?? path.join('reports', REPORT_FILE));
  const json = readJson(from, 'report');
  if (json !== null && typeof json === 'object' && 'shard' in json) {
    throw new TenantproofError('report-partial', `${from} is the partial report of one shard`, 'merge the shards first: tenantproof report --merge a.json b.json');
  }
  const report = readReport(from);
  const context = readContextBeside(from);
  const dir = o.reportDir ? path.resolve(cwd, o.reportDir) : path.dirname(from);
  const files: string[] = [];
  for (const [name, content] of renderReports(report, context)) {
    if (name === REPORT_FILE || name === POLICIES_FILE) continue; // the inputs
    const file = path.join(dir, name);
    writeFileAtomic(file, content);
    files.push(file);
  }
  return { report, files, withPolicies: context !== undefined };
}

// ---- merge ----

export interface MergeOptions {
  files: string[];
  reportDir?: string | undefined;
  cwd?: string | undefined;
}

/** Joins the partial reports of every shard of one run and writes all formats. */
export function mergeReports(o: MergeOptions): { report: IsolationReport; files: string[] } {
  const cwd = o.cwd ?? process.cwd();
  const parts = o.files.map((f) => {
    const file = path.resolve(cwd, f);
    return parsePartialReport(readJson(file, 'partial report'), file);
  });
  const { report, context } = mergePartials(parts);
  const files = writeReports(path.resolve(cwd, o.reportDir ?? 'reports'), report, context);
  return { report, files };
}

// ---- check ----

/** Committed in the report folder and compared; JUnit and SARIF only when they are committed. */
const REQUIRED: ReportFileName[] = [REPORT_FILE, POLICIES_FILE, MARKDOWN_FILE, HTML_FILE];
const OPTIONAL: ReportFileName[] = [JUNIT_FILE, SARIF_FILE];

export interface FileCheck {
  name: ReportFileName;
  status: 'same' | 'changed' | 'missing' | 'not-committed';
  /** For files that changed: lines removed and added (against the committed file) and the first that differs. */
  lines?: { removed: number; added: number; first: number };
}

export interface ReportCheck {
  dir: string;
  files: FileCheck[];
  stale: boolean;
  /** What the committed JSON report says against the fresh one (when both parse). */
  diff: ReportDiff | null;
  gate: GateResult;
  passed: boolean;
}

/**
 * Runs the gate into a temporary folder and compares what it wrote with the
 * committed reports. Stale when any committed file differs or a required one
 * is missing. Passed when nothing is stale and the gate passed.
 */
export async function checkReports(ctx: CommandContext, o: GateOptions = {}): Promise<ReportCheck> {
  const dir = path.resolve(ctx.projectRoot, o.reportDir ?? 'reports');
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'tenantproof-report-check-'));
  try {
    const result = await gate(ctx, { ...o, reportDir: tmp, shard: undefined });
    const files: FileCheck[] = [];
    for (const name of [...REQUIRED, ...OPTIONAL]) {
      const committedFile = path.join(dir, name);
      const freshFile = path.join(tmp, name);
      if (!existsSync(freshFile)) continue;
      if (!existsSync(committedFile)) {
        files.push({ name, status: REQUIRED.includes(name) ? 'missing' : 'not-committed' });
        continue;
      }
      const committed = readFileSync(committedFile, 'utf8');
      const fresh = readFileSync(freshFile, 'utf8');
      files.push(committed === fresh ? { name, status: 'same' } : { name, status: 'changed', lines: lineDiff(committed, fresh) });
    }
    let diff: ReportDiff | null = null;
    const jsonCheck = files.find((f) => f.name === REPORT_FILE);
    if (jsonCheck?.status === 'changed') {
      try {
        diff = diffReports(readReport(path.join(dir, REPORT_FILE)), result.report);
      } catch {
        diff = null; // not a report any more: the file list says it changed
      }
    }
    const stale = files.some((f) => f.status === 'changed' || f.status === 'missing');
    return { dir, files, stale, diff, gate: { ...result, reportFile: path.join(dir, REPORT_FILE) }, passed: !stale && result.passed };
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

/** Lines only in the committed file, lines only in the fresh one (as multisets: moved lines do not count), and the first line that differs. */
function lineDiff(a: string, b: string): { removed: number; added: number; first: number } {
  const x = a.split('\n');
  const y = b.split('\n');
  const counts = new Map<string, number>();
  for (const l of x) counts.set(l, (counts.get(l) ?? 0) + 1);
  let added = 0;
  for (const l of y) {
    const n = counts.get(l) ?? 0;
    if (n > 0) counts.set(l, n - 1);
    else added++;
  }
  const removed = [...counts.values()].reduce((sum, n) => sum + n, 0);
  let first = 0;
  while (first < Math.max(x.length, y.length) && x[first] === y[first]) first++;
  return { removed, added, first: first + 1 };
}
