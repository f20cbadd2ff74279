/** read: the actor, in its context, reads a relation (tables, partitions directly, views, materialized views). */
import { isolated, readBlock, readReplay } from '../kit.js';
import type { CheckDraft, ProbeDefinition } from '../probe.js';

export const read: ProbeDefinition<'read'> = {
  id: 'read',
  family: 'read',
  severity: 'error',
  title: 'An actor read rows of another tenant',
  why: 'Under its own context the actor saw rows that belong to tenants it is not a member of: a cross-tenant read, proven on a generated world.',
  fix: "restrict the relation's SELECT policies to the actor's tenants (USING (tenant_column = <current tenant>)), ENABLE and FORCE row level security, give the actor no bypass, and make views security_invoker",
  phrase: { tenant: "reads other tenants' rows", none: 'reads tenant rows' },
  checks(cx, actor) {
    if (!isolated(actor)) return [];
    return cx.relations.flatMap((p): CheckDraft[] => {
      const block = readBlock(cx, p, 'context');
      if (!block) return [];
      return [{ probe: 'read', subject: p.relation.qualifiedName, mode: 'context', describe: `read ${p.relation.qualifiedName}`, block, replay: (rc) => readReplay(cx, p.relation, rc) }];
    });
  },
};
