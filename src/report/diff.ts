/**
 * What changed in isolation posture between two reports (`tenantproof diff
 * BASE.json HEAD.json`): new and resolved root causes and findings, findings
 * whose severity changed, matrix cells that changed status (and those that
 * lost their proof: passed on base, not proven on head), the held / leaked /
 * inconclusive counts, and relations that became readable across tenants for
 * an actor. Rendered as Markdown for a pull-request comment. Pure and
 * deterministic.
 */
import { sortFindings } from '../findings/findings.js';
import type { Cause, Finding, IsolationReport, MatrixCell, Severity } from '../findings/types.js';
import { escapeMarkdown as esc, mdCode } from './escape.js';
import { causeIndex } from './model.js';

export interface CellChange {
  relation: string;
  actor: string;
  probe: string;
  /** null: the cell did not exist on that side. */
  from: MatrixCell['status'] | null;
  to: MatrixCell['status'] | null;
  reason?: string;
}

export interface ReportDiff {
  base: Pick<IsolationReport, 'verdict' | 'seed' | 'coverage'>;
  head: Pick<IsolationReport, 'verdict' | 'seed' | 'coverage'>;
  added: Finding[];
  resolved: Finding[];
  /** Same finding id, another severity. */
  changed: Array<{ before: Finding; after: Finding }>;
  cells: CellChange[];
  /** Relation x actor pairs where a read probe fails on head and failed on no read probe on base. */
  newlyVisible: Array<{ relation: string; actor: string; probes: string[] }>;
  /** Pairs that were visible across tenants on base and are not any more. */
  noLongerVisible: Array<{ relation: string; actor: string }>;
  /** Root causes on head that base did not have, and the other way round (ids compared). */
  newCauses: Cause[];
  resolvedCauses: Cause[];
  /** Cells that passed on base and are not proven (or skipped) on head: their evidence is gone. */
  lostProof: CellChange[];
  /** HEAD adds error findings (new, or raised to error): the diff fails. */
  addsErrors: boolean;
}

const RANK: Record<Severity, number> = { error: 0, warning: 1, info: 2 };
const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
const key = (m: Pick<MatrixCell, 'relation' | 'actor' | 'probe'>) => `${m.relation}\u0000${m.actor}\u0000${m.probe}`;
/** Probes whose failure means the actor reads rows of other tenants. */
const isRead = (probe: string) => probe.startsWith('read') || probe.startsWith('call');

