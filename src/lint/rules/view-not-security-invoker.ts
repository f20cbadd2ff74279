import { quoteRelation } from '../../sql/text.js';
import type { LintRule, RuleFinding } from '../rule.js';
import { baseRelations, exposedTo, list } from '../util.js';

export const viewNotSecurityInvoker: LintRule = {
  id: 'view-not-security-invoker',
  severity: 'error',
  title: 'A view over tenant data runs with its owner\'s rights (no security_invoker)',
  pitfalls: [5],
  why: 'A view without security_invoker reads its tables as the view\'s owner: when the owner bypasses RLS, every actor that may select from the view sees every tenant.',
  check(ctx) {
    const out: RuleFinding[] = [];
    for (const view of ctx.tenantRelations) {
      if (view.kind !== 'view' || view.securityInvoker || view.extension !== null) continue;
      const readers = exposedTo(ctx, view, 'select');
      if (readers.length === 0) continue;
      const bases = baseRelations(ctx, view).filter((r) => r.tenancy !== null);
      const bypassed = bases.filter((r) => ctx.bypassesRls(view.owner, r));
      for (const actor of readers) {
        out.push({
          relation: view.qualifiedName,
          actor: actor.name,
          severity: bypassed.length > 0 ? 'error' : 'warning',
          message:
            bypassed.length > 0
              ? `view ${view.qualifiedName} has no security_invoker: it reads ${list(bypassed.map((r) => r.qualifiedName))} as ${view.owner}, who bypasses RLS there, so ${actor.name} (${actor.role}) sees every tenant's rows through it`
              : `view ${view.qualifiedName} has no security_invoker: it reads ${list(bases.map((r) => r.qualifiedName))} as ${view.owner}, not as ${actor.name}; the policies for ${actor.role} are not the ones applied`,
          fix: `ALTER VIEW ${quoteRelation(view.qualifiedName)} SET (security_invoker = true);`,
        });
      }
    }
    return out;
  },
};
