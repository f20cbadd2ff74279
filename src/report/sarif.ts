/**
 * The report as SARIF 2.1.0 (`reports/isolation-report.sarif`), for code
 * scanning (github/codeql-action/upload-sarif). One result per finding, at
 * the migration file and line that created the object: the finding's own
 * location, else its relation's (from the policies file). A database checked
 * without its migrations (a foreign database) has no file for the object: the
 * result points at the object itself (logical locations: the policy, the
 * function, the relation), never at the config file, which only findings
 * naming no object at all (coverage) point at. Cells where no check held
 * are results of kind `open` (SARIF's "could not decide"), one per relation
 * x actor. Each result names its root cause; replay SQL is kept for the
 * first few findings of each cause. Rule metadata comes from the rule ids
 * (rules.ts). Deterministic: rules and results sorted, no timestamps, no
 * absolute paths.
 */
import { sortFindings } from '../findings/findings.js';
import type { Finding, IsolationReport, MatrixCell, Severity, SourceLocation } from '../findings/types.js';
import type { ReportContext } from './context.js';
import { causeIndex } from './model.js';
import { replaySql } from './replay.js';
import { NOT_PROVEN_RULE, ruleInfo } from './rules.js';

export const SARIF_FILE = 'isolation-report.sarif';
export const SARIF_SCHEMA = 'https://json.schemastore.org/sarif-2.1.0.json';

const LEVEL: Record<Severity, 'error' | 'warning' | 'note'> = { error: 'error', warning: 'warning', info: 'note' };
// GitHub's security-severity scale (0-10): error is high, warning medium, info low.
const SECURITY_SEVERITY: Record<Severity, string> = { error: '8.0', warning: '5.0', info: '2.0' };

export function renderSarif(report: IsolationReport, context?: ReportContext): string {
  const findings = sortFindings(report.findings);
  const { causeOf, replays } = causeIndex(report, findings);
  const open = notProvenPairs(report.matrix);
  const ruleIds = [...new Set([...findings.map((f) => f.rule), ...(open.length > 0 ? [NOT_PROVEN_RULE] : [])])].sort();
  const relationLocation = new Map((context?.relations ?? []).flatMap((r) => (r.location ? [[r.relation, r.location] as const] : [])));
  const configLocation = context?.configFile ? { file: context.configFile, line: 1 } : undefined;

  const rules = ruleIds.map((id) => {
    const info = ruleInfo(id);
    return {
      id,
      name: id.replace(/(^|-)([a-z0-9])/g, (_m, _d: string, c: string) => c.toUpperCase()),
      shortDescription: { text: info.title },
      fullDescription: { text: info.why },
      help: { text: `${info.why}\n\nEach result carries its own fix. tenantproof: ${info.kind === 'lint' ? 'static rule' : info.kind === 'probe' ? 'dynamic probe on generated multi-tenant worlds' : info.kind}.` },
      defaultConfiguration: { level: LEVEL[info.severity] },
      properties: { tags: ['security', 'multi-tenant', 'row-level-security', `tenantproof-${info.kind}`], 'security-severity': SECURITY_SEVERITY[info.severity] },
    };
  });

  const results: unknown[] = findings.map((f) => {
    const file = f.location ?? (f.relation ? relationLocation.get(f.relation) : undefined);
    const logical = logicalLocations(f);
    const loc = file ? { physicalLocation: physical(file), ...(logical.length > 0 ? { logicalLocations: logical } : {}) } : logical.length > 0 ? { logicalLocations: logical } : configLocation ? { physicalLocation: physical(configLocation) } : null;
    const cause = causeOf.get(f.id);
    return {
      ruleId: f.rule,
      ruleIndex: ruleIds.indexOf(f.rule),
      level: LEVEL[f.severity],
      message: { text: messageText(f) },
      ...(loc ? { locations: [loc] } : {}),
      partialFingerprints: { 'tenantproofFindingId/v1': f.id },
      properties: {
        findingId: f.id,
        ...(f.relation ? { relation: f.relation } : {}),
        ...(f.actor ? { actor: f.actor } : {}),
        ...(f.object ? { object: f.object } : {}),
        fix: f.fix,
        ...(cause ? { cause: { id: cause.cause.id, title: cause.cause.title, findings: cause.findings.length } } : {}),
        ...(f.reproduction && replays.has(f.id) ? { reproduction: replaySql(f.reproduction, report, { configFile: context?.configFile }) } : {}),
        ...(f.reproduction && !replays.has(f.id) ? { reproductionIn: 'isolation-report.json' } : {}),
      },
    };
  });
  for (const p of open) {
    const file = relationLocation.get(p.relation);
    const logical = [{ fullyQualifiedName: p.relation, name: p.relation.slice(p.relation.indexOf('.') + 1), kind: 'type' }];
    results.push({
      ruleId: NOT_PROVEN_RULE,
      ruleIndex: ruleIds.indexOf(NOT_PROVEN_RULE),
      kind: 'open',
      level: 'none',
      message: { text: `[${p.relation}, actor ${p.actor}] not proven: no check held for ${p.probes.map((m) => `${m.probe} (${m.inconclusive ?? 0} inconclusive${m.reason ? `: ${m.reason}` : ''})`).join('; ')}. A check that could not run is never a pass.` },
      locations: [file ? { physicalLocation: physical(file), logicalLocations: logical } : { logicalLocations: logical }],
      partialFingerprints: { 'tenantproofFindingId/v1': `${NOT_PROVEN_RULE}:${p.relation}:${p.actor}` },
      properties: { relation: p.relation, actor: p.actor, probes: p.probes.map((m) => m.probe) },
    });
  }

  const sarif = {
    $schema: SARIF_SCHEMA,
    version: '2.1.0',
    runs: [
      {
        tool: { driver: { name: 'tenantproof', semanticVersion: report.version, version: report.version, rules } },
        automationDetails: { id: `tenantproof/isolation/${report.seed ?? 'lint'}` },
        columnKind: 'utf16CodeUnits',
        originalUriBaseIds: { '%SRCROOT%': { description: { text: 'The project root (where tenantproof.config.ts is)' } } },
        results,
        properties: { verdict: report.verdict, seed: report.seed, coverage: report.coverage, ...(report.notes && report.notes.length > 0 ? { notes: report.notes } : {}) },
      },
    ],
  };
  return `${JSON.stringify(sarif, null, 2)}\n`;
}

