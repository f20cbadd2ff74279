/**
 * A session table: the token carries only a session id, and a function of
 * the schema looks the principal up. The world writes one session row per
 * principal; the context sets the setting to that row's key.
 */
import type { ActorConfig } from '../../config/schema.js';
import type { ContextAdapter } from './types.js';

export function sessionAdapter(actor: ActorConfig): ContextAdapter {
  const session = actor.context!.session!;
  return {
    kind: 'session',
    session,
    steps: (mode) => (mode === 'unset' ? [] : [{ kind: 'set', name: session.setting, value: { text: '$session' }, local: true }]),
    writes: { settings: [session.setting.toLowerCase()], rolePerTenant: false, sessionLevel: [], trusted: actor.context?.trustedSettings ?? [] },
  };
}
