import { quoteIdent, quoteRelation } from '../../sql/text.js';
import type { LintRule } from '../rule.js';
import { accessList, describeScope, exposedTo } from '../util.js';

export const foreignTableExposesTenantData: LintRule = {
  id: 'foreign-table-exposes-tenant-data',
  severity: 'error',
  title: 'A foreign table with tenant data is reachable by an actor',
  pitfalls: [5, 21],
  why: 'Foreign tables cannot have row level security (not even as partitions of a table that has it): whoever holds a privilege on one reads or writes every tenant\'s rows on the remote side.',
  check(ctx) {
    return ctx.tenantRelations
      .filter((rel) => rel.kind === 'foreign-table' && rel.extension === null)
      .flatMap((rel) =>
        exposedTo(ctx, rel).map((actor) => ({
          relation: rel.qualifiedName,
          actor: actor.name,
          message: `foreign table ${rel.qualifiedName}${rel.foreignServer ? ` (server ${rel.foreignServer})` : ''} ${describeScope(rel)}${rel.partitionOf ? `, is a partition of ${rel.partitionOf}` : ''} and cannot have RLS; ${actor.name} (${actor.role}) holds ${accessList(ctx.privileges(rel, actor)).join(', ')} on it`,
          fix: `REVOKE ALL ON ${quoteRelation(rel.qualifiedName)} FROM ${quoteIdent(actor.role)}; expose the remote data through a security_invoker view with a tenant filter, or copy it into a table with RLS`,
        })),
      );
  },
};
