import { quoteIdent } from '../../sql/text.js';
import type { LintRule, RuleFinding } from '../rule.js';
import { describeRoute, list, objectOf } from '../util.js';

export const actorMemberOfOwner: LintRule = {
  id: 'actor-member-of-owner',
  severity: 'error',
  title: 'An actor, or its login, is or can become the owner of tenant relations',
  pitfalls: [2, 3],
  why: 'The owner skips policies unless RLS is forced, and can always disable RLS, drop policies or change grants: an actor that holds or can become the owner (through its role or the login it connects as) is not isolated at all. A route a platform needs by design is declared in platformRoles and reported as info.',
  check(ctx) {
    const owned = new Map<string, string[]>();
    for (const rel of ctx.tenantRelations) owned.set(rel.owner, [...(owned.get(rel.owner) ?? []), rel.qualifiedName]);
    const out: RuleFinding[] = [];
    for (const actor of ctx.restricted) {
      if (!actor.exists || actor.superuser) continue;
      for (const [owner, relations] of [...owned.entries()].sort()) {
        const routes = ctx.routesTo(actor, owner);
        if (routes.length === 0) continue;
        const undeclared = routes.find((r) => !ctx.declaredRoute(r));
        const route = undeclared ?? routes[0]!;
        const declared = undeclared ? undefined : ctx.declaredRoute(route);
        out.push({
          relation: null,
          actor: actor.name,
          object: objectOf.role(owner),
          ...(declared ? { severity: 'info' as const } : {}),
          message: `${actor.name} (${actor.role}${actor.login === actor.role ? '' : `, login ${actor.login}`}) ${describeRoute(actor, route)}, which owns ${list(relations)}${declared ? `: declared in platformRoles (${declared.reason})` : ''}`,
          fix: declared
            ? 'none while the design needs it'
            : route.path.length === 1
              ? `ALTER TABLE ... OWNER TO a NOLOGIN owner role that no actor or login is a member of${route.from === actor.role ? '' : `, or log in as a role that owns nothing`}`
              : `REVOKE ${quoteIdent(route.path[1]!)} FROM ${quoteIdent(route.from)};`,
        });
      }
    }
    return out;
  },
};
