import { quoteIdent } from '../../sql/text.js';
import type { LintRule, RuleFinding } from '../rule.js';
import { describeRoute, objectOf } from '../util.js';

/**
 * The attacker holds the application's connection: its login (session_user, against which SET
 * ROLE is checked) as well as the actor's role. A route from either to a SUPERUSER or BYPASSRLS
 * role is an error, unless platformRoles declares that route (a platform's own mechanism, such as
 * PostgREST's authenticator switching to service_role): then it is reported as info, with the
 * declared reason, so the reviewed design stays visible.
 */
export const actorBypassesRls: LintRule = {
  id: 'actor-bypasses-rls',
  severity: 'error',
  title: 'An actor expected to see one tenant (or none), or its login, bypasses RLS or can become a role that does',
  pitfalls: [3],
  why: 'Superusers and BYPASSRLS roles skip every policy. The attribute is not inherited, but a member can SET ROLE to it: then the whole isolation rests on the application never issuing that statement. Routes a platform needs by design are declared in platformRoles and reported as info.',
  check(ctx) {
    const out: RuleFinding[] = [];
    for (const actor of ctx.restricted) {
      if (!actor.exists) continue;
      const seen = new Set<string>();
      for (const route of actor.routes) {
        const target = ctx.role(route.role);
        if (!target || (!target.superuser && !target.bypassRls) || !route.canSetRole || seen.has(route.role)) continue;
        const attr = target.superuser ? 'SUPERUSER' : 'BYPASSRLS';
        const routes = actor.routes.filter((r) => r.role === route.role && r.canSetRole);
        seen.add(route.role);
        const undeclared = routes.filter((r) => !ctx.declaredRoute(r));
        const base = { relation: null, actor: actor.name, object: objectOf.role(route.role) };
        if (undeclared.length === 0) {
          const declared = ctx.declaredRoute(routes[0]!)!;
          out.push({
            ...base,
            severity: 'info',
            message: `${actor.name} ${describeRoute(actor, routes[0]!)}, which has ${attr}: declared in platformRoles (${declared.reason})`,
            fix: 'none while the design needs it; keep the application from issuing SET ROLE on behalf of requests it does not authenticate as that role',
          });
          continue;
        }
        const r = undeclared[0]!;
        out.push({
          ...base,
          message:
            r.path.length === 1
              ? `${actor.name} (expected: ${actor.expect}) ${r.from === actor.role ? 'uses role' : 'logs in as'} ${r.role}, which has ${attr}: no policy applies to it`
              : `${actor.name} ${describeRoute(actor, r)}, which has ${attr}: one statement and no policy applies`,
          fix:
            r.path.length === 1
              ? `ALTER ROLE ${quoteIdent(r.role)} NO${attr};${r.from === actor.role ? '' : ' or log in as a role without it'}`
              : `REVOKE ${quoteIdent(r.path[1]!)} FROM ${quoteIdent(r.from)}; (or grant it WITH SET FALSE on PostgreSQL 16+)${r.from === actor.role ? '' : `; if the platform needs this route, declare it: platformRoles: [{ role: '${r.role}', logins: ['${r.from}'], reason: '...' }]`}`,
        });
      }
    }
    return out;
  },
};
