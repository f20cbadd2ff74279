/**
 * The static half of the engine in one call, for `gate` and `check`:
 * introspect the database the config describes, locate the objects in the
 * migrations (when the folder exists) and lint. Read-only: introspection
 * runs in a transaction that is rolled back.
 */
import { existsSync } from 'node:fs';
import type { Queryable } from '@databases/pg';
import { catalogOptions, introspect, type Catalog } from '../catalog/index.js';
import type { ResolvedConfig } from '../config/schema.js';
import type { Finding } from '../findings/types.js';
import { lint } from './lint.js';
import { locateObjects } from './locations.js';

export interface StaticAnalysis {
  catalog: Catalog;
  findings: Finding[];
}

export async function analyze(db: Queryable, config: ResolvedConfig, options: { migrationsDir?: string | null } = {}): Promise<StaticAnalysis> {
  const catalog = await introspect(db, catalogOptions(config));
  const dir = options.migrationsDir === undefined ? config.migrationsDir : options.migrationsDir;
  const locations = dir !== null && existsSync(dir) ? await locateObjects(dir, catalog) : undefined;
  return { catalog, findings: lint(catalog, config, locations ? { locations } : {}) };
}
