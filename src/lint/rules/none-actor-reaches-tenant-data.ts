import { quoteIdent, quoteRelation } from '../../sql/text.js';
import type { LintRule, RuleFinding } from '../rule.js';
import { accessList, clausesOf, hasAccess, list, policyApplies } from '../util.js';

export const noneActorReachesTenantData: LintRule = {
  id: 'none-actor-reaches-tenant-data',
  severity: 'error',
  title: 'An actor expected to see no tenant data has a policy that admits rows',
  pitfalls: [6, 18],
  why: 'An anonymous actor has no tenant, yet it can set any custom setting itself: a policy that applies to it (even one comparing with the tenant context) lets it pick a tenant and read or write its rows.',
  check(ctx) {
    const out: RuleFinding[] = [];
    for (const actor of ctx.actors) {
      if (actor.expect !== 'none' || !actor.exists) continue;
      for (const rel of ctx.tenantRelations) {
        if (!rel.rls.enabled || ctx.bypassesRls(actor.role, rel)) continue;
        const privileges = ctx.privileges(rel, actor);
        // A clause admits a command the actor holds, unless it is `false` or a declared sharing of rows (sharedRows).
        const admitting = rel.policies.filter(
          (p) =>
            p.permissive &&
            policyApplies(p, actor) &&
            clausesOf(p).some((c) => c.text.trim().toLowerCase() !== 'false' && c.commands.some((cmd) => hasAccess(privileges, cmd) && !ctx.sharedBy(rel, p, c.text, cmd))),
        );
        if (admitting.length === 0) continue;
        out.push({
          relation: rel.qualifiedName,
          actor: actor.name,
          message: `${actor.name} (${actor.role}, expected to see nothing) holds ${accessList(privileges).join(', ')} on ${rel.qualifiedName} and polic${admitting.length === 1 ? 'y' : 'ies'} ${list(admitting.map((p) => p.name))} appl${admitting.length === 1 ? 'ies' : 'y'} to it`,
          fix: `REVOKE ALL ON ${quoteRelation(rel.qualifiedName)} FROM ${quoteIdent(actor.role)}; and give the policies a TO clause that names only the tenant actors`,
        });
      }
    }
    return out;
  },
};
