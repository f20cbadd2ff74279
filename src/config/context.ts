/**
 * An actor's context as the lint reads it: the statements that enter it for
 * a tenant, the custom settings it writes (the tenant context, not a forgery)
 * and the ones that outlive the transaction. Everything comes from the
 * actor's context adapter (src/tenancy/adapters), the one place that knows
 * each mechanism.
 */
import { adapterFor } from '../tenancy/adapters/index.js';
import { stepToSql } from '../tenancy/steps.js';
import { SAMPLE_TENANT, TENANT_PLACEHOLDER } from './placeholders.js';
import type { ActorConfig } from './schema.js';
import { quoteIdent, quoteLiteral, quoteRelation } from '../sql/text.js';

export { SAMPLE_TENANT, TENANT_PLACEHOLDER };

/** A SQL string literal. */
export const sqlLiteral = quoteLiteral;
/** A quoted identifier (quoted only where quote_ident would). */
export const sqlIdentifier = quoteIdent;
/** `schema.name` as SQL. */
export const sqlQualified = quoteRelation;

/** The statements that enter `tenant`'s context (as its own principal), after the login and the role. */
export function contextStatements(actor: ActorConfig, tenant: string): string[] {
  const adapter = adapterFor(actor);
  const subject = { tenant, principal: tenant, login: actor.login ?? actor.role, role: actor.role, session: tenant };
  const statements = actor.context?.statements ? [actor.context.statements(tenant, subject)].flat() : [];
  return (adapter.steps('context') ?? []).flatMap((s) => stepToSql(s, subject, statements));
}

/** What identifies the tenant in a context, for the lint's "is this the context?" questions. */
export interface ContextSettings {
  /** Custom settings the context writes, lower-case. */
  settings: string[];
  /** For JWT contexts: the setting holding the claims and the claim path of the tenant. */
  jwt?: { setting: string; claim: string[] };
  /** The tenant is the role itself (current_user identifies it). */
  rolePerTenant: boolean;
  /** Extra settings the config says a trusted layer sets (globs). */
  trusted: string[];
}

export function contextSettings(actor: ActorConfig): ContextSettings {
  const w = adapterFor(actor).writes;
  const tenantClaim = actor.context?.jwt?.claim?.split('.') ?? w.jwt?.claims.find((c) => c.join('.') !== 'sub')?.slice() ?? ['sub'];
  return { settings: w.settings, ...(w.jwt ? { jwt: { setting: w.jwt.setting, claim: tenantClaim } } : {}), rolePerTenant: w.rolePerTenant, trusted: w.trusted };
}

/**
 * Statements of the context that outlive the transaction: `set_config(x, v, false)` or a `SET`
 * without LOCAL. On a pooled connection they hand the tenant to the next user (pitfall 22).
 */
export function sessionLevelStatements(actor: ActorConfig, sampleTenant = SAMPLE_TENANT): string[] {
  const sessionLevel = new Set(adapterFor(actor).writes.sessionLevel);
  if (sessionLevel.size === 0) return [];
  return contextStatements(actor, sampleTenant).filter((s) => [...sessionLevel].some((name) => s.toLowerCase().includes(name)));
}
