import { quoteIdent, quoteRelation } from '../../sql/text.js';
import type { Relation } from '../../catalog/types.js';
import type { AccessLevel } from '../../config/schema.js';
import type { ActorInfo, LintContext } from '../context.js';
import type { LintRule, RuleFinding } from '../rule.js';
import { hasAccess, policyApplies, type Access } from '../util.js';

export const globalTableAccess: LintRule = {
  id: 'global-table-access',
  severity: 'error',
  title: 'An actor may do more with a global table than the config allows',
  pitfalls: [],
  why: 'A global table is shared by every tenant: an actor that may write it changes what all tenants see, which the config must say on purpose.',
  check(ctx) {
    const out: RuleFinding[] = [];
    for (const g of ctx.config.globalTables) {
      const rel = ctx.relation(g.relation);
      if (!rel) continue;
      for (const actor of ctx.actors) {
        if (!actor.exists) continue;
        const allowed: AccessLevel = g.access[actor.name] ?? g.defaultAccess;
        const writes = (['insert', 'update', 'delete'] as const).filter((a) => effective(ctx, rel, actor, a));
        const truncate = ctx.privileges(rel, actor)?.truncate ?? false;
        const reads = effective(ctx, rel, actor, 'select');
        if ((writes.length > 0 || truncate) && allowed !== 'write') {
          const what = [...writes.map((w) => w.toUpperCase()), ...(truncate ? ['TRUNCATE'] : [])];
          out.push({
            relation: rel.qualifiedName,
            actor: actor.name,
            message: `${actor.name} (${actor.role}) may ${what.join('/')} global table ${rel.qualifiedName}, but the config allows '${allowed}'`,
            fix: `REVOKE ${what.join(', ')} ON ${quoteRelation(rel.qualifiedName)} FROM ${quoteIdent(actor.role)}; or set globalTables access.${actor.name} to 'write' if intended`,
          });
        } else if (reads && allowed === 'none') {
          out.push({
            relation: rel.qualifiedName,
            actor: actor.name,
            message: `${actor.name} (${actor.role}) may read global table ${rel.qualifiedName}, but the config allows 'none'`,
            fix: `REVOKE SELECT ON ${quoteRelation(rel.qualifiedName)} FROM ${quoteIdent(actor.role)}; or set globalTables access.${actor.name} to 'read'`,
          });
        }
      }
    }
    return out;
  },
};

/** A privilege that RLS does not take back: RLS off, bypassed, or a permissive policy for the command applies. */
function effective(ctx: LintContext, rel: Relation, actor: ActorInfo, access: Access): boolean {
  if (!hasAccess(ctx.privileges(rel, actor), access)) return false;
  if (ctx.bypassesRls(actor.role, rel)) return true;
  return rel.policies.some((p) => p.permissive && policyApplies(p, actor) && (p.command === 'all' || p.command === access));
}
