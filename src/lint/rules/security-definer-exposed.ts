import type { Func, Relation } from '../../catalog/types.js';
import { quoteIdent } from '../../sql/text.js';
import type { LintContext } from '../context.js';
import type { LintRule, RuleFinding } from '../rule.js';
import { list, locationKey, objectOf, sqlFunction, tenantColumnOf } from '../util.js';

/**
 * A review note, not a verdict: most such functions check membership, ownership or a token
 * in their body, which no static reading can judge. The call probe calls every function an
 * actor may execute, as every actor, with its own and other tenants' ids, and reports an
 * error when another tenant's data comes back.
 */
export const securityDefinerExposed: LintRule = {
  id: 'security-definer-exposed',
  severity: 'info',
  title: 'A SECURITY DEFINER function over tenant data is executable by an actor (review; the call probe judges it)',
  pitfalls: [4],
  why: 'The function runs as its owner: when the owner bypasses RLS (superuser, BYPASSRLS, or table owner without FORCE) every caller gets every tenant\'s rows unless the body filters them itself. Whether it does is decided by calling it: the call probe does, as every actor.',
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
          message: `review: ${f.signature} is SECURITY DEFINER and executable by ${actor.name} (${actor.role}); it ${returnsRows ? `returns ${returned.qualifiedName} rows and ` : ''}reads ${list(bypassed.map((r) => r.qualifiedName))} as ${f.owner}, who bypasses RLS there, so only its body keeps other tenants' data out (the call probe calls it as every actor)`,
          fix: `if the body does not check the caller's tenant, membership or token: make it SECURITY INVOKER (ALTER FUNCTION ${sqlFunction(f)} SECURITY INVOKER) or REVOKE EXECUTE ON FUNCTION ${sqlFunction(f)} FROM PUBLIC, ${quoteIdent(actor.role)}`,
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
  // RETURNS TABLE (..., <tenant column>, ...): the relation it reads that has that column.
  const names = new Set(f.returnsTable?.map((c) => c.name) ?? []);
  const rel = f.relationsReferenced.map((n) => ctx.relation(n)).find((r) => r?.tenancy && names.has(tenantColumnOf(r) ?? ''));
  if (rel) return rel;
  return null;
}
