import type { GateResult } from '../commands/gate.js';
import { countBySeverity } from '../findings/findings.js';
import type { Finding } from '../findings/types.js';
import type { Output } from './output.js';

/** The human summary of a gate or check run (stdout); --json prints the report instead. */
export function printResult(r: GateResult, out: Output): void {
  if (out.json) {
    out.result(JSON.stringify(r.report, null, 2));
    return;
  }
  const { c } = out;
  const { report } = r;
  const counts = countBySeverity(report.findings);
  const errors = report.findings.filter((f) => f.severity === 'error');
  const shown = out.quiet ? errors : report.findings.filter((f) => f.severity !== 'info');
  const byId = new Map(shown.map((f) => [f.id, f]));
  const printed = new Set<string>();
  const finding = (f: Finding, full: boolean) => {
    const tag = f.severity === 'error' ? c.red('error') : c.yellow('warning');
    out.result(`${tag} ${c.bold(f.rule)}${f.relation ? ` ${f.relation}` : ''}${f.actor ? ` [${f.actor}]` : ''}`);
    if (full) out.result(`  ${f.message}`);
    if (f.location) out.result(`  ${c.dim('at')} ${f.location.file}:${f.location.line}`);
    if (full) out.result(`  ${c.dim('fix:')} ${f.fix}`);
  };
  // One root cause at a time, the findings it explains under it: the first in full, the rest a line each.
  for (const cause of report.causes ?? []) {
    const mine = cause.findings.map((id) => byId.get(id)).filter((f): f is Finding => f !== undefined);
    if (mine.length === 0) continue;
    if (mine.length > 1) out.result(`${c.bold('cause:')} ${cause.title} (${mine.length} findings)`);
    mine.forEach((f, i) => {
      finding(f, i === 0);
      printed.add(f.id);
    });
  }
  for (const f of shown) if (!printed.has(f.id)) finding(f, true);
  if (!out.quiet && r.notes.length > 0) {
    out.result(c.dim('\nnot probed or partly probed:'));
    for (const n of r.notes) out.result(c.dim(`  ${n}`));
  }
  const cov = report.coverage;
  out.result(
    `\n${report.verdict === 'pass' ? c.green('PASS') : c.red('FAIL')}  ${counts.error} errors, ${counts.warning} warnings, ${counts.info} info` +
      `  |  ${cov.relations} relations x ${cov.actors} actors, ${cov.worlds} worlds, ${cov.rows} rows, ${cov.checks} checks` +
      (cov.inconclusive !== undefined ? ` held or leaked (${cov.inconclusive} inconclusive${cov.notProven ? `, ${cov.notProven} cells not proven` : ''})` : '') +
      (report.seed !== null ? `  |  seed ${report.seed}` : ''),
  );
  out.result(c.dim(`report: ${r.reportFile}`));
}
