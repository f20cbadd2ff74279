import type { LintRule } from '../rule.js';
import { describeScope, isTopLevelTable, qualified } from '../util.js';

export const rlsNotForced: LintRule = {
  id: 'rls-not-forced',
  severity: 'error',
  title: 'Row level security is enabled but not forced',
  pitfalls: [2],
  why: 'The table owner, and every role that holds its privileges, skips the policies: views, SECURITY DEFINER functions and triggers owned by it see every tenant.',
  check(ctx) {
    return ctx.tenantRelations
      .filter((rel) => isTopLevelTable(rel) && rel.rls.enabled && !rel.rls.forced)
      .map((rel) => ({
        relation: rel.qualifiedName,
        actor: null,
        message: `${rel.qualifiedName} ${describeScope(rel)}; RLS is enabled but not forced, so its owner ${rel.owner} (and anything running as it) bypasses every policy`,
        fix: `ALTER TABLE ${qualified(rel.qualifiedName)} FORCE ROW LEVEL SECURITY;`,
      }));
  },
};
