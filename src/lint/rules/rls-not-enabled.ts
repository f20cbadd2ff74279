import { quoteRelation } from '../../sql/text.js';
import type { LintRule } from '../rule.js';
import { accessList, describeScope, exposedTo, isTopLevelTable, tenantCheckSql } from '../util.js';

export const rlsNotEnabled: LintRule = {
  id: 'rls-not-enabled',
  severity: 'error',
  title: 'Row level security is off on a tenant table',
  pitfalls: [1],
  why: 'Without RLS every role with a privilege on the table reads and changes every tenant\'s rows; policies, if any, are ignored.',
  check(ctx) {
    return ctx.tenantRelations
      .filter((rel) => isTopLevelTable(rel) && !rel.rls.enabled)
      .map((rel) => {
        const exposed = exposedTo(ctx, rel).map((a) => `${a.name} (${accessList(ctx.privileges(rel, a)).join(', ')})`);
        return {
          relation: rel.qualifiedName,
          actor: null,
          message: `${rel.qualifiedName} ${describeScope(rel)} but row level security is off${exposed.length > 0 ? `: ${exposed.join('; ')} see every tenant's rows` : ''}`,
          fix: `ALTER TABLE ${quoteRelation(rel.qualifiedName)} ENABLE ROW LEVEL SECURITY; ALTER TABLE ${quoteRelation(rel.qualifiedName)} FORCE ROW LEVEL SECURITY; then create a policy per command with USING and WITH CHECK (${tenantCheckSql(ctx, rel)})`,
        };
      });
  },
};
