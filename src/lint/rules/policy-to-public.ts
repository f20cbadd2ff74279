import type { LintRule } from '../rule.js';
import { anyAccess, list, locationKey, objectOf, qualified } from '../util.js';

export const policyToPublic: LintRule = {
  id: 'policy-to-public',
  severity: 'warning',
  title: 'A policy on a tenant relation has no TO clause (applies to PUBLIC)',
  pitfalls: [6],
  why: 'A policy without TO applies to every role, including anonymous ones; any role that can reach the table and set the context gets its rows. An error when an actor expected to see nothing, or PUBLIC itself, holds privileges on the relation.',
  check(ctx) {
    return ctx.tenantRelations.flatMap((rel) =>
      rel.policies
        .filter((p) => p.appliesToPublic)
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
            fix: `DROP POLICY ${qualified(p.name)} ON ${qualified(rel.qualifiedName)}; re-create it with TO <the actor roles> (e.g. TO ${list(ctx.actors.filter((a) => a.expect === 'tenant').map((a) => a.role)) || 'app_member'})`,
          };
        }),
    );
  },
};
