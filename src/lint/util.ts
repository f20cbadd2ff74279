/** Helpers shared by the rules: object names, location keys, privilege questions, SQL text for fixes. */
import type { Func, Policy, PolicyCommand, Relation, RelationPrivileges } from '../catalog/types.js';
import { quoteIdent, quoteQualified, quoteRelation } from '../sql/text.js';
import type { ActorInfo, LintContext, RoleRoute } from './context.js';

// ---- object names (the `object` field) and location keys (see locations.ts) ----

export const objectOf = {
  policy: (p: Pick<Policy, 'relation' | 'name'>) => `policy ${p.relation}.${p.name}`,
  function: (f: Pick<Func, 'signature'>) => `function ${f.signature}`,
  constraint: (rel: string, name: string) => `constraint ${rel}.${name}`,
  index: (rel: Relation, name: string) => `index ${rel.schema}.${name}`,
  column: (rel: string, column: string) => `column ${rel}.${column}`,
  role: (name: string) => `role ${name}`,
  sequence: (name: string) => `sequence ${name}`,
  actorContext: (actor: string) => `actor ${actor} context`,
};

export const locationKey = {
  relation: (qualifiedName: string) => `relation:${qualifiedName}`,
  policy: (relation: string, name: string) => `policy:${relation}.${name}`,
  function: (schema: string, name: string) => `function:${schema}.${name}`,
};

// ---- SQL text for fixes (identifiers quoted as quote_ident would, through src/sql/text.ts) ----

/** A function as SQL for ALTER/REVOKE: quoted name and its identity arguments (already SQL, from the server). */
export function sqlFunction(f: Pick<Func, 'schema' | 'name' | 'signature'>): string {
  return `${quoteQualified(f.schema, f.name)}${f.signature.slice(f.schema.length + 1 + f.name.length)}`;
}

/** A policy as SQL for ALTER/DROP POLICY: `name ON schema.table`. */
export function sqlPolicy(p: Pick<Policy, 'name' | 'relation'>): string {
  return `${quoteIdent(p.name)} ON ${quoteRelation(p.relation)}`;
}

/** Two SQL expressions compared as a reviewer would: case, spacing, parentheses and ::casts ignored (pg_get_expr adds the last two). */
export function sameExpression(a: string, b: string): boolean {
  const canon = (e: string) => e.toLowerCase().replace(/::[a-z_][\w. ]*?(?=[\s),=<>]|$)/g, '').replace(/[()\s]/g, '');
  return canon(a) === canon(b);
}

// ---- the relation's own tenant column ----

/** The column of this relation that names the tenant (its own column, or the tenant table's key); null when the tenant comes through a foreign key or a view. */
export function tenantColumnOf(rel: Relation): string | null {
  const t = rel.tenancy;
  return t && (t.kind === 'direct' || t.kind === 'tenant-table') ? t.column : null;
}

/**
 * SQL for a fix that pins a row of `rel` to the tenant context, naming only columns the
 * relation has: its tenant column, or (indirect tenancy) a lookup of its parent row that
 * relies on the parent's own policies. `<tenant context>` stays for the reader to fill in.
 */
export function tenantCheckSql(ctx: LintContext, rel: Relation): string {
  const column = tenantColumnOf(rel);
  if (column !== null) return `${quoteIdent(column)} = <tenant context>`;
  const hop = rel.tenancy?.kind === 'indirect' ? rel.tenancy.path[0] : undefined;
  const fk = hop ? rel.foreignKeys.find((k) => k.name === hop.via) : undefined;
  if (!fk) return '<a test that pins the row to the tenant context>';
  const on = fk.columns.map((c, i) => `p.${quoteIdent(fk.referencedColumns[i]!)} = ${quoteIdent(rel.name)}.${quoteIdent(c)}`).join(' AND ');
  const parent = ctx.relation(fk.references);
  const parentColumn = parent ? tenantColumnOf(parent) : null;
  return `EXISTS (SELECT FROM ${quoteRelation(fk.references)} p WHERE ${on}${parentColumn ? ` AND p.${quoteIdent(parentColumn)} = <tenant context>` : ''})`;
}

export function list(items: readonly string[], max = 6): string {
  const shown = items.slice(0, max).join(', ');
  return items.length > max ? `${shown} and ${items.length - max} more` : shown;
}

// ---- privileges ----

export type Access = 'select' | 'insert' | 'update' | 'delete';

export function hasAccess(p: RelationPrivileges | undefined, access: Access): boolean {
  if (!p) return false;
  if (p[access]) return true;
  if (access === 'delete') return false;
  return p.columns[access].length > 0;
}

export function anyAccess(p: RelationPrivileges | undefined): boolean {
  return (['select', 'insert', 'update', 'delete'] as const).some((a) => hasAccess(p, a)) || (p?.truncate ?? false);
}

