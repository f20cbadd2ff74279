import type { LintRule, RuleFinding } from '../rule.js';
import { list, locationKey, objectOf, writeAccess } from '../util.js';

export const policySubqueryWithoutRls: LintRule = {
  id: 'policy-subquery-without-rls',
  severity: 'error',
  title: 'A policy looks up a table without RLS that an actor can write',
  pitfalls: [19],
  why: 'A policy that decides through another table (memberships, grants), in a subquery or in a function it calls, is only as strong as that table: if an actor can insert or update its rows freely, it grants itself another tenant.',
  check(ctx) {
    const out: RuleFinding[] = [];
    for (const rel of ctx.tenantRelations) {
      for (const policy of rel.policies) {
        // Subqueries of the expression (pg_depend), then relations read by the functions it calls (any depth).
        const lookups = new Map<string, string[]>(policy.relations.map((r) => [r, []]));
        for (const r of policy.relationsThroughCalls) if (!lookups.has(r.relation)) lookups.set(r.relation, r.chain);
        for (const [name, chain] of lookups) {
          const looked = ctx.relation(name);
          if (!looked || looked === rel) continue;
          const writers = ctx.restricted.filter((a) => a.exists && writeAccess(ctx.privileges(looked, a)).length > 0 && ctx.bypassesRls(a.role, looked));
          if (writers.length === 0) continue;
          const through = chain.length > 0 ? ` (through ${chain.join(' -> ')})` : '';
          out.push({
            relation: rel.qualifiedName,
            actor: null,
            object: objectOf.policy(policy),
            locate: locationKey.policy(rel.qualifiedName, policy.name),
            message: `policy ${policy.name} on ${rel.qualifiedName} decides through ${looked.qualifiedName}${through}, which ${looked.rls.enabled ? 'does not restrict' : 'has no row level security for'} ${list(writers.map((a) => `${a.name} (${writeAccess(ctx.privileges(looked, a)).join('/').toUpperCase()})`))}: they can write the rows that grant access`,
            fix: `enable and force RLS on ${looked.qualifiedName} with tenant-checked write policies, or revoke the actors' write privileges on it`,
          });
        }
      }
    }
    return out;
  },
};
