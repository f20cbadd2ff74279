import type { LintRule, RuleFinding } from '../rule.js';

export const configUnknownObject: LintRule = {
  id: 'config-unknown-object',
  severity: 'warning',
  title: 'The config names a relation, policy or schema the database does not have, or finds no tenant data at all',
  pitfalls: [],
  why: 'A misspelt tenant column or table makes every tenant rule silent: the verdict would pass on nothing. Stale exceptions hide nothing but mislead reviewers.',
  check(ctx) {
    const out: RuleFinding[] = [];
    const { tenancy } = ctx.config;
    const column = ctx.catalog.tenancy.tenantColumn;
    if (tenancy.tenantTable && !ctx.relation(tenancy.tenantTable))
      out.push({ relation: tenancy.tenantTable, actor: null, severity: 'error', message: `tenancy.tenantTable ${tenancy.tenantTable} does not exist (scanned schemas: ${ctx.catalog.scannedSchemas.join(', ')})`, fix: 'correct tenancy.tenantTable, or tenancy.schemas if its schema is not scanned' });
    if (ctx.tenantRelations.length === 0)
      out.push({ relation: null, actor: null, severity: 'error', message: `no relation in ${ctx.catalog.scannedSchemas.join(', ') || 'any schema'} has the tenant column ${column} or references a tenant table: there is nothing to isolate`, fix: 'set tenancy.tenantColumn (e.g. "org_id", "account_id") and tenancy.schemas to match the schema' });
    for (const s of tenancy.schemas ?? []) {
      if (!ctx.catalog.scannedSchemas.includes(s)) out.push({ relation: null, actor: null, object: `schema ${s}`, message: `tenancy.schemas names ${s}, which does not exist`, fix: 'correct or remove it' });
    }
    for (const g of ctx.config.globalTables) {
      if (!ctx.relation(g.relation)) out.push({ relation: g.relation, actor: null, message: `globalTables names ${g.relation}, which does not exist`, fix: 'correct or remove the entry' });
    }
    for (const s of ctx.config.sharedRows) {
      const rel = ctx.relation(s.relation);
      if (!rel) out.push({ relation: s.relation, actor: null, message: `sharedRows names ${s.relation}, which does not exist`, fix: 'correct or remove the entry' });
      else if (s.policy !== undefined && !rel.policies.some((p) => p.name === s.policy))
        out.push({ relation: s.relation, actor: null, object: `policy ${s.relation}.${s.policy}`, message: `sharedRows names policy ${s.policy} on ${s.relation}, which does not exist`, fix: `use one of: ${rel.policies.map((p) => p.name).join(', ') || '(no policy)'}` });
    }
    return out;
  },
};
