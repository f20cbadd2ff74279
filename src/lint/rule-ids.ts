/**
 * Every lint rule id, as plain data: the config validates `lint.rules` keys
 * against it without loading the rules themselves. The registry test checks
 * that this list and the registry agree.
 */
export const RULE_IDS = [
  'actor-bypasses-rls',
  'actor-member-of-owner',
  'config-unknown-object',
  'config-unknown-role',
  'convention-foreign-key-indexed',
  'convention-naming',
  'convention-timestamps',
  'default-privileges-to-actor',
  'fail-open-null-check',
  'fk-omits-tenant-column',
  'foreign-table-exposes-tenant-data',
  'function-mutable-search-path',
  'global-table-access',
  'leakproof-function',
  'matview-exposes-tenant-data',
  'none-actor-reaches-tenant-data',
  'nullable-tenant-column',
  'partition-without-rls',
  'permissive-widening',
  'policy-always-true',
  'policy-function-not-executable',
  'policy-on-current-user',
  'policy-subquery-without-rls',
  'policy-to-public',
  'policy-trusts-forgeable-setting',
  'policy-without-rls',
  'rls-not-enabled',
  'rls-not-forced',
  'rls-without-policy',
  'security-definer-exposed',
  'session-level-context',
  'shared-row-exception',
  'shared-sequence',
  'tenant-index-not-leading',
  'undeclared-global-table',
  'unique-omits-tenant-column',
  'view-not-security-invoker',
  'write-without-check',
] as const;

export type RuleId = (typeof RULE_IDS)[number];

export function isRuleId(s: string): s is RuleId {
  return (RULE_IDS as readonly string[]).includes(s);
}
