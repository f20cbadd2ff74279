import type { LintRule, RuleFinding } from '../rule.js';
import { list, objectOf } from '../util.js';

export const actorMemberOfOwner: LintRule = {
  id: 'actor-member-of-owner',
  severity: 'error',
  title: 'An actor is (a member of) the owner of tenant relations',
  pitfalls: [2, 3],
  why: 'The owner skips policies unless RLS is forced, and can always disable RLS, drop policies or change grants: an actor that holds or can become the owner is not isolated at all.',
  check(ctx) {
    const owned = new Map<string, string[]>();
    for (const rel of ctx.tenantRelations) owned.set(rel.owner, [...(owned.get(rel.owner) ?? []), rel.qualifiedName]);
    const out: RuleFinding[] = [];
    for (const actor of ctx.restricted) {
      if (!actor.exists || actor.superuser) continue;
      const reaches = ctx.catalog.actors.find((a) => a.role === actor.role)?.reaches ?? [];
      for (const [owner, relations] of [...owned.entries()].sort()) {
        const reach = reaches.find((r) => r.role === owner);
        if (owner !== actor.role && !reach) continue;
        const how = owner === actor.role ? 'is the owner' : `is a member (${reach!.path.join(' -> ')}${reach!.inheritsPrivileges ? ', inheriting its rights' : ''}${reach!.canSetRole ? ', may SET ROLE' : ''})`;
        out.push({
          relation: null,
          actor: actor.name,
          object: objectOf.role(owner),
          message: `${actor.name} (${actor.role}) ${how} of ${owner}, which owns ${list(relations)}`,
          fix: owner === actor.role ? `ALTER TABLE ... OWNER TO a NOLOGIN owner role that no actor is a member of` : `REVOKE ${reach!.path[1] ?? owner} FROM ${actor.role};`,
        });
      }
    }
    return out;
  },
};
