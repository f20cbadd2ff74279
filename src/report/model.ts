/**
 * The report as a reviewer reads it: its root causes, each with the findings
 * it explains, and relations x actors, each cell with its probes, its
 * findings and one tone (fail, warn, not proven, info, pass, skipped, none).
 * Markdown and HTML render this one model, so they always agree. Pure and
 * deterministic: the same report gives the same model.
 */
import { assignCauses } from '../findings/causes.js';
import { countBySeverity, sortFindings } from '../findings/findings.js';
import type { Cause, Finding, IsolationReport, MatrixCell, Severity } from '../findings/types.js';
import { PROBE_IDS as PROBES } from '../probes/ids.js';
import type { RelationView, ReportContext } from './context.js';
import { replayCommand, shownReplays } from './replay.js';

export type Tone = 'fail' | 'warn' | 'unproven' | 'info' | 'pass' | 'skipped' | 'none';

/** A root cause with its findings (in report order) and its place in the report (1-based). */
export interface CauseView {
  cause: Cause;
  index: number;
  findings: Finding[];
  /** Findings of the cause whose replay SQL is left to the JSON. */
  replaysInJson: number;
}

/**
 * How a cause is shown: whole cards for the first finding of each rule that states the cause,
 * one compact row for every other finding (the probe findings it explains, repeats of a rule).
 */
export function causeLayout(c: CauseView): { cards: Finding[]; rows: Finding[] } {
  if (c.findings.length === 1) return { cards: c.findings, rows: [] };
  const seen = new Set<string>();
  const cards: Finding[] = [];
  const rows: Finding[] = [];
  for (const f of c.findings) {
    if (f.rule.startsWith('probe-') || seen.has(f.rule)) rows.push(f);
    else {
      seen.add(f.rule);
      cards.push(f);
    }
  }
  return { cards, rows };
}

/** What the checks showed: held, leaked, inconclusive, and the cells where nothing held. Null for reports before these counts. */
export interface CheckCounts {
  held: number;
  leaked: number;
  inconclusive: number;
  notProven: number;
}

export interface CellView {
  relation: string;
  actor: string;
  tone: Tone;
  /** The probes of this relation and actor, in probe order. */
  probes: MatrixCell[];
  findings: Finding[];
  /** Short text for the cell: failing probes, or a count of passed ones. */
  label: string;
  /** One line for a tooltip or a screen reader. */
  summary: string;
}

export interface RowView {
  relation: string;
  schema: string;
  /** Findings on the relation that name no actor (most static rules). */
  relationFindings: Finding[];
  relationTone: Tone;
  relationLabel: string;
  /** One per actor, in `ReportView.actors` order. */
  cells: CellView[];
  context: RelationView | undefined;
  /** The worst severity of any finding on the row, or null. */
  worst: Severity | null;
}

export interface ReportView {
  report: IsolationReport;
  actors: string[];
  schemas: string[];
  rows: RowView[];
  /** Findings that name no relation (roles, the tenant context, coverage). */
  unplaced: Finding[];
  /** Root causes, most findings explained first. */
  causes: CauseView[];
  /** The cause of each finding, by finding id. */
  causeOf: Map<string, CauseView>;
  /** Ids of the findings whose replay SQL the rendered formats show (the first few of each cause). */
  replays: Set<string>;
  /** The command that replays the run, or null (lint only). */
  replay: string | null;
  checks: CheckCounts | null;
  /** Every finding, grouped by severity, each in the report's order. */
  bySeverity: Array<{ severity: Severity; findings: Finding[] }>;
  counts: Record<Severity, number>;
  /** Tenant relations whose policies the report shows, sorted. */
  policies: RelationView[];
  hasContext: boolean;
}

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
const PROBE_RANK = new Map<string, number>(PROBES.map((p, i) => [p, i]));
const byProbe = (a: MatrixCell, b: MatrixCell) => (PROBE_RANK.get(a.probe) ?? PROBES.length) - (PROBE_RANK.get(b.probe) ?? PROBES.length) || cmp(a.probe, b.probe);
const SEVERITY_TONE: Record<Severity, Tone> = { error: 'fail', warning: 'warn', info: 'info' };
/** The tone as a character, so that no cell is told by its colour alone. */
export const TONE_GLYPH: Record<Tone, string> = { fail: '✗', warn: '⚠', unproven: '?', info: 'i', pass: '✓', skipped: '·', none: '—' };
export const TONE_TEXT: Record<Tone, string> = { fail: 'failed', warn: 'warning', unproven: 'not proven', info: 'info', pass: 'passed', skipped: 'skipped', none: 'not probed' };
const TONE_RANK: Record<Tone, number> = { fail: 0, warn: 1, unproven: 2, info: 3, pass: 4, skipped: 5, none: 6 };

