/**
 * What the renderers need from the catalog besides the JSON report: each
 * relation's row level security, its policies as SQL and the migration file
 * and line that created it. Written next to the report
 * (`isolation-report.policies.json`) so that `tenantproof report` renders the
 * same Markdown and HTML from files alone as the gate did from the database.
 * Plain data, sorted, no oids: the same schema gives the same bytes.
 */
import { z } from 'zod';
import type { Catalog, Relation } from '../catalog/types.js';
import { sourceLocationSchema, type IsolationReport } from '../findings/types.js';
import type { ObjectLocations } from '../lint/locations.js';
import { locationKey } from '../lint/util.js';
import { quoteIdent, quoteRelation } from '../sql/text.js';

export const POLICIES_FILE = 'isolation-report.policies.json';

const policyViewSchema = z.object({
  name: z.string(),
  command: z.enum(['all', 'select', 'insert', 'update', 'delete']),
  permissive: z.boolean(),
  roles: z.array(z.string()),
  using: z.string().nullable(),
  withCheck: z.string().nullable(),
  location: sourceLocationSchema.optional(),
});
export type PolicyView = z.infer<typeof policyViewSchema>;

const relationViewSchema = z.object({
  relation: z.string(),
  kind: z.string(),
  /** How the relation belongs to a tenant (tenant-table, direct, indirect, derived), or null. */
  tenancy: z.string().nullable(),
  rls: z.object({ enabled: z.boolean(), forced: z.boolean() }),
  partitionOf: z.string().nullable(),
  /** Views: security_invoker (a view without it reads as its owner, past row level security). */
  securityInvoker: z.boolean(),
  location: sourceLocationSchema.optional(),
  policies: z.array(policyViewSchema),
});
export type RelationView = z.infer<typeof relationViewSchema>;

export const reportContextSchema = z.object({
  tool: z.literal('tenantproof'),
  /** The config file, relative to the project: where findings about roles and the tenant context point. */
  configFile: z.string().optional(),
  relations: z.array(relationViewSchema),
});
export type ReportContext = z.infer<typeof reportContextSchema>;

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * The relations a reviewer needs: tenant relations, relations with row level
 * security or policies, and every relation the report names.
 */
export function reportContext(catalog: Catalog, report: IsolationReport, o: { locations?: ObjectLocations | undefined; configFile?: string | undefined } = {}): ReportContext {
  const locations = o.locations;
  const named = new Set<string>([...report.matrix.map((m) => m.relation), ...report.findings.flatMap((f) => (f.relation ? [f.relation] : []))]);
  const relations = catalog.relations
    .filter((r) => !r.extension && (r.tenancy || r.rls.enabled || r.policies.length > 0 || named.has(r.qualifiedName)))
    .map((r) => relationView(r, locations))
    .sort((a, b) => cmp(a.relation, b.relation));
  return { tool: 'tenantproof', ...(o.configFile ? { configFile: o.configFile } : {}), relations };
}

function relationView(r: Relation, locations?: ObjectLocations): RelationView {
  const loc = locations?.get(locationKey.relation(r.qualifiedName));
  return {
    relation: r.qualifiedName,
    kind: r.kind,
    tenancy: r.tenancy?.kind ?? null,
    rls: { enabled: r.rls.enabled, forced: r.rls.forced },
    partitionOf: r.partitionOf,
    securityInvoker: r.securityInvoker,
    ...(loc ? { location: loc } : {}),
    policies: [...r.policies]
      .sort((a, b) => cmp(a.name, b.name))
      .map((p) => {
        const ploc = locations?.get(locationKey.policy(r.qualifiedName, p.name));
        return {
          name: p.name,
          command: p.command,
          permissive: p.permissive,
          roles: [...p.roles].sort(cmp),
          using: p.using,
          withCheck: p.withCheck,
          ...(ploc ? { location: ploc } : {}),
        };
      }),
  };
}

// ---- the policies as SQL, for the Markdown and the HTML (identifiers quoted as quote_ident would) ----

/** The relation's RLS switches and policies as the SQL that would create them. */
export function policiesSql(r: RelationView): string {
  const rel = quoteRelation(r.relation);
  if (r.kind === 'view' || r.kind === 'materialized-view') {
    return r.kind === 'view'
      ? `-- a view: policies of the tables it reads apply ${r.securityInvoker ? 'to the caller (security_invoker = true)' : 'to its owner, not the caller (security_invoker = false)'}`
      : '-- a materialized view: no row level security; only privileges guard it';
  }
  const lines = [
    `alter table ${rel} ${r.rls.enabled ? 'enable' : 'disable'} row level security;`,
    `alter table ${rel} ${r.rls.forced ? 'force' : 'no force'} row level security;`,
  ];
  for (const p of r.policies) {
    const to = p.roles.map((role) => (role === 'PUBLIC' ? 'public' : quoteIdent(role))).join(', ');
    let s = `create policy ${quoteIdent(p.name)} on ${rel}\n  as ${p.permissive ? 'permissive' : 'restrictive'} for ${p.command} to ${to}`;
    if (p.using !== null) s += `\n  using (${p.using})`;
    if (p.withCheck !== null) s += `\n  with check (${p.withCheck})`;
    lines.push(`${s};`);
  }
  return lines.join('\n');
}

export function parseReportContext(json: unknown): ReportContext {
  return reportContextSchema.parse(json);
}
