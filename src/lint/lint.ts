/**
 * lint(catalog, config) -> Finding[]: every enabled rule over one catalog,
 * with the config's severity overrides and reviewed ignores applied, ids
 * made stable, locations attached, duplicates merged and the order fixed.
 */
import type { Catalog } from '../catalog/types.js';
import type { ResolvedConfig } from '../config/schema.js';
import { dedupeFindings, findingId } from '../findings/findings.js';
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
    for (const raw of rule.check(ctx)) findings.push(toFinding(rule, raw, config, override, options.locations));
  }
  return dedupeFindings(findings);
}

function toFinding(rule: LintRule, raw: RuleFinding, config: ResolvedConfig, override: Finding['severity'] | undefined, locations?: ObjectLocations): Finding {
  let severity = override ?? raw.severity ?? rule.severity;
  let message = raw.message;
  // A reviewed ignore keeps the finding visible, as info, with its reason.
  const accepted = config.lint.ignore.find(
    (g) =>
      g.rule === rule.id &&
      (g.relation === undefined || g.relation === raw.relation) &&
      (g.actor === undefined || g.actor === raw.actor) &&
      (g.object === undefined || g.object === raw.object),
  );
  if (accepted) {
    severity = 'info';
    message = `${message} (accepted: ${accepted.reason})`;
  }
  const key = raw.locate ?? (raw.relation ? locationKey.relation(raw.relation) : undefined);
  const location = key ? locations?.get(key) : undefined;
  const finding: Finding = {
    id: findingId(rule.id, { relation: raw.relation, object: raw.object }, raw.actor),
    rule: rule.id,
    severity,
    relation: raw.relation,
    actor: raw.actor,
    message,
    fix: raw.fix,
    reproduction: null,
  };
  if (location) finding.location = location;
  if (raw.object !== undefined) finding.object = raw.object;
  return finding;
}