export const schemaOf = (relation: string) => relation.slice(0, Math.max(0, relation.indexOf('.'))) || relation;

export function reportView(report: IsolationReport, context?: ReportContext): ReportView {
  const findings = sortFindings(report.findings);
  const { causes, causeOf, replays } = causeIndex(report, findings);
  const contextByName = new Map((context?.relations ?? []).map((r) => [r.relation, r]));
  const actors = [...new Set([...report.matrix.map((m) => m.actor), ...findings.flatMap((f) => (f.actor && f.relation ? [f.actor] : []))])].sort(cmp);
  const relations = [
    ...new Set([
      ...report.matrix.map((m) => m.relation),
      ...findings.flatMap((f) => (f.relation ? [f.relation] : [])),
      ...(context?.relations ?? []).filter((r) => r.tenancy).map((r) => r.relation),
    ]),
  ].sort(cmp);

  const cellsByPair = new Map<string, MatrixCell[]>();
  for (const m of report.matrix) {
    const key = `${m.relation}\u0000${m.actor}`;
    cellsByPair.set(key, [...(cellsByPair.get(key) ?? []), m]);
  }
  const findingsByPair = new Map<string, Finding[]>();
  for (const f of findings) {
    if (!f.relation) continue;
    const key = `${f.relation}\u0000${f.actor ?? ''}`;
    findingsByPair.set(key, [...(findingsByPair.get(key) ?? []), f]);
  }

  const rows: RowView[] = relations.map((relation) => {
    const relationFindings = findingsByPair.get(`${relation}\u0000`) ?? [];
    const cells = actors.map((actor) => cellView(relation, actor, (cellsByPair.get(`${relation}\u0000${actor}`) ?? []).sort(byProbe), findingsByPair.get(`${relation}\u0000${actor}`) ?? []));
    const relTone = worstTone(relationFindings.map((f) => SEVERITY_TONE[f.severity]));
    const all = [...relationFindings, ...cells.flatMap((c) => c.findings)];
    return {
      relation,
      schema: schemaOf(relation),
      relationFindings,
      relationTone: relTone,
      relationLabel: relationFindings.length === 0 ? '—' : `${TONE_GLYPH[relTone]} ${shortList([...new Set(relationFindings.map((f) => f.rule))])}`,
      cells,
      context: contextByName.get(relation),
      worst: all.length === 0 ? null : all.reduce<Severity>((w, f) => (rankSeverity(f.severity) < rankSeverity(w) ? f.severity : w), 'info'),
    };
  });

  return {
    report,
    actors,
    schemas: [...new Set(rows.map((r) => r.schema))].sort(cmp),
    rows,
    unplaced: findings.filter((f) => !f.relation),
    causes,
    causeOf,
    replays,
    replay: replayCommand(report, { configFile: context?.configFile }),
    checks: checkCounts(report),
    bySeverity: (['error', 'warning', 'info'] as const).map((severity) => ({ severity, findings: findings.filter((f) => f.severity === severity) })),
    counts: countBySeverity(findings),
    policies: (context?.relations ?? []).filter((r) => r.tenancy),
    hasContext: context !== undefined,
  };
}

const rankSeverity = (s: Severity) => ({ error: 0, warning: 1, info: 2 })[s];

/**
 * The report's causes with their findings, errors first, the cause of each finding and the replays
 * the rendered formats show. A report written before causes gets the causes its findings alone give.
 */