export function writeAccess(p: RelationPrivileges | undefined): Access[] {
  return (['insert', 'update', 'delete'] as const).filter((a) => hasAccess(p, a));
}

export function accessList(p: RelationPrivileges | undefined): string[] {
  const out: string[] = (['select', 'insert', 'update', 'delete'] as const).filter((a) => hasAccess(p, a)).map((a) => a.toUpperCase());
  if (p?.truncate) out.push('TRUNCATE');
  return out;
}

/** Actors expected to see one tenant or nothing, that hold any privilege on the relation. */
export function exposedTo(ctx: LintContext, rel: Relation, access?: Access): ActorInfo[] {
  return ctx.restricted.filter((a) => a.exists && (access ? hasAccess(ctx.privileges(rel, a), access) : anyAccess(ctx.privileges(rel, a))));
}

// ---- policies ----

export function policyApplies(p: Policy, actor: ActorInfo): boolean {
  return p.appliesToPublic || p.roles.some((r) => actor.memberRoles.has(r));
}

/** Commands a policy serves. */
export function commandsOf(p: Policy): Exclude<PolicyCommand, 'all'>[] {
  return p.command === 'all' ? ['select', 'insert', 'update', 'delete'] : [p.command];
}

export interface Clause {
  kind: 'USING' | 'WITH CHECK';
  text: string;
  /** Commands for which this text decides access. */
  commands: Access[];
}

/**
 * The expressions that decide each command: USING filters existing rows
 * (select, update, delete); WITH CHECK admits new rows (insert, update),
 * falling back to USING for ALL/UPDATE policies. An INSERT policy with no
 * WITH CHECK admits nothing.
 */
export function clausesOf(p: Policy): Clause[] {
  const out: Clause[] = [];
  const usingCommands = commandsOf(p).filter((c): c is Access => c !== 'insert');
  if (p.using !== null && usingCommands.length > 0) out.push({ kind: 'USING', text: p.using, commands: usingCommands });
  const checkCommands = commandsOf(p).filter((c): c is Access => c === 'insert' || c === 'update');
  const check = p.withCheck ?? (p.command === 'insert' ? null : p.using);
  if (check !== null && checkCommands.length > 0) out.push({ kind: 'WITH CHECK', text: check, commands: checkCommands });
  return out;
}

/** Sorted, unique. */
export function uniq(items: Iterable<string>): string[] {
  return [...new Set(items)].sort();
}

// ---- descriptions ----

/** How the relation belongs to a tenant, in words, for messages. */
export function describeScope(rel: Relation): string {
  const t = rel.tenancy;
  if (!t) return 'is not tenant-scoped';
  switch (t.kind) {
    case 'tenant-table':
      return `is the tenant table (one row per tenant, key ${t.column ?? '?'})`;
    case 'direct':
      return `holds tenant data (column ${t.column ?? '?'})`;
    case 'indirect':
      return `holds tenant data through ${t.path.map((h) => `${h.to} (${h.via}: ${h.columns.join(', ')})`).join(' -> ')}`;
    case 'derived':
      return `reads tenant data from ${t.path.map((h) => h.to).join(' -> ')}`;
  }
}

/** Tenant relations that are plain or partitioned tables, partitions excluded (their own rules handle them). */
export function isTopLevelTable(rel: Relation): boolean {
  return (rel.kind === 'table' || rel.kind === 'partitioned-table') && rel.partitionOf === null && rel.extension === null;
}

/** Base tables a view reads, through views over views. */
export function baseRelations(ctx: LintContext, rel: Relation, seen = new Set<string>()): Relation[] {
  const out: Relation[] = [];
  for (const name of rel.dependsOn) {
    if (seen.has(name)) continue;
    seen.add(name);
    const dep = ctx.relation(name);
    if (!dep) continue;
    if (dep.kind === 'view') out.push(...baseRelations(ctx, dep, seen));
    else out.push(dep);
  }
  return out;
}

/** How an actor is or becomes a role, in words: "is X itself", "logs in as X", "reaches X (a -> X: may SET ROLE)". */
export function describeRoute(actor: Pick<ActorInfo, 'role' | 'login'>, r: RoleRoute): string {
  const start = r.from === actor.role ? '' : `through its login ${r.from} `;
  if (r.path.length === 1) return r.from === actor.role ? `is ${r.role} itself` : `logs in as ${r.role}`;
  const how = [r.inherits ? 'inheriting its rights' : '', r.canSetRole ? 'may SET ROLE' : ''].filter(Boolean).join(', ');
  return `${start}reaches ${r.role} (${r.path.join(' -> ')}: ${how})`;
}
