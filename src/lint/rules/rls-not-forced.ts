import type { Func, Policy, Relation } from '../../catalog/types.js';
import { quoteRelation } from '../../sql/text.js';
import type { LintContext } from '../context.js';
import type { LintRule, RuleFinding } from '../rule.js';
import { describeRoute, describeScope, isTopLevelTable, list } from '../util.js';

/**
 * ENABLE without FORCE matters exactly when something acts as the owner: an error when an actor
 * (or the login it connects as) is or can become a non-superuser owner; FORCE never binds a
 * superuser, so there the only risk is a path to that role (actor-bypasses-rls reports it);
 * otherwise a hardening note. The fix warns when FORCE would bind the owner's own SECURITY
 * DEFINER helpers: a policy that calls a helper reading the same table recurses without end.
 */
export const rlsNotForced: LintRule = {
  id: 'rls-not-forced',
  severity: 'error',
  title: 'Row level security is enabled but not forced',
  pitfalls: [2],
  why: 'A non-superuser table owner, and every role holding its privileges, skips the policies unless RLS is forced: an actor that is or can become the owner sees every tenant. FORCE does nothing for a superuser owner, and without a path to the owner it only guards future ones.',
  check(ctx) {
    const out: RuleFinding[] = [];
    for (const rel of ctx.tenantRelations) {
      if (!isTopLevelTable(rel) || !rel.rls.enabled || rel.rls.forced) continue;
      const base = { relation: rel.qualifiedName, actor: null };
      const owner = ctx.role(rel.owner);
      if (owner?.superuser) {
        out.push({
          ...base,
          severity: 'info',
          message: `${rel.qualifiedName} ${describeScope(rel)}; RLS is enabled, not forced, and its owner ${rel.owner} is a superuser: FORCE has no effect on a superuser, so the real risk is any path from an actor or login to ${rel.owner} (reported by actor-bypasses-rls)`,
          fix: `none for FORCE; keep every actor and login without membership in ${rel.owner}, or give the table a NOLOGIN, non-superuser owner and then FORCE it`,
        });
        continue;
      }
      // Routes platformRoles declares are by design (actor-member-of-owner reports them as info).
      const all = ctx.restricted.filter((a) => a.exists).flatMap((a) => ctx.routesTo(a, rel.owner).map((r) => ({ actor: a, route: r })));
      const routes = all.filter((x) => !ctx.declaredRoute(x.route)).map((x) => `${x.actor.name} ${describeRoute(x.actor, x.route)}`);
      const fix = `ALTER TABLE ${quoteRelation(rel.qualifiedName)} FORCE ROW LEVEL SECURITY;${forceCaveat(ctx, rel)}`;
      if (routes.length > 0) {
        out.push({
          ...base,
          message: `${rel.qualifiedName} ${describeScope(rel)}; RLS is enabled but not forced, so its owner ${rel.owner} bypasses every policy, and ${list(routes)}: that actor sees and writes every tenant's rows`,
          fix,
        });
      } else {
        out.push({
          ...base,
          severity: 'info',
          message: `${rel.qualifiedName} ${describeScope(rel)}; RLS is enabled but not forced: its owner ${rel.owner} bypasses the policies, but no actor or login is or can become ${rel.owner} today${all.length > 0 ? ' other than through routes declared in platformRoles' : ''}; FORCE would also bind views and SECURITY DEFINER functions owned by it`,
          fix,
        });
      }
    }
    return out;
  },
};

/**
 * What FORCE would break: the owner's SECURITY DEFINER functions that read the table become bound
 * by its policies. When a policy that applies to the owner calls such a function, each read calls
 * it again (stack depth limit exceeded); when no policy applies to the owner, the function sees no row.
 */
function forceCaveat(ctx: LintContext, rel: Relation): string {
  const bound = (f: Func) => f.securityDefiner && ctx.inheritedBy(f.owner).has(rel.owner);
  const readers = ctx.catalog.functions.filter((f) => bound(f) && readsRelation(ctx, f, rel));
  if (readers.length === 0) return '';
  const appliesTo = (p: Policy, role: string) => p.appliesToPublic || p.roles.some((r) => ctx.inheritedBy(role).has(r));
  const recursive = readers.filter((f) => rel.policies.some((p) => appliesTo(p, f.owner) && callClosure(ctx, p.functions).includes(f.signature)));
  const names = (fs: Func[]) => list(fs.map((f) => f.signature));
  if (recursive.length > 0)
    return ` CAUTION: ${names(recursive)} (SECURITY DEFINER as ${recursive[0]!.owner}) read${recursive.length === 1 ? 's' : ''} ${rel.qualifiedName} and ${recursive.length === 1 ? 'is' : 'are'} called by its policies, which apply to that role too: once forced, each read applies the policies, which call the function again, and every query fails with "stack depth limit exceeded". First give the function an owner that no policy applies to and that may read the table (a BYPASSRLS role no actor can reach), or a policy for its owner that calls nothing.`;
  const blind = readers.filter((f) => !rel.policies.some((p) => appliesTo(p, f.owner)));
  if (blind.length > 0)
    return ` CAUTION: ${names(blind)} (SECURITY DEFINER) read${blind.length === 1 ? 's' : ''} ${rel.qualifiedName} as ${blind[0]!.owner}, and no policy applies to ${blind[0]!.owner}: once forced, ${blind.length === 1 ? 'it sees' : 'they see'} no row. Add a policy for that role first, or give the function an owner that bypasses RLS and that no actor can reach.`;
  return ` Note: ${names(readers)} read${readers.length === 1 ? 's' : ''} ${rel.qualifiedName} as its owner (SECURITY DEFINER): once forced, only the rows its policies admit to that role.`;
}

/** Does the function, or a function it calls (which runs with its rights), name the relation? */
function readsRelation(ctx: LintContext, f: Func, rel: Relation): boolean {
  return callClosure(ctx, [f.signature]).some((sig) => ctx.func(sig)?.relationsReferenced.includes(rel.qualifiedName) ?? false);
}

/** The signatures given and every function they call, transitively. */
function callClosure(ctx: LintContext, signatures: readonly string[]): string[] {
  const seen = new Set<string>();
  const queue = [...signatures];
  while (queue.length > 0) {
    const sig = queue.shift()!;
    if (seen.has(sig)) continue;
    seen.add(sig);
    queue.push(...(ctx.func(sig)?.calls ?? []));
  }
  return [...seen];
}
