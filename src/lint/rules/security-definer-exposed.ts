import type { Func, Relation } from '../../catalog/types.js';
import type { LintContext } from '../context.js';
import type { LintRule, RuleFinding } from '../rule.js';
import { list, locationKey, objectOf } from '../util.js';

export const securityDefinerExposed: LintRule = {
  id: 'security-definer-exposed',
  severity: 'error',
  title: 'A SECURITY DEFINER function over tenant data is executable by an actor',
  pitfalls: [4],
  why: 'The function runs as its owner: when the owner bypasses RLS (superuser, BYPASSRLS, or table owner without FORCE) every caller gets every tenant\'s rows unless the body filters them itself.',
  check(ctx) {
    const out: RuleFinding[] = [];
    for (const f of ctx.catalog.functions) {
      if (!f.securityDefiner || !f.inScope || f.isTrigger || f.extension !== null || f.kind === 'aggregate') continue;
      const callers = ctx.restricted.filter((a) => a.exists && f.executableBy.includes(a.role));
      if (callers.length === 0) continue;
      const returned = returnedTenantRelation(ctx, f);
      const touched = f.relationsReferenced.map((n) => ctx.relation(n)).filter((r): r is Relation => r !== undefined && r.tenancy !== null);
      const bypassed = [...new Set([...(returned ? [returned] : []), ...touched])].filter((r) => ctx.bypassesRls(f.owner, r));
      if (bypassed.length === 0) continue;
      const returnsRows = returned !== null && bypassed.includes(returned);
      for (const actor of callers) {
        out.push({
          relation: returned?.qualifiedName ?? bypassed[0]!.qualifiedName,
          actor: actor.name,
          object: objectOf.function(f),
          locate: locationKey.function(f.schema, f.name),
          severity: returnsRows ? 'error' : 'warning',
          message: returnsRows
            ? `${f.signature} is SECURITY DEFINER, returns ${returned.qualifiedName} rows and is executable by ${actor.name} (${actor.role}); it runs as ${f.owner}, who bypasses RLS on ${list(bypassed.map((r) => r.qualifiedName))}: callers get every tenant's rows`
            : `${f.signature} is SECURITY DEFINER and executable by ${actor.name} (${actor.role}); it reads ${list(bypassed.map((r) => r.qualifiedName))} as ${f.owner}, who bypasses RLS there: unless the body filters by the caller's tenant it leaks other tenants' data`,
          fix: `make it SECURITY INVOKER (ALTER FUNCTION ${f.signature} SECURITY INVOKER), or REVOKE EXECUTE ON FUNCTION ${f.signature} FROM PUBLIC, ${actor.role}; if it must run as owner, filter every query by the tenant context inside`,
        });
      }
    }
    return out;
  },
};

/** The tenant relation whose rows the function returns: SETOF rel, rel, or RETURNS TABLE with the tenant column. */
function returnedTenantRelation(ctx: LintContext, f: Func): Relation | null {
  if (f.returnsRelation) {
    const rel = ctx.relation(f.returnsRelation);
    if (rel?.tenancy) return rel;
  }
  if (f.returnsTable?.some((c) => c.name === ctx.catalog.tenancy.tenantColumn)) {
    const rel = f.relationsReferenced.map((n) => ctx.relation(n)).find((r) => r?.tenancy);
    if (rel) return rel;
  }
  return null;
}