export function diffReports(base: IsolationReport, head: IsolationReport): ReportDiff {
  const baseById = new Map(base.findings.map((f) => [f.id, f]));
  const headById = new Map(head.findings.map((f) => [f.id, f]));
  const added = sortFindings(head.findings.filter((f) => !baseById.has(f.id)));
  const resolved = sortFindings(base.findings.filter((f) => !headById.has(f.id)));
  const changed = sortFindings(head.findings.filter((f) => baseById.has(f.id) && baseById.get(f.id)!.severity !== f.severity)).map((after) => ({ before: baseById.get(after.id)!, after }));

  const baseCells = new Map(base.matrix.map((m) => [key(m), m]));
  const headCells = new Map(head.matrix.map((m) => [key(m), m]));
  const cells: CellChange[] = [];
  for (const k of [...new Set([...baseCells.keys(), ...headCells.keys()])].sort(cmp)) {
    const b = baseCells.get(k);
    const h = headCells.get(k);
    if (b?.status === h?.status) continue;
    const any = (h ?? b)!;
    const reason = h?.reason ?? b?.reason;
    cells.push({ relation: any.relation, actor: any.actor, probe: any.probe, from: b?.status ?? null, to: h?.status ?? null, ...(reason ? { reason } : {}) });
  }

  const readFails = (r: IsolationReport) => {
    const out = new Map<string, { relation: string; actor: string; probes: string[] }>();
    for (const m of r.matrix) {
      if (m.status !== 'fail' || !isRead(m.probe)) continue;
      const k = `${m.relation}\u0000${m.actor}`;
      const e = out.get(k) ?? { relation: m.relation, actor: m.actor, probes: [] };
      e.probes.push(m.probe);
      out.set(k, e);
    }
    return out;
  };
  const baseVisible = readFails(base);
  const headVisible = readFails(head);
  const pairOrder = (a: { relation: string; actor: string }, b: { relation: string; actor: string }) => cmp(a.relation, b.relation) || cmp(a.actor, b.actor);
  const newlyVisible = [...headVisible].filter(([k]) => !baseVisible.has(k)).map(([, v]) => ({ ...v, probes: [...v.probes].sort(cmp) })).sort(pairOrder);
  const noLongerVisible = [...baseVisible].filter(([k]) => !headVisible.has(k)).map(([, v]) => ({ relation: v.relation, actor: v.actor })).sort(pairOrder);

  const baseCauses = causeIndex(base).causes.map((c) => c.cause);
  const headCauses = causeIndex(head).causes.map((c) => c.cause);
  const newCauses = headCauses.filter((c) => !baseCauses.some((b) => b.id === c.id));
  const resolvedCauses = baseCauses.filter((c) => !headCauses.some((h) => h.id === c.id));
  const lostProof = cells.filter((c) => c.from === 'pass' && (c.to === 'not-proven' || c.to === 'skipped'));

  const addsErrors = added.some((f) => f.severity === 'error') || changed.some((c) => c.after.severity === 'error' && RANK[c.before.severity] > RANK.error);
  const pick = (r: IsolationReport) => ({ verdict: r.verdict, seed: r.seed, coverage: r.coverage });
  return { base: pick(base), head: pick(head), added, resolved, changed, cells, newlyVisible, noLongerVisible, newCauses, resolvedCauses, lostProof, addsErrors };
}

export function isEmptyDiff(d: ReportDiff): boolean {
  return d.added.length + d.resolved.length + d.changed.length + d.cells.length === 0 && d.base.verdict === d.head.verdict;
}

const MAX_CELLS = 200;

