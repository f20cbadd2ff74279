import { quoteIdent } from '../../sql/text.js';
import type { Policy, Relation } from '../../catalog/types.js';
import type { LintContext } from '../context.js';
import type { LintRule } from '../rule.js';
import { anyAccess, clausesOf, list, locationKey, objectOf, sqlPolicy } from '../util.js';

export const policyToPublic: LintRule = {
  id: 'policy-to-public',
  severity: 'warning',
  title: 'A policy on a tenant relation has no TO clause (applies to PUBLIC)',
  pitfalls: [6],
  why: 'A policy without TO applies to every role, including anonymous ones; any role that can reach the table and set the context gets its rows. An error when an actor expected to see nothing, or PUBLIC itself, holds privileges on the relation.',
  check(ctx) {
    return ctx.tenantRelations.flatMap((rel) =>
      rel.policies
        // A declared sharing policy (sharedRows, for every command it serves) shares with everyone on purpose.
        .filter((p) => p.appliesToPublic && !sharedOnPurpose(ctx, rel, p))
        .map((p) => {
          const anon = ctx.actors.filter((a) => a.expect === 'none' && a.exists && anyAccess(ctx.privileges(rel, a)));
          const reachable = anon.length > 0 || rel.publicPrivileges.length > 0;
          const who = [...anon.map((a) => a.name), ...(rel.publicPrivileges.length > 0 ? [`PUBLIC (${rel.publicPrivileges.join(', ')})`] : [])];
          return {
            relation: rel.qualifiedName,
            actor: null,
            object: objectOf.policy(p),
            locate: locationKey.policy(rel.qualifiedName, p.name),
            severity: reachable ? ('error' as const) : ('warning' as const),
            message: `policy ${p.name} on ${rel.qualifiedName} has no TO clause: it applies to every role${reachable ? `, and ${list(who)} hold privileges on the relation` : ''}`,
            fix: `DROP POLICY ${sqlPolicy(p)}; re-create it with TO <the actor roles> (e.g. TO ${list(ctx.actors.filter((a) => a.expect === 'tenant').map((a) => quoteIdent(a.role))) || 'app_member'})`,
          };
        }),
    );
  },
};

/** Every command the policy serves is a declared sharing of rows (sharedRows, with the access it needs). */
function sharedOnPurpose(ctx: LintContext, rel: Relation, p: Policy): boolean {
  const clauses = clausesOf(p);
  return clauses.length > 0 && clauses.every((c) => c.commands.every((cmd) => ctx.sharedBy(rel, p, c.text, cmd)));
}
