import { quoteRelation } from '../../sql/text.js';
import type { LintRule } from '../rule.js';
import { accessList, exposedTo } from '../util.js';

export const partitionWithoutRls: LintRule = {
  id: 'partition-without-rls',
  severity: 'error',
  title: 'A partition of a tenant table has no row level security of its own',
  pitfalls: [21],
  why: 'The parent\'s policies apply only to queries on the parent: a partition queried directly is filtered by its own RLS alone. An error when an actor holds privileges on the partition, a warning otherwise (one GRANT away).',
  check(ctx) {
    return ctx.tenantRelations
      .filter((rel) => rel.partitionOf !== null && rel.kind !== 'foreign-table' && !rel.rls.enabled)
      .map((rel) => {
        const exposed = exposedTo(ctx, rel);
        return {
          relation: rel.qualifiedName,
          actor: null,
          severity: exposed.length > 0 ? ('error' as const) : ('warning' as const),
          message: `partition ${rel.qualifiedName} of ${rel.partitionOf} has row level security off${exposed.length > 0 ? `: ${exposed.map((a) => `${a.name} (${accessList(ctx.privileges(rel, a)).join(', ')})`).join('; ')} query it directly and see every tenant's rows` : '; a direct query bypasses the parent\'s policies'}`,
          fix: `ALTER TABLE ${quoteRelation(rel.qualifiedName)} ENABLE ROW LEVEL SECURITY; ALTER TABLE ${quoteRelation(rel.qualifiedName)} FORCE ROW LEVEL SECURITY; (no policy: direct access denied) and revoke direct privileges on partitions`,
        };
      });
  },
};
