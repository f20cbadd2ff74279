import { quoteRelation } from '../../sql/text.js';
import type { LintRule } from '../rule.js';
import { list } from '../util.js';

export const policyWithoutRls: LintRule = {
  id: 'policy-without-rls',
  severity: 'error',
  title: 'Policies exist but row level security is off',
  pitfalls: [1],
  why: 'Policies only apply once RLS is enabled: written but never enforced, they give a false sense of isolation.',
  check(ctx) {
    return ctx.catalog.relations
      .filter((rel) => rel.policies.length > 0 && !rel.rls.enabled)
      .map((rel) => ({
        relation: rel.qualifiedName,
        actor: null,
        message: `${rel.qualifiedName} has ${rel.policies.length} polic${rel.policies.length === 1 ? 'y' : 'ies'} (${list(rel.policies.map((p) => p.name))}) but row level security is off: none of them is applied`,
        fix: `ALTER TABLE ${quoteRelation(rel.qualifiedName)} ENABLE ROW LEVEL SECURITY; ALTER TABLE ${quoteRelation(rel.qualifiedName)} FORCE ROW LEVEL SECURITY;`,
      }));
  },
};
