export { analyze, type StaticAnalysis } from './analyze.js';
export { lint, type LintOptions } from './lint.js';
export { locateObjects, migrationFiles, type ObjectLocations } from './locations.js';
export { RULES, ruleById } from './registry.js';
export { RULE_IDS, isRuleId, type RuleId } from './rule-ids.js';
export type { LintRule, RuleFinding } from './rule.js';
export { createContext, type LintContext, type ActorInfo } from './context.js';
