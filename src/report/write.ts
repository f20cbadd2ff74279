/**
 * Every report file at once, each written atomically (writeFileAtomic): the
 * JSON contract, the policies beside it, Markdown, HTML, JUnit and SARIF.
 * All of them are pure functions of the report (and the policies): the same
 * run gives the same bytes. What varies from run to run (timings, notes on
 * refused rows) goes to `isolation-report.run.json`, which git ignores.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { IsolationReport } from '../findings/types.js';
import { isolationReportSchema } from '../findings/types.js';
import { TenantproofError } from '../errors.js';
import { parseReportContext, POLICIES_FILE, type ReportContext } from './context.js';
import { HTML_FILE, renderHtml } from './html.js';
import { REPORT_FILE, writeFileAtomic } from './json.js';
import { JUNIT_FILE, renderJunit } from './junit.js';
import { MARKDOWN_FILE, renderMarkdown } from './markdown.js';
import { renderSarif, SARIF_FILE } from './sarif.js';

export const RUN_FILE = 'isolation-report.run.json';

/** The committed report files, in the order they are written (the JSON last: it is what the others are rendered from). */
export const REPORT_FILES = [POLICIES_FILE, MARKDOWN_FILE, HTML_FILE, JUNIT_FILE, SARIF_FILE, REPORT_FILE] as const;
export type ReportFileName = (typeof REPORT_FILES)[number];

export const jsonText = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;

/** Every report file's content, by file name. Without a context there is no policies file. */
export function renderReports(report: IsolationReport, context?: ReportContext): Map<ReportFileName, string> {
  const out = new Map<ReportFileName, string>();
  if (context) out.set(POLICIES_FILE, jsonText(context));
  out.set(MARKDOWN_FILE, renderMarkdown(report, context));
  out.set(HTML_FILE, renderHtml(report, context));
  out.set(JUNIT_FILE, renderJunit(report, context));
  out.set(SARIF_FILE, renderSarif(report, context));
  out.set(REPORT_FILE, jsonText(report));
  return out;
}

export interface RunInfo {
  seed: number | null;
  timings: Record<string, number>;
  notes: string[];
  [key: string]: unknown;
}

/** Writes every format into `dir` (and the run file when given); returns the paths written. */
export function writeReports(dir: string, report: IsolationReport, context?: ReportContext, run?: RunInfo): string[] {
  const written: string[] = [];
  for (const [name, content] of renderReports(report, context)) {
    const file = path.join(dir, name);
    writeFileAtomic(file, content);
    written.push(file);
  }
  if (run) writeFileAtomic(path.join(dir, RUN_FILE), jsonText(run));
  return written;
}

/** A report JSON file, validated against the contract; a clear error when it is missing or malformed. */
export function readReport(file: string): IsolationReport {
  const json = readJson(file, 'report');
  const parsed = isolationReportSchema.safeParse(json);
  if (!parsed.success) {
    throw new TenantproofError('report-invalid', `${file} is not an isolation report: ${parsed.error.issues.slice(0, 3).map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`, 'pass the isolation-report.json a gate or check run wrote');
  }
  return parsed.data;
}

/** The policies file beside a report, when there is one. */
export function readContextBeside(reportFile: string): ReportContext | undefined {
  const file = path.join(path.dirname(reportFile), POLICIES_FILE);
  if (!existsSync(file)) return undefined;
  try {
    return parseReportContext(readJson(file, 'policies'));
  } catch (e) {
    if (e instanceof TenantproofError) throw e;
    throw new TenantproofError('report-invalid', `${file} is not a tenantproof policies file: ${(e as Error).message.split('\n')[0]}`, 'regenerate it with the gate, or remove it');
  }
}

export function readJson(file: string, what: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new TenantproofError('report-missing', `cannot read the ${what} file ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, 'run the gate first (npm run gate), or name an existing file');
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    throw new TenantproofError('report-invalid', `${file} is not JSON: ${(e as Error).message}`, 'regenerate it with the gate');
  }
}
