import type { LintRule, RuleFinding } from '../rule.js';
import { list, objectOf } from '../util.js';

export const configUnknownObject: LintRule = {
  id: 'config-unknown-object',
  severity: 'warning',
  title: 'The config names a relation, column, policy, role or schema the database does not have, or finds no tenant data at all',
  pitfalls: [],
  why: 'A misspelt tenant column or table makes every tenant rule silent: the verdict would pass on nothing. Stale exceptions hide nothing but mislead reviewers.',
  check(ctx) {
    const out: RuleFinding[] = [];
    const { tenancy } = ctx.config;
    const columns = ctx.catalog.tenancy.tenantColumns;
    const missing = (relation: string, message: string, fix = 'correct or remove the entry'): RuleFinding => ({ relation, actor: null, message, fix });
    if (tenancy.tenantTable && !ctx.relation(tenancy.tenantTable))
      out.push({ ...missing(tenancy.tenantTable, `tenancy.tenantTable ${tenancy.tenantTable} does not exist (scanned schemas: ${ctx.catalog.scannedSchemas.join(', ')})`, 'correct tenancy.tenantTable, or tenancy.schemas if its schema is not scanned'), severity: 'error' });
    if (ctx.tenantRelations.length === 0)
      out.push({ relation: null, actor: null, severity: 'error', message: `no relation in ${ctx.catalog.scannedSchemas.join(', ') || 'any schema'} has a tenant column (${columns.join(', ')}) or references a tenant table: there is nothing to isolate`, fix: 'set tenancy.tenantColumn (e.g. "org_id", "account_id", or several names) and tenancy.schemas to match the schema' });
    // A per-relation tenant column that does not exist silently drops the relation from tenancy.
    for (const [relation, override] of Object.entries(tenancy.relations)) {
      const rel = ctx.relation(relation);
      if (!rel) out.push(missing(relation, `tenancy.relations names ${relation}, which does not exist`));
      else if (!rel.columns.some((c) => c.name === override.tenantColumn))
        out.push({
          ...missing(relation, `tenancy.relations gives ${relation} the tenant column ${override.tenantColumn}, which it does not have: it is not treated as holding its own tenant`, `use one of its columns: ${list(rel.columns.map((c) => c.name))}`),
          object: objectOf.column(relation, override.tenantColumn),
          severity: 'error',
        });
    }
    for (const [key, entry] of [['principals', tenancy.principals], ['memberships', tenancy.memberships]] as const) {
      if (entry && !ctx.relation(entry.relation)) out.push({ ...missing(entry.relation, `tenancy.${key} names ${entry.relation}, which does not exist`, `correct tenancy.${key}.relation`), severity: 'error' });
    }
    for (const s of tenancy.schemas ?? []) {
      if (!ctx.catalog.scannedSchemas.includes(s)) out.push({ relation: null, actor: null, object: `schema ${s}`, message: `tenancy.schemas names ${s}, which does not exist`, fix: 'correct or remove it' });
    }
    for (const g of ctx.config.globalTables) {
      if (!ctx.relation(g.relation)) out.push(missing(g.relation, `globalTables names ${g.relation}, which does not exist`));
    }
    for (const s of ctx.config.sharedRows) {
      const rel = ctx.relation(s.relation);
      if (!rel) out.push(missing(s.relation, `sharedRows names ${s.relation}, which does not exist`));
      else if (s.policy !== undefined && !rel.policies.some((p) => p.name === s.policy))
        out.push({ ...missing(s.relation, `sharedRows names policy ${s.policy} on ${s.relation}, which does not exist`, `use one of: ${rel.policies.map((p) => p.name).join(', ') || '(no policy)'}`), object: `policy ${s.relation}.${s.policy}` });
    }
    for (const p of ctx.config.platformRoles) {
      for (const role of [p.role, ...p.logins]) {
        if (!ctx.role(role)) out.push({ relation: null, actor: null, object: objectOf.role(role), message: `platformRoles names role ${role}, which does not exist`, fix: 'correct or remove the entry' });
      }
    }
    for (const [key, entries] of [['accept', ctx.config.accept], ['lint.ignore', ctx.config.lint.ignore]] as const) {
      for (const a of entries) if (a.relation !== undefined && !ctx.relation(a.relation)) out.push(missing(a.relation, `${key} accepts findings on ${a.relation}, which does not exist`));
    }
    return out;
  },
};
