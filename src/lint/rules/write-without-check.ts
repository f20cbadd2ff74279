import type { Policy } from '../../catalog/types.js';
import type { LintRule } from '../rule.js';
import { locationKey, objectOf, sqlPolicy, tenantCheckSql } from '../util.js';

/**
 * PostgreSQL checks new rows of a policy with its WITH CHECK expression, or with its USING
 * expression when it has none (ALL and UPDATE policies; see CREATE POLICY and rowsecurity.c's
 * QUAL_FOR_WCO): those policies are checked, and not reported. Left are the policies with
 * nothing to check new rows with: an INSERT policy without WITH CHECK, an ALL or UPDATE
 * policy with neither clause. Each admits no new row (measured on the server): a policy that
 * was meant to allow writes and silently allows none.
 */
export const writeWithoutCheck: LintRule = {
  id: 'write-without-check',
  severity: 'warning',
  title: 'An INSERT policy has no WITH CHECK (or an ALL/UPDATE policy no expression at all): it admits no new row',
  pitfalls: [9, 10],
  why: 'An ALL or UPDATE policy without WITH CHECK checks new rows with its USING expression, which is sound. An INSERT policy has no USING: without WITH CHECK it admits no row, so the write it was written for is denied (or allowed only by another policy).',
  check(ctx) {
    return ctx.tenantRelations.flatMap((rel) =>
      rel.policies.filter(checksNothing).map((p) => ({
        relation: rel.qualifiedName,
        actor: null,
        object: objectOf.policy(p),
        locate: locationKey.policy(rel.qualifiedName, p.name),
        message:
          p.command === 'insert'
            ? `policy ${p.name} on ${rel.qualifiedName} is FOR INSERT without WITH CHECK: it admits no row (the insert is denied, or allowed only by another policy)`
            : `policy ${p.name} on ${rel.qualifiedName} is FOR ${p.command.toUpperCase()} without USING or WITH CHECK: it admits no row`,
        fix: `ALTER POLICY ${sqlPolicy(p)}${p.command === 'insert' ? '' : ` USING (${tenantCheckSql(ctx, rel)})`} WITH CHECK (${tenantCheckSql(ctx, rel)});`,
      })),
    );
  },
};

/** No expression to check a new row with: WITH CHECK, else USING (which INSERT policies cannot have). */
function checksNothing(p: Policy): boolean {
  if (p.command === 'select' || p.command === 'delete') return false;
  return p.withCheck === null && (p.command === 'insert' || p.using === null);
}