/** Markdown for a pull-request comment. */
export function renderDiffMarkdown(d: ReportDiff, o: { baseName?: string; headName?: string } = {}): string {
  const verdict = (v: 'pass' | 'fail') => (v === 'pass' ? 'PASS' : 'FAIL');
  const lines: string[] = ['## tenantproof: isolation diff', ''];
  const names = o.baseName && o.headName ? ` (${mdCode(o.baseName)} → ${mdCode(o.headName)})` : '';
  const head = d.addsErrors ? '**This change weakens isolation.**' : isEmptyDiff(d) ? 'No change in isolation posture.' : 'Isolation posture changed; no new error.';
  lines.push(`${head} Verdict ${verdict(d.base.verdict)} → ${verdict(d.head.verdict)}${names}.`, '');
  const counts = (label: string, n: number) => `${n} ${label}`;
  lines.push(
    `${counts('new', d.added.length)} · ${counts('resolved', d.resolved.length)} · ${counts('changed severity', d.changed.length)} · ${counts('matrix cells changed', d.cells.length)} · ${counts('newly visible across tenants', d.newlyVisible.length)}`,
    '',
  );
  const b = d.base.coverage;
  const h = d.head.coverage;
  if (b.held !== undefined || h.held !== undefined) {
    const count = (c: typeof b) => `${c.held ?? '—'} held, ${c.leaked ?? '—'} leaked, ${c.inconclusive ?? '—'} inconclusive, ${c.notProven ?? '—'} cells not proven`;
    lines.push(`Checks: ${count(b)} → ${count(h)}.`, '');
  }
  if (d.base.seed !== d.head.seed || d.base.coverage.worlds !== d.head.coverage.worlds) {
    lines.push(`> The runs differ (seed ${d.base.seed ?? '—'} → ${d.head.seed ?? '—'}, ${d.base.coverage.worlds} → ${d.head.coverage.worlds} worlds): some changes may come from the run, not the schema.`, '');
  }
  if (d.newlyVisible.length > 0) {
    lines.push('### Relations that became visible across tenants', '', '| relation | actor | failing read probes |', '| --- | --- | --- |');
    for (const v of d.newlyVisible) lines.push(`| ${mdCode(v.relation, { inTable: true })} | ${esc(v.actor)} | ${v.probes.map((p) => mdCode(p, { inTable: true })).join(', ')} |`);
    lines.push('');
  }
  if (d.newCauses.length > 0) {
    lines.push('### New root causes', '', ...d.newCauses.map((c) => `- **${c.severity}** ${esc(c.title)}: explains ${c.findings.length} finding${c.findings.length === 1 ? '' : 's'}. Fix: ${esc(c.fix)}`), '');
  }
  if (d.lostProof.length > 0) {
    lines.push('### Cells no longer proven', '', 'They passed on base; on head no check held (a check that could not run is never a pass).', '', '| relation | actor | probe | head | note |', '| --- | --- | --- | --- | --- |');
    for (const c of d.lostProof.slice(0, MAX_CELLS)) lines.push(`| ${mdCode(c.relation, { inTable: true })} | ${esc(c.actor)} | ${mdCode(c.probe, { inTable: true })} | ${c.to} | ${esc(c.reason ?? '')} |`);
    if (d.lostProof.length > MAX_CELLS) lines.push('', `… and ${d.lostProof.length - MAX_CELLS} more cells.`);
    lines.push('');
  }
  if (d.added.length > 0) lines.push('### New findings', '', ...findingList(d.added), '');
  if (d.changed.length > 0) {
    lines.push('### Findings whose severity changed', '');
    for (const c of d.changed) lines.push(`- ${c.before.severity} → **${c.after.severity}** ${title(c.after)}: ${esc(c.after.message)}`);
    lines.push('');
  }
  if (d.resolvedCauses.length > 0) lines.push('### Resolved root causes', '', ...d.resolvedCauses.map((c) => `- ~~${c.severity}~~ ${esc(c.title)} (${c.findings.length} finding${c.findings.length === 1 ? '' : 's'})`), '');
  if (d.resolved.length > 0) lines.push('### Resolved findings', '', ...d.resolved.map((f) => `- ~~${f.severity}~~ ${title(f)}`), '');
  if (d.noLongerVisible.length > 0) {
    lines.push('### No longer visible across tenants', '', ...d.noLongerVisible.map((v) => `- ${mdCode(v.relation)} × ${esc(v.actor)}`), '');
  }
  if (d.cells.length > 0) {
    const status = (s: string | null) => (s === null ? '(none)' : s === 'fail' ? '**fail**' : s === 'not-proven' ? '? not proven' : s);
    lines.push('### Matrix cells that changed status', '', '| relation | actor | probe | base | head | note |', '| --- | --- | --- | --- | --- | --- |');
    for (const c of d.cells.slice(0, MAX_CELLS)) {
      lines.push(`| ${mdCode(c.relation, { inTable: true })} | ${esc(c.actor)} | ${mdCode(c.probe, { inTable: true })} | ${status(c.from)} | ${status(c.to)} | ${esc(c.reason ?? '')} |`);
    }
    if (d.cells.length > MAX_CELLS) lines.push('', `… and ${d.cells.length - MAX_CELLS} more cells.`);
    lines.push('');
  }
  return `${lines.join('\n').trimEnd()}\n`;
}

function title(f: Finding): string {
  return [mdCode(f.rule), f.relation ? mdCode(f.relation) : null, f.actor ? `actor ${esc(f.actor)}` : null].filter(Boolean).join(' · ');
}

function findingList(findings: Finding[]): string[] {
  return findings.map((f) => {
    const where = f.location ? ` (${mdCode(`${f.location.file}:${f.location.line}`)})` : '';
    return `- **${f.severity}** ${title(f)}${where}: ${esc(f.message)}  \n  Fix: ${esc(f.fix)}`;
  });
}
