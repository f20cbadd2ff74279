/**
 * An actor's tenant context, turned into what the engine needs: the SQL that
 * enters it (for the dynamic probes) and the custom settings it sets (for the
 * lint, which must tell the tenant context from settings nobody vouches for).
 */
import type { ActorConfig } from './schema.js';

export const TENANT_PLACEHOLDER = '$tenant';
/** A tenant id for reading a context statically (which settings it writes). */
export const SAMPLE_TENANT = '00000000-0000-4000-8000-000000000000';

/** A SQL string literal; standard_conforming_strings is on in every supported version. */
export function sqlLiteral(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}

/** A quoted identifier. */
export function sqlIdentifier(value: string): string {
  return `"${value.replaceAll('"', '""')}"`;
}

/** `schema.name` as SQL, both parts quoted. */
export function sqlQualified(name: string): string {
  const dot = name.indexOf('.');
  return `${sqlIdentifier(name.slice(0, dot))}.${sqlIdentifier(name.slice(dot + 1))}`;
}

/** The role an actor runs as in `tenant`'s context: the template's role for role-per-tenant actors. */
export function actorRoleFor(actor: ActorConfig, tenant: string): string {
  const template = actor.context?.roleTemplate;
  return template === undefined ? actor.role : template.replaceAll(TENANT_PLACEHOLDER, tenant);
}

/**
 * The statements that enter `tenant`'s context inside an open transaction,
 * after `SET LOCAL ROLE`. Empty for actors without a context.
 */
export function contextStatements(actor: ActorConfig, tenant: string): string[] {
  const c = actor.context;
  if (!c) return [];
  if (c.sql !== undefined) return [c.sql].flat().map((s) => s.replaceAll(TENANT_PLACEHOLDER, sqlLiteral(tenant)));
  if (c.statements) return [c.statements(tenant, { tenant, principal: tenant, login: actor.login ?? actor.role, role: actor.role })].flat();
  if (c.jwt) {
    const claims = substitute(c.jwt.claims ?? {}, tenant) as Record<string, unknown>;
    if (c.jwt.claim) setPath(claims, c.jwt.claim.split('.'), tenant);
    return [`select set_config(${sqlLiteral(c.jwt.setting)}, ${sqlLiteral(JSON.stringify(claims))}, true)`];
  }
  if (c.roleTemplate !== undefined) return [`set local role ${sqlIdentifier(actorRoleFor(actor, tenant))}`];
  return [];
}

/** What identifies the tenant in a context, for the lint's "is this the context?" questions. */
export interface ContextSettings {
  /** Custom settings the context writes (set_config / SET names), lower-case. */
  settings: string[];
  /** For JWT contexts: the setting holding the claims and the claim path of the tenant. */
  jwt?: { setting: string; claim: string[] };
  /** The tenant is the role itself (current_user identifies it). */
  rolePerTenant: boolean;
  /** Extra settings the config says a trusted layer sets (globs). */
  trusted: string[];
}

// set_config('name', ...) and SET [LOCAL|SESSION] name = / TO ...
const SET_CONFIG_NAME = /set_config\s*\(\s*'((?:[^']|'')+)'/gi;
const SET_NAME = /(?:^|;)\s*set\s+(?:local\s+|session\s+)?("?[a-z_][\w.$"]*)\s*(?:=|to\b)/gi;

export function contextSettings(actor: ActorConfig, sampleTenant = SAMPLE_TENANT): ContextSettings {
  const c = actor.context;
  const trusted = c?.trustedSettings ?? [];
  if (!c) return { settings: [], rolePerTenant: false, trusted };
  if (c.jwt) return { settings: [c.jwt.setting.toLowerCase()], jwt: { setting: c.jwt.setting.toLowerCase(), claim: (c.jwt.claim ?? 'sub').split('.') }, rolePerTenant: false, trusted };
  if (c.roleTemplate !== undefined) return { settings: [], rolePerTenant: true, trusted };
  const text = contextStatements(actor, sampleTenant).join(';\n');
  const settings = new Set<string>();
  for (const m of text.matchAll(SET_CONFIG_NAME)) settings.add((m[1] ?? '').replaceAll("''", "'").toLowerCase());
  for (const m of text.matchAll(SET_NAME)) settings.add((m[1] ?? '').replaceAll('"', '').toLowerCase());
  settings.delete('role'); // SET ROLE is an identity switch, not a tenant setting
  return { settings: [...settings].sort(), rolePerTenant: /\bset\s+(?:local\s+)?role\b|set_config\s*\(\s*'role'/i.test(text), trusted };
}

/**
 * Statements of the context that outlive the transaction: `set_config(x, v, false)`
 * or a `SET` without LOCAL. On a pooled connection they hand the tenant to the
 * next user (pitfall 22). JWT contexts are always written transaction-locally here.
 */
export function sessionLevelStatements(actor: ActorConfig, sampleTenant = SAMPLE_TENANT): string[] {
  if (!actor.context || actor.context.jwt || actor.context.roleTemplate !== undefined) return [];
  const out: string[] = [];
  for (const stmt of contextStatements(actor, sampleTenant)) {
    if (/set_config\s*\((?:[^()]|\([^()]*\))*,\s*false\s*\)/i.test(stmt)) out.push(stmt);
    else if (/(?:^|;)\s*set\s+(?!local\b)/i.test(stmt)) out.push(stmt);
    else if (/set_config\s*\(/i.test(stmt) && !/,\s*true\s*\)/i.test(stmt)) out.push(stmt); // is_local not a literal true
  }
  return out;
}

function substitute(value: unknown, tenant: string): unknown {
  if (typeof value === 'string') return value.replaceAll(TENANT_PLACEHOLDER, tenant);
  if (Array.isArray(value)) return value.map((v) => substitute(v, tenant));
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, substitute(v, tenant)]));
  return value;
}

function setPath(target: Record<string, unknown>, path: string[], value: string): void {
  let node = target;
  path.forEach((key, i) => {
    if (i === path.length - 1) node[key] = value;
    else {
      const next = node[key];
      node = (next !== null && typeof next === 'object' ? next : (node[key] = {})) as Record<string, unknown>;
    }
  });
}
