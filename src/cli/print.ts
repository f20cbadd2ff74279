import pc from 'picocolors';
import type { GateResult } from '../commands/gate.js';
import { countBySeverity } from '../findings/findings.js';

/** The human summary of a gate or check run (stdout); --json prints the report instead. */
export function printResult(r: GateResult, o: { json: boolean; quiet: boolean }): void {
  if (o.json) {
    console.log(JSON.stringify(r.report, null, 2));
    return;
  }
  const { report } = r;
  const counts = countBySeverity(report.findings);
  const errors = report.findings.filter((f) => f.severity === 'error');
  const shown = o.quiet ? errors : report.findings.filter((f) => f.severity !== 'info');
  for (const f of shown) {
    const tag = f.severity === 'error' ? pc.red('error') : pc.yellow('warning');
    console.log(`${tag} ${pc.bold(f.rule)}${f.relation ? ` ${f.relation}` : ''}${f.actor ? ` [${f.actor}]` : ''}`);
    console.log(`  ${f.message}`);
    console.log(`  ${pc.dim('fix:')} ${f.fix}`);
  }
  if (!o.quiet && r.notes.length > 0) {
    console.log(pc.dim('\nnot probed or partly probed:'));
    for (const n of r.notes) console.log(pc.dim(`  ${n}`));
  }
  const c = report.coverage;
  console.log(
    `\n${report.verdict === 'pass' ? pc.green('PASS') : pc.red('FAIL')}  ${counts.error} errors, ${counts.warning} warnings, ${counts.info} info` +
      `  |  ${c.relations} relations x ${c.actors} actors, ${c.worlds} worlds, ${c.rows} rows, ${c.checks} checks` +
      (report.seed !== null ? `  |  seed ${report.seed}` : ''),
  );
  console.log(pc.dim(`report: ${r.reportFile}`));
}
