import type { Func } from './types.js';

/**
 * The custom settings a function writes (set_config with a literal name, SET,
 * SET LOCAL), directly or through any function it calls: what a context
 * helper (`select app.enter_tenant($tenant)`) or a pre-request function sets.
 * Lower-case, sorted, each once.
 */
export function settingsWrittenBy(func: Pick<Func, 'settingsWritten'>): string[] {
  return [...new Set(func.settingsWritten.map((w) => w.name))].sort();
}
