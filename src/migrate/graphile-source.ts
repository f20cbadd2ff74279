import { existsSync, realpathSync, statSync } from 'node:fs';
import path from 'node:path';
import { graphileFiles } from './files.js';
import { applyCurrent, migrateDatabase, resetDatabase } from './index.js';
import type { MigrationSource } from './source.js';

/**
 * graphile-migrate: committed/ plus the working current.sql (or current/),
 * which `watch` applies on every save. Prerequisites are .gmrc's own actions
 * (beforeReset: ["!roles.sql"]).
 */
export function graphileSource(dir: string, label: string): MigrationSource {
  return {
    kind: 'graphile-migrate',
    dir,
    description: `graphile-migrate (${label})`,
    workingName: 'current.sql',
    rebuilds: false,
    existing: false,
    files: () => graphileFiles(dir),
    watched: () => {
      const found = currentMigrationFiles(dir);
      // graphile-migrate creates current.sql when it is missing; the watcher reports it as added.
      return found.length > 0 ? found : [path.join(dir, 'current.sql')];
    },
    build: async (t) => {
      await resetDatabase(t);
      await applyCurrent(t, { once: true });
    },
    reset: (t) => resetDatabase(t),
    migrate: (t) => migrateDatabase(t),
    applyWorking: (t) => applyCurrent(t, { once: true }),
  };
}

/** The files graphile-migrate reads as the current migration: current.sql (through its link) or the current/ folder. */
export function currentMigrationFiles(migrationsDir: string): string[] {
  const out: string[] = [];
  const file = path.join(migrationsDir, 'current.sql');
  if (existsSync(file)) out.push(realpathSync(file));
  const dir = path.join(migrationsDir, 'current');
  if (existsSync(dir) && statSync(dir).isDirectory()) out.push(realpathSync(dir));
  return out;
}
