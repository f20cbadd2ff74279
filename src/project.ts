import { existsSync } from 'node:fs';
import path from 'node:path';
import { TenantproofError } from './errors.js';

/** The project root: the nearest folder upwards holding a .gmrc. */
export function findProjectRoot(from: string = process.cwd()): string {
  for (let dir = path.resolve(from); ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, '.gmrc'))) return dir;
    if (dir === path.dirname(dir)) {
      throw new TenantproofError('no-project', `no .gmrc found in ${from} or any folder above it`, 'run tenantproof inside a project that has a .gmrc (graphile-migrate settings)');
    }
  }
}
