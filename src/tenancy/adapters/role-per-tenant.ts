/**
 * One login role per tenant: the identity is the role (policies compare
 * current_user with a column of the tenant table). The world creates each
 * tenant's role, a member of the shared role that holds the grants, and
 * stores its name in the tenant row, as the schema's own sign-up would; or
 * reuses the tenants and roles that exist. Nothing is set after the login.
 */
import { TENANT_PLACEHOLDER } from '../../config/placeholders.js';
import type { ActorConfig } from '../../config/schema.js';
import type { ContextAdapter } from './types.js';

export const DEFAULT_ROLE_TEMPLATE = `tenant_${TENANT_PLACEHOLDER}`;

export function rolePerTenantAdapter(actor: ActorConfig): ContextAdapter {
  const c = actor.context!;
  const config = c.rolePerTenant ?? { reuse: false };
  const template = config.template ?? c.roleTemplate ?? DEFAULT_ROLE_TEMPLATE;
  return {
    kind: 'role-per-tenant',
    tenantRoles: { ...config, template },
    // Empty and malformed values mean nothing here: the unset probe runs as the shared role itself.
    steps: (mode) => (mode === 'context' || mode === 'unset' ? [] : null),
    writes: { settings: [], rolePerTenant: true, sessionLevel: [], trusted: c.trustedSettings },
  };
}

/** The role of a tenant under a template. Role names are at most 63 bytes: longer ones are refused, not truncated. */
export function tenantRoleName(template: string, tenant: string): string {
  return template.replaceAll(TENANT_PLACEHOLDER, tenant);
}
