/** One or more custom settings the application writes, transaction-local (as it should) or session-level. */
import type { ActorConfig, SettingContext } from '../../config/schema.js';
import type { ContextAdapter } from './types.js';

export function settingAdapter(actor: ActorConfig): ContextAdapter {
  const settings: SettingContext[] = [actor.context?.setting ?? []].flat();
  return {
    kind: 'setting',
    steps: (mode) => (mode === 'unset' ? [] : settings.map((s) => ({ kind: 'set' as const, name: s.name, value: { text: s.value }, local: s.scope === 'transaction' }))),
    writes: {
      settings: settings.map((s) => s.name.toLowerCase()),
      rolePerTenant: false,
      sessionLevel: settings.filter((s) => s.scope === 'session').map((s) => s.name.toLowerCase()),
      trusted: actor.context?.trustedSettings ?? [],
    },
  };
}
