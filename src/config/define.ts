import type { TenantproofConfig } from './schema.js';

/**
 * Identity function for `tenantproof.config.ts`: gives the editor the config's
 * types. Validation happens once, when the config is loaded (loadConfig).
 */
export function defineConfig(config: TenantproofConfig): TenantproofConfig {
  return config;
}
