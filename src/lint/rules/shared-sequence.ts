import type { LintRule, RuleFinding } from '../rule.js';
import { hasAccess, list, objectOf } from '../util.js';

export const sharedSequence: LintRule = {
  id: 'shared-sequence',
  severity: 'warning',
  title: 'One sequence numbers the rows of every tenant',
  pitfalls: [14],
  why: 'Consecutive ids drawn from one sequence tell each tenant how many rows the others create, and make ids guessable.',
  check(ctx) {
    const out: RuleFinding[] = [];
    for (const seq of ctx.catalog.sequences) {
      const columns = [...new Set([...(seq.ownedBy ? [seq.ownedBy] : []), ...seq.usedBy])];
      const tenantColumns = columns.filter((c) => ctx.relation(c.slice(0, c.lastIndexOf('.')))?.tenancy);
      if (tenantColumns.length === 0) continue;
      const observers = ctx.restricted.filter((a) => {
        if (!a.exists) return false;
        const onSeq = seq.privileges.find((p) => p.role === a.role);
        if (onSeq?.usage || onSeq?.select) return true;
        return tenantColumns.some((c) => {
          const rel = ctx.relation(c.slice(0, c.lastIndexOf('.')))!;
          const p = ctx.privileges(rel, a);
          return hasAccess(p, 'insert') || hasAccess(p, 'select');
        });
      });
      if (observers.length === 0) continue;
      out.push({
        relation: tenantColumns[0]!.slice(0, tenantColumns[0]!.lastIndexOf('.')),
        actor: null,
        object: objectOf.sequence(seq.qualifiedName),
        message: `sequence ${seq.qualifiedName} numbers ${list(tenantColumns)} for every tenant; ${list(observers.map((a) => a.name))} see the numbers and so the other tenants' volume`,
        fix: 'use random uuids (default gen_random_uuid()) for ids that tenants see, or number per tenant',
      });
    }
    return out;
  },
};
