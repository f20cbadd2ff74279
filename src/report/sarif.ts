/**
 * The report as SARIF 2.1.0 (`reports/isolation-report.sarif`), for code
 * scanning (github/codeql-action/upload-sarif). One result per finding, at
 * the migration file and line that created the object: the finding's own
 * location, else its relation's (from the policies file), else the config
 * file. GitHub refuses results without a location, so a finding with none of
 * these is still reported, located at the config file when it is known.
 * Rule metadata comes from the rule ids (rules.ts). Deterministic: rules and
 * results sorted, no timestamps, no absolute paths.
 */
import { sortFindings } from '../findings/findings.js';
import type { Finding, IsolationReport, Severity, SourceLocation } from '../findings/types.js';
import type { ReportContext } from './context.js';
import { ruleInfo } from './rules.js';

export const SARIF_FILE = 'isolation-report.sarif';
export const SARIF_SCHEMA = 'https://json.schemastore.org/sarif-2.1.0.json';

const LEVEL: Record<Severity, 'error' | 'warning' | 'note'> = { error: 'error', warning: 'warning', info: 'note' };
// GitHub's security-severity scale (0-10): error is high, warning medium, info low.
const SECURITY_SEVERITY: Record<Severity, string> = { error: '8.0', warning: '5.0', info: '2.0' };

export function renderSarif(report: IsolationReport, context?: ReportContext): string {
  const findings = sortFindings(report.findings);
  const ruleIds = [...new Set(findings.map((f) => f.rule))].sort();
  const relationLocation = new Map((context?.relations ?? []).flatMap((r) => (r.location ? [[r.relation, r.location] as const] : [])));

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

  const results = findings.map((f) => {
    const loc = f.location ?? (f.relation ? relationLocation.get(f.relation) : undefined) ?? (context?.configFile ? { file: context.configFile, line: 1 } : undefined);
    return {
      ruleId: f.rule,
      ruleIndex: ruleIds.indexOf(f.rule),
      level: LEVEL[f.severity],
      message: { text: messageText(f) },
      ...(loc ? { locations: [location(loc, f)] } : {}),
      partialFingerprints: { 'tenantproofFindingId/v1': f.id },
      properties: {
        findingId: f.id,
        ...(f.relation ? { relation: f.relation } : {}),
        ...(f.actor ? { actor: f.actor } : {}),
        ...(f.object ? { object: f.object } : {}),
        fix: f.fix,
        ...(f.reproduction ? { reproduction: f.reproduction } : {}),
      },
    };
  });

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
        properties: { verdict: report.verdict, seed: report.seed, coverage: report.coverage },
      },
    ],
  };
  return `${JSON.stringify(sarif, null, 2)}\n`;
}

function messageText(f: Finding): string {
  const who = [f.relation, f.actor ? `actor ${f.actor}` : null].filter(Boolean).join(', ');
  return `${who ? `[${who}] ` : ''}${f.message}\nFix: ${f.fix}`;
}

function location(loc: SourceLocation, f: Finding) {
  return {
    physicalLocation: { artifactLocation: { uri: encodeUri(loc.file), uriBaseId: '%SRCROOT%' }, region: { startLine: loc.line } },
    ...(f.object || f.relation ? { logicalLocations: [{ fullyQualifiedName: f.object ?? f.relation!, kind: 'resource' }] } : {}),
  };
}

/** A relative path as a URI reference: forward slashes, each segment percent-encoded. */
function encodeUri(file: string): string {
  return file.split(/[\\/]/).map(encodeURIComponent).join('/');
}