/** Relation x actor pairs with probes where no check held, sorted. */
function notProvenPairs(matrix: MatrixCell[]): Array<{ relation: string; actor: string; probes: MatrixCell[] }> {
  const pairs = new Map<string, { relation: string; actor: string; probes: MatrixCell[] }>();
  for (const m of matrix) {
    if (m.status !== 'not-proven') continue;
    const key = `${m.relation}\u0000${m.actor}`;
    const p = pairs.get(key) ?? { relation: m.relation, actor: m.actor, probes: [] };
    p.probes.push(m);
    pairs.set(key, p);
  }
  return [...pairs.values()].sort((a, b) => (a.relation < b.relation ? -1 : a.relation > b.relation ? 1 : a.actor < b.actor ? -1 : a.actor > b.actor ? 1 : 0));
}

function messageText(f: Finding): string {
  const who = [f.relation, f.actor ? `actor ${f.actor}` : null].filter(Boolean).join(', ');
  return `${who ? `[${who}] ` : ''}${f.message}\nFix: ${f.fix}`;
}

function physical(loc: SourceLocation) {
  return { artifactLocation: { uri: encodeUri(loc.file), uriBaseId: '%SRCROOT%' }, region: { startLine: loc.line } };
}

/** SARIF logical-location kinds of the objects findings name (`policy s.t.p`, `function s.f(uuid)`, ...). */
const OBJECT_KINDS: Record<string, string> = { policy: 'member', function: 'function', constraint: 'member', index: 'member', column: 'member', role: 'resource', sequence: 'resource', actor: 'resource' };

/** The object the finding names, then its relation: where a reader of a foreign database looks. */
function logicalLocations(f: Finding): Array<{ fullyQualifiedName: string; name: string; kind: string }> {
  const out: Array<{ fullyQualifiedName: string; name: string; kind: string }> = [];
  if (f.object) {
    const space = f.object.indexOf(' ');
    const word = space < 0 ? '' : f.object.slice(0, space);
    const name = space < 0 ? f.object : f.object.slice(space + 1);
    const short = f.relation && name.startsWith(`${f.relation}.`) ? name.slice(f.relation.length + 1) : name;
    out.push({ fullyQualifiedName: f.object, name: short, kind: OBJECT_KINDS[word] ?? 'object' });
  }
  if (f.relation && f.relation !== f.object) {
    // Probe findings of functions name the function's signature as their relation.
    const isFunction = /\(.*\)$/.test(f.relation);
    out.push({ fullyQualifiedName: f.relation, name: f.relation.slice(f.relation.indexOf('.') + 1), kind: isFunction ? 'function' : 'type' });
  }
  return out;
}

/** A relative path as a URI reference: forward slashes, each segment percent-encoded. */
function encodeUri(file: string): string {
  return file.split(/[\\/]/).map(encodeURIComponent).join('/');
}
