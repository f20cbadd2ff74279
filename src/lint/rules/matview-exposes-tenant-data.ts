import { quoteIdent, quoteRelation } from '../../sql/text.js';
import type { LintRule } from '../rule.js';
import { describeScope, exposedTo } from '../util.js';

export const matviewExposesTenantData: LintRule = {
  id: 'matview-exposes-tenant-data',
  severity: 'error',
  title: 'A materialized view over tenant data is readable by an actor',
  pitfalls: [5],
  why: 'A materialized view is a copy taken by its owner, and it cannot have row level security: whoever may select from it sees every tenant in the copy.',
  check(ctx) {
    return ctx.tenantRelations
      .filter((rel) => rel.kind === 'materialized-view' && rel.extension === null)
      .flatMap((rel) =>
        exposedTo(ctx, rel, 'select').map((actor) => ({
          relation: rel.qualifiedName,
          actor: actor.name,
          message: `materialized view ${rel.qualifiedName} ${describeScope(rel)} and has no row level security; ${actor.name} (${actor.role}) may select from it and sees every tenant's rows`,
          fix: `REVOKE ALL ON ${quoteRelation(rel.qualifiedName)} FROM ${quoteIdent(actor.role)}; serve it through a security_invoker view or function that filters by the tenant context, or keep it in a table with RLS`,
        })),
      );
  },
};
