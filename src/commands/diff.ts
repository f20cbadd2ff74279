/**
 * `tenantproof diff BASE.json HEAD.json`: what a change did to isolation, as
 * Markdown for a pull-request comment. Fails (exit 1) when HEAD adds an
 * error finding.
 */
import path from 'node:path';
import { diffReports, renderDiffMarkdown, type ReportDiff } from '../report/diff.js';
import { writeFileAtomic } from '../report/json.js';
import { readReport } from '../report/write.js';

export interface DiffOptions {
  base: string;
  head: string;
  /** Also write the Markdown to this file (atomically). */
  output?: string | undefined;
  cwd?: string | undefined;
}

export interface DiffResult {
  diff: ReportDiff;
  markdown: string;
  /** False when HEAD adds error findings. */
  passed: boolean;
}

export function diff(o: DiffOptions): DiffResult {
  const cwd = o.cwd ?? process.cwd();
  const base = readReport(path.resolve(cwd, o.base));
  const head = readReport(path.resolve(cwd, o.head));
  const d = diffReports(base, head);
  const markdown = renderDiffMarkdown(d, { baseName: o.base, headName: o.head });
  if (o.output) writeFileAtomic(path.resolve(cwd, o.output), markdown);
  return { diff: d, markdown, passed: !d.addsErrors };
}
