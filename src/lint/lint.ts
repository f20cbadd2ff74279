/**
 * lint(catalog, config) -> Finding[]: every enabled rule over one catalog,
 * with the config's severity overrides and reviewed exceptions (accept,
 * lint.ignore) applied, ids made stable, locations attached, duplicates
 * merged and the order fixed.
 */
import type { Catalog } from '../catalog/types.js';
import type { ResolvedConfig } from '../config/schema.js';
import { applyAccepted } from '../findings/accept.js';
import { dedupeFindings, findingId, sortFindings } from '../findings/findings.js';
import type { Finding } from '../findings/types.js';
import { createContext } from './context.js';
import type { ObjectLocations } from './locations.js';
import { RULES } from './registry.js';
import type { LintRule, RuleFinding } from './rule.js';
import { locationKey } from './util.js';

export interface LintOptions {
  /** From locateObjects: file and line of the migration that created each object. */
  locations?: ObjectLocations;
  /** Defaults to every registered rule. */
  rules?: readonly LintRule[];
}

export function lint(catalog: Catalog, config: ResolvedConfig, options: LintOptions = {}): Finding[] {
  const ctx = createContext(catalog, config);
  const findings: Finding[] = [];
  for (const rule of options.rules ?? RULES) {
    const override = config.lint.rules[rule.id];
    if (override === 'off') continue;
    for (const raw of rule.check(ctx)) findings.push(toFinding(rule, raw, override, options.locations));
  }
  return sortFindings(applyAccepted(dedupeFindings(findings), config));
}

function toFinding(rule: LintRule, raw: RuleFinding, override: Finding['severity'] | undefined, locations?: ObjectLocations): Finding {
  const key = raw.locate ?? (raw.relation ? locationKey.relation(raw.relation) : undefined);
  const location = key ? locations?.get(key) : undefined;
  const finding: Finding = {
    id: findingId(rule.id, { relation: raw.relation, object: raw.object }, raw.actor),
    rule: rule.id,
    severity: override ?? raw.severity ?? rule.severity,
    relation: raw.relation,
    actor: raw.actor,
    message: raw.message,
    fix: raw.fix,
    reproduction: null,
  };
  if (location) finding.location = location;
  if (raw.object !== undefined) finding.object = raw.object;
  return finding;
}
