import type { LintRule, RuleFinding } from '../rule.js';
import { objectOf } from '../util.js';

export const actorBypassesRls: LintRule = {
  id: 'actor-bypasses-rls',
  severity: 'error',
  title: 'An actor expected to see one tenant (or none) bypasses RLS, or can become a role that does',
  pitfalls: [3],
  why: 'Superusers and BYPASSRLS roles skip every policy. The attribute is not inherited, but a member can SET ROLE to it: then the whole isolation rests on the application never issuing that statement.',
  check(ctx) {
    const out: RuleFinding[] = [];
    for (const actor of ctx.restricted) {
      if (!actor.exists) continue;
      if (actor.superuser || actor.bypassRls) {
        const attr = actor.superuser ? 'SUPERUSER' : 'BYPASSRLS';
        out.push({
          relation: null,
          actor: actor.name,
          object: objectOf.role(actor.role),
          message: `${actor.name} (expected: ${actor.expect}) uses role ${actor.role}, which has ${attr}: no policy applies to it`,
          fix: `ALTER ROLE ${actor.role} NO${attr};`,
        });
      }
      const reaches = ctx.catalog.actors.find((a) => a.role === actor.role)?.reaches ?? [];
      for (const reach of reaches) {
        const target = ctx.role(reach.role);
        if (!target || (!target.superuser && !target.bypassRls) || !reach.canSetRole) continue;
        const attr = target.superuser ? 'SUPERUSER' : 'BYPASSRLS';
        out.push({
          relation: null,
          actor: actor.name,
          object: objectOf.role(reach.role),
          message: `${actor.name} (${actor.role}) can SET ROLE ${reach.role}, which has ${attr} (membership ${reach.path.join(' -> ')}): one statement and no policy applies`,
          fix: `REVOKE ${reach.path[1] ?? reach.role} FROM ${actor.role}; (or grant it WITH SET FALSE on PostgreSQL 16+)`,
        });
      }
    }
    return out;
  },
};
