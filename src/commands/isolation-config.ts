import path from 'node:path';
import { findConfig } from '../config/find.js';
import { loadConfig, unwrapConfig } from '../config/load.js';
import type { ResolvedConfig } from '../config/schema.js';
import { TenantproofError } from '../errors.js';

/** The config named by --config, or the nearest tenantproof.config.* from `cwd` upwards. */
export async function resolveConfig(cwd: string, configPath?: string): Promise<{ config: ResolvedConfig; file: string }> {
  const file = configPath ? path.resolve(cwd, configPath) : findConfig(cwd);
  if (!file) {
    throw new TenantproofError('config-missing', `no tenantproof.config.ts (or .js, .mjs, .json) in ${cwd} or above`, 'create one (tenantproof init proposes it), or pass --config FILE');
  }
  return { config: unwrapConfig(await loadConfig(file)), file };
}
