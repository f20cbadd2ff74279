/**
 * read-escalated: SET ROLE is checked against the login (session_user), so
 * every role the login may switch to is one the actor may become. Read as
 * each of them; a role that bypasses row level security or owns the table
 * shows other tenants' rows (pitfall 3). Paths the config declares in
 * platformRoles are the platform's own and are not tried, nor are the roles
 * of other actors (a shared login reaches them by design; each is probed as
 * an actor of its own).
 */
import { quoteLiteral } from '../../sql/text.js';
import type { ActorModel } from '../../tenancy/model.js';
import { readBlock, readReplay } from '../kit.js';
import type { CheckDraft, ProbeContext, ProbeDefinition } from '../probe.js';

export function escalationTargets(cx: ProbeContext, actor: ActorModel): string[] {
  // A tenant's own login role (role per tenant) is a member of the shared role: it reaches what that role reaches.
  const from = actor.login ?? actor.role;
  const reach = cx.catalog.actors.find((a) => a.role === from)?.reaches ?? [];
  // The platform's declared paths, and the roles of other actors (judged as actors of their own), are no escalation.
  const declared = new Set([...cx.config.platformRoles.filter((p) => p.logins.includes(from)).map((p) => p.role), ...cx.model.actors.map((a) => a.role)]);
  const targets = reach.filter((r) => r.canSetRole && r.role !== actor.role && !declared.has(r.role)).map((r) => r.role);
  if (actor.login === null) targets.push(...(cx.catalog.actors.find((a) => a.role === actor.role)?.reaches ?? []).filter((r) => r.canSetRole && !declared.has(r.role)).map((r) => r.role));
  return [...new Set(targets)].sort();
}

export const readEscalated: ProbeDefinition<'read-escalated'> = {
  id: 'read-escalated',
  family: 'read',
  severity: 'error',
  title: 'The actor can SET ROLE past row level security',
  why: 'A role the login may switch to bypasses the policies or owns the tables.',
  fix: "revoke the membership that lets the application's login switch to a role with BYPASSRLS or ownership (or declare it in platformRoles if it is the platform's own mechanism)",
  phrase: { tenant: 'escapes to a role that bypasses row level security', none: 'escapes to a role that bypasses row level security' },
  checks(cx, actor) {
    if (!(actor.expect === 'tenant' || actor.expect === 'none')) return [];
    return escalationTargets(cx, actor).flatMap((target) =>
      cx.relations.filter((p) => p.relation.partitionOf === null).flatMap((p): CheckDraft[] => {
        const block = readBlock(cx, p, 'context', [`perform set_config('role', ${quoteLiteral(target)}, true);`]);
        if (!block) return [];
        return [
          {
            probe: 'read-escalated',
            subject: p.relation.qualifiedName,
            mode: 'context',
            describe: `SET ROLE ${target}, then read ${p.relation.qualifiedName}`,
            block,
            replay: (rc) => [`select set_config('role', ${quoteLiteral(target)}, true);`, ...readReplay(cx, p.relation, rc)],
          },
        ];
      }),
    );
  },
};
