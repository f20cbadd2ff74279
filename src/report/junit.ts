/**
 * The report as JUnit XML (`reports/isolation-report.junit.xml`), for the test
 * tabs of CI systems: one test suite per relation, one test case per relation
 * x actor x probe; a failed probe whose finding is an error fails its case
 * (side-channel warnings pass with the finding in system-out, as the gate
 * does); a probe where no check held (not proven) and a skipped one are
 * skipped with their reason, never passed. Findings that are not a probe cell
 * (static rules, the tenant context, coverage) form one more suite. Each
 * failure names its root cause; replay SQL is kept for the first few findings
 * of each cause (the rest are in the JSON). No timestamps, no durations: the
 * same report gives the same bytes.
 */
import { sortFindings } from '../findings/findings.js';
import type { Finding, IsolationReport, MatrixCell } from '../findings/types.js';
import type { ReportContext } from './context.js';
import { escapeXml as x } from './escape.js';
import { causeIndex, type CauseView } from './model.js';
import { PROBE_IDS as PROBES } from '../probes/ids.js';
import { replaySql } from './replay.js';

export const JUNIT_FILE = 'isolation-report.junit.xml';

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
const PROBE_RANK = new Map<string, number>(PROBES.map((p, i) => [p, i]));

interface Case {
  classname: string;
  name: string;
  outcome: { kind: 'pass'; out?: string } | { kind: 'fail'; type: string; message: string; body: string } | { kind: 'skip'; message: string };
}

/** How a finding is told: with its root cause, and its replay when this format carries it. */
type Describe = (f: Finding) => string;

export function renderJunit(report: IsolationReport, context?: ReportContext): string {
  const findings = sortFindings(report.findings);
  const { causeOf, replays } = causeIndex(report, findings);
  const describe: Describe = (f) => describeFinding(f, causeOf.get(f.id), replays.has(f.id) ? replaySql(f.reproduction ?? '', report, { configFile: context?.configFile }) : null);
  const probeFinding = new Map<string, Finding>();
  for (const f of findings) if (f.relation && f.actor && f.rule.startsWith('probe-')) probeFinding.set(`${f.relation}\u0000${f.actor}\u0000${f.rule}`, f);

  const byRelation = new Map<string, MatrixCell[]>();
  for (const m of report.matrix) byRelation.set(m.relation, [...(byRelation.get(m.relation) ?? []), m]);
  const suites: Array<{ name: string; cases: Case[] }> = [...byRelation.keys()].sort(cmp).map((relation) => ({
    name: relation,
    cases: byRelation
      .get(relation)!
      .sort((a, b) => cmp(a.actor, b.actor) || (PROBE_RANK.get(a.probe) ?? 99) - (PROBE_RANK.get(b.probe) ?? 99) || cmp(a.probe, b.probe))
      .map((m) => probeCase(m, probeFinding.get(`${m.relation}\u0000${m.actor}\u0000probe-${m.probe}`), describe)),
  }));

  // Findings that a failed probe case already carries are not repeated in the findings suite.
  const failing = new Set(report.matrix.filter((m) => m.status === 'fail').map((m) => `${m.relation}\u0000${m.actor}\u0000probe-${m.probe}`));
  const used = new Set([...probeFinding].filter(([key]) => failing.has(key)).map(([, f]) => f));
  const others = findings.filter((f) => !used.has(f));
  if (others.length > 0) suites.push({ name: 'findings', cases: others.map((f) => findingCase(f, describe)) });

  const count = (cases: Case[], kind: Case['outcome']['kind']) => cases.filter((c) => c.outcome.kind === kind).length;
  const allCases = suites.flatMap((s) => s.cases);
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="tenantproof isolation" tests="${allCases.length}" failures="${count(allCases, 'fail')}" errors="0" skipped="${count(allCases, 'skip')}">`,
  ];
  for (const s of suites) {
    lines.push(`  <testsuite name="${x(s.name)}" tests="${s.cases.length}" failures="${count(s.cases, 'fail')}" errors="0" skipped="${count(s.cases, 'skip')}">`);
    for (const c of s.cases) {
      const open = `    <testcase classname="${x(c.classname)}" name="${x(c.name)}"`;
      const o = c.outcome;
      if (o.kind === 'pass' && !o.out) lines.push(`${open}/>`);
      else if (o.kind === 'pass') lines.push(`${open}>`, `      <system-out>${x(o.out!)}</system-out>`, '    </testcase>');
      else if (o.kind === 'skip') lines.push(`${open}>`, `      <skipped message="${x(o.message)}"/>`, '    </testcase>');
      else lines.push(`${open}>`, `      <failure type="${x(o.type)}" message="${x(o.message)}">${x(o.body)}</failure>`, '    </testcase>');
    }
    lines.push('  </testsuite>');
  }
  lines.push('</testsuites>', '');
  return lines.join('\n');
}

function probeCase(m: MatrixCell, f: Finding | undefined, describe: Describe): Case {
  const base = { classname: m.relation, name: `${m.actor} ${m.probe}` };
  if (m.status === 'skipped') return { ...base, outcome: { kind: 'skip', message: m.reason ?? 'no check could judge' } };
  if (m.status === 'not-proven') return { ...base, outcome: { kind: 'skip', message: `not proven: no check held (${m.inconclusive ?? 0} inconclusive${m.reason ? `: ${m.reason}` : ''})` } };
  if (m.status === 'pass') return { ...base, outcome: { kind: 'pass' } };
  if (f && f.severity !== 'error') return { ...base, outcome: { kind: 'pass', out: `${f.severity}: ${describe(f)}` } };
  return { ...base, outcome: { kind: 'fail', type: `probe-${m.probe}`, message: f?.message ?? m.reason ?? 'failed', body: f ? describe(f) : `${m.reason ?? 'failed'} (${m.checks} checks)` } };
}

function findingCase(f: Finding, describe: Describe): Case {
  const base = { classname: f.relation ?? 'tenantproof', name: [f.rule, f.actor, f.object].filter(Boolean).join(' ') };
  if (f.severity === 'error') return { ...base, outcome: { kind: 'fail', type: f.rule, message: f.message, body: describe(f) } };
  return { ...base, outcome: { kind: 'pass', out: `${f.severity}: ${describe(f)}` } };
}

function describeFinding(f: Finding, cause: CauseView | undefined, replay: string | null): string {
  return [
    f.message,
    `fix: ${f.fix}`,
    f.location ? `at ${f.location.file}:${f.location.line}` : null,
    f.object ? `object: ${f.object}` : null,
    cause && cause.findings.length > 1 ? `root cause ${cause.index}: ${cause.cause.title} (${cause.findings.length} findings); fix: ${cause.cause.fix}` : null,
    `id: ${f.id}`,
    replay !== null ? `replay:\n${replay}` : f.reproduction ? 'replay: in isolation-report.json (this file keeps the first few of each root cause)' : null,
  ]
    .filter(Boolean)
    .join('\n');
}
