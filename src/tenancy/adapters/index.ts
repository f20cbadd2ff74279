/**
 * The adapter of an actor's context, keyed by an exhaustive kind: adding a
 * mechanism is one file and one line here (the map does not compile without it).
 */
import type { ActorConfig } from '../../config/schema.js';
import type { EnterStep } from '../steps.js';
import { jwtAdapter } from './jwt.js';
import { rolePerTenantAdapter } from './role-per-tenant.js';
import { sessionAdapter } from './session.js';
import { settingAdapter } from './setting.js';
import { sqlAdapter, statementsAdapter } from './sql.js';
import type { AdapterFactory, ContextAdapter, ContextAdapterKind } from './types.js';

const NONE: AdapterFactory = () => ({
  kind: 'none',
  steps: (mode) => (mode === 'context' || mode === 'unset' ? [] : null),
  writes: { settings: [], rolePerTenant: false, sessionLevel: [], trusted: [] },
});

const ADAPTERS: { [K in ContextAdapterKind]: AdapterFactory } = {
  none: NONE,
  setting: settingAdapter,
  jwt: jwtAdapter,
  session: sessionAdapter,
  'role-per-tenant': rolePerTenantAdapter,
  sql: sqlAdapter,
  statements: statementsAdapter,
};

export function adapterKind(actor: ActorConfig): ContextAdapterKind {
  const c = actor.context;
  if (!c) return 'none';
  if (c.setting) return 'setting';
  if (c.jwt) return 'jwt';
  if (c.session) return 'session';
  if (c.rolePerTenant || c.roleTemplate !== undefined) return 'role-per-tenant';
  if (c.sql !== undefined) return 'sql';
  if (c.statements) return 'statements';
  return 'none';
}

/** The actor's adapter, with its pre-request function (if any) called after the context is set. */
export function adapterFor(actor: ActorConfig): ContextAdapter {
  const base = ADAPTERS[adapterKind(actor)](actor);
  const preRequest = actor.context?.preRequest;
  if (!preRequest) return base;
  return {
    ...base,
    steps: (mode) => {
      const steps = base.steps(mode);
      return steps === null || mode === 'unset' ? steps : [...steps, { kind: 'call', fn: preRequest } satisfies EnterStep];
    },
  };
}

export type { ContextAdapter, ContextAdapterKind, ContextMode, ContextWrites } from './types.js';
export { CONTEXT_MODES, subjectFor } from './types.js';
