/**
 * A context adapter: how one mechanism the application uses enters a
 * request context (a setting, JWT claims, a session row, a login role per
 * tenant, raw SQL). Every adapter is a small file with the same interface:
 * what the world must create for it, the steps that enter it, and what it
 * writes (which the lint and the forging probes treat as trusted).
 */
import type { ActorConfig, ContextSubject, RolePerTenantContext, SessionContext } from '../../config/schema.js';
import type { EnterStep } from '../steps.js';

/**
 * The ways a check enters: `context` as the subject; `unset` with no context at all; `empty` and
 * `malformed` with the context's values blank or garbage (each must give zero rows or an error).
 */
export const CONTEXT_MODES = ['context', 'unset', 'empty', 'malformed'] as const;
export type ContextMode = (typeof CONTEXT_MODES)[number];

export const CONTEXT_ADAPTER_KINDS = ['none', 'setting', 'jwt', 'session', 'role-per-tenant', 'sql', 'statements'] as const;
export type ContextAdapterKind = (typeof CONTEXT_ADAPTER_KINDS)[number];

/** What a context writes, for the lint and the forging probes: these settings are the context, not forgeries. */
export interface ContextWrites {
  /** Custom settings written, lower-case. */
  settings: string[];
  /** JWT contexts: the claims setting and the claim paths that carry the subject. */
  jwt?: { setting: string; claims: string[][] };
  /** The identity is the role itself (current_user names the tenant). */
  rolePerTenant: boolean;
  /** Settings written at session level (they outlive the transaction: pitfall 22), lower-case. */
  sessionLevel: string[];
  /** Other settings the config says a trusted layer sets (globs). */
  trusted: string[];
}

export interface ContextAdapter {
  readonly kind: ContextAdapterKind;
  /** The steps after login and role; null where the mode means nothing for this mechanism. */
  steps(mode: ContextMode): EnterStep[] | null;
  readonly writes: ContextWrites;
  /** The world gives every principal a session row (session tables). */
  readonly session?: SessionContext;
  /** The world gives every tenant a login role (role per tenant). */
  readonly tenantRoles?: Required<Pick<RolePerTenantContext, 'template'>> & Omit<RolePerTenantContext, 'template'>;
}

/** The values a mode writes in place of the subject's. */
export function subjectFor(mode: ContextMode, subject: ContextSubject): ContextSubject {
  if (mode === 'empty') return { ...subject, tenant: '', principal: '', session: '' };
  if (mode === 'malformed') return { ...subject, tenant: 'not-a-tenant', principal: 'not-a-principal', session: 'not-a-session' };
  return subject;
}

export type AdapterFactory = (actor: ActorConfig) => ContextAdapter;
