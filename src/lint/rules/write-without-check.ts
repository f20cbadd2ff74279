import type { LintRule } from '../rule.js';
import { locationKey, objectOf } from '../util.js';

export const writeWithoutCheck: LintRule = {
  id: 'write-without-check',
  severity: 'warning',
  title: 'An INSERT, UPDATE or ALL policy has no explicit WITH CHECK',
  pitfalls: [9, 10],
  why: 'An INSERT policy without WITH CHECK admits no row at all; an UPDATE or ALL policy silently reuses USING for new rows, so a later edit of USING changes which rows may be written or moved. Written out, the write rule is reviewed on its own.',
  check(ctx) {
    return ctx.tenantRelations.flatMap((rel) =>
      rel.policies
        .filter((p) => p.withCheck === null && (p.command === 'insert' || p.command === 'update' || p.command === 'all'))
        .map((p) => ({
          relation: rel.qualifiedName,
          actor: null,
          object: objectOf.policy(p),
          locate: locationKey.policy(rel.qualifiedName, p.name),
          message:
            p.command === 'insert'
              ? `policy ${p.name} on ${rel.qualifiedName} is FOR INSERT without WITH CHECK: it admits no row (the write is denied, or allowed only by another policy)`
              : `policy ${p.name} on ${rel.qualifiedName} is FOR ${p.command.toUpperCase()} without WITH CHECK: new and moved rows are checked with USING (${p.using ?? 'nothing'}) by default`,
          fix: `ALTER POLICY ${p.name} ON ${rel.qualifiedName} WITH CHECK (${ctx.catalog.tenancy.tenantColumn} = <tenant context>);`,
        })),
    );
  },
};