export function causeIndex(report: IsolationReport, findings: Finding[] = sortFindings(report.findings)): { causes: CauseView[]; causeOf: Map<string, CauseView>; replays: Set<string> } {
  const byId = new Map(findings.map((f) => [f.id, f]));
  const listed = new Set((report.causes ?? []).flatMap((c) => c.findings));
  const given = report.causes && findings.every((f) => listed.has(f.id)) ? report.causes : assignCauses(findings).causes;
  // The reader's order: errors first, then warnings, then info; within each, most findings explained first (the JSON's order).
  const list = [...given].sort((a, b) => rankSeverity(a.severity) - rankSeverity(b.severity));
  const causes: CauseView[] = list.map((cause, i) => ({ cause, index: i + 1, findings: cause.findings.flatMap((id) => byId.get(id) ?? []), replaysInJson: 0 }));
  const replays = shownReplays(causes);
  for (const c of causes) c.replaysInJson = c.findings.filter((f) => f.reproduction !== null && !replays.has(f.id)).length;
  return { causes, causeOf: new Map(causes.flatMap((c) => c.findings.map((f) => [f.id, c] as const))), replays };
}

function checkCounts(report: IsolationReport): CheckCounts | null {
  const c = report.coverage;
  if (c.held === undefined && c.leaked === undefined && c.inconclusive === undefined) return null;
  return { held: c.held ?? 0, leaked: c.leaked ?? 0, inconclusive: c.inconclusive ?? 0, notProven: c.notProven ?? report.matrix.filter((m) => m.status === 'not-proven').length };
}

function worstTone(tones: Tone[]): Tone {
  return tones.reduce<Tone>((w, t) => (TONE_RANK[t] < TONE_RANK[w] ? t : w), 'none');
}

function cellView(relation: string, actor: string, probes: MatrixCell[], findings: Finding[]): CellView {
  const failing = probes.filter((p) => p.status === 'fail');
  const passed = probes.filter((p) => p.status === 'pass');
  const skipped = probes.filter((p) => p.status === 'skipped');
  const unproven = probes.filter((p) => p.status === 'not-proven');
  // A failing probe is as severe as its finding (side channels are warnings); a failure without one is an error.
  const tones: Tone[] = findings.map((f) => SEVERITY_TONE[f.severity]);
  for (const p of failing) if (!findings.some((f) => f.rule === `probe-${p.probe}`)) tones.push('fail');
  // A probe where no check held proves nothing: the cell is never green while one is left.
  if (unproven.length > 0) tones.push('unproven');
  let tone = worstTone(tones);
  if (tone === 'none') tone = passed.length > 0 ? 'pass' : skipped.length > 0 ? 'skipped' : 'none';

  const problem = [...new Set([...failing.map((p) => p.probe), ...findings.filter((f) => f.severity !== 'info' && !f.rule.startsWith('probe-')).map((f) => f.rule)])];
  let label: string;
  if (tone === 'fail' || tone === 'warn') label = `${TONE_GLYPH[tone]} ${shortList(problem.length > 0 ? problem : findings.map((f) => f.rule))}`;
  else if (tone === 'unproven') label = passed.length > 0 ? `? ${unproven.length} · ✓ ${passed.length}` : `? ${unproven.length}`;
  else if (tone === 'info') label = passed.length > 0 ? `✓ ${passed.length} · i` : 'i';
  else if (tone === 'pass') label = `✓ ${passed.length}`;
  else if (tone === 'skipped') label = 'skipped';
  else label = '—';

  const parts = [`${relation} × ${actor}:`];
  if (failing.length > 0) parts.push(`failed ${failing.map((p) => p.probe).join(', ')};`);
  if (unproven.length > 0) parts.push(`not proven ${unproven.map((p) => p.probe).join(', ')} (no check held);`);
  if (passed.length > 0) parts.push(`${passed.length} passed (${passed.reduce((n, p) => n + (p.held ?? p.checks), 0)} ${passed.some((p) => p.held !== undefined) ? 'held' : 'checks'});`);
  if (skipped.length > 0) parts.push(`${skipped.length} skipped;`);
  if (findings.length > 0) parts.push(`${findings.length} finding${findings.length === 1 ? '' : 's'};`);
  if (probes.length === 0 && findings.length === 0) parts.push('not probed;');
  return { relation, actor, tone, probes, findings, label, summary: parts.join(' ').replace(/;$/, '') };
}

function shortList(items: string[], max = 2): string {
  return items.length <= max ? items.join(', ') : `${items.slice(0, max).join(', ')} +${items.length - max}`;
}

/** "error" -> "Errors", for headings. */
export function severityHeading(s: Severity): string {
  return { error: 'Errors', warning: 'Warnings', info: 'Info' }[s];
}
