import { existsSync, statSync } from 'node:fs';
import path from 'node:path';

/** Config file names, in the order they win when several sit in one folder. */
export const CONFIG_FILE_NAMES = ['tenantproof.config.ts', 'tenantproof.config.mts', 'tenantproof.config.js', 'tenantproof.config.mjs', 'tenantproof.config.json'] as const;

/** The nearest config file from `cwd` upwards, or null when there is none up to the root. */
export function findConfig(cwd: string = process.cwd()): string | null {
  let dir = path.resolve(cwd);
  for (;;) {
    for (const name of CONFIG_FILE_NAMES) {
      const candidate = path.join(dir, name);
      if (existsSync(candidate) && statSync(candidate).isFile()) return candidate;
    }
    const parent = path.dirname(dir);
    if (parent === dir) return null;
    dir = parent;
  }
}
