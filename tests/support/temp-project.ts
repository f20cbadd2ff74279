import { randomBytes } from 'node:crypto';
import { chmodSync, cpSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { inject } from 'vitest';
import { sql } from '@databases/pg';
import { openPool } from '../../src/db/pool.js';
import type { MigrationTarget } from '../../src/migrate/index.js';

export interface TempProject {
  root: string;
  /** A migration target on the run's server with a database name of its own. */
  target(): MigrationTarget;
  cleanup(): Promise<void>;
}

/**
 * A copy of the project's migration workflow (.gmrc, migrations/, the
 * top-level current.sql and the link to it) in a temporary folder, so tests
 * can commit, uncommit and break migrations without touching the repository.
 */
export function tempProject(options: { withCode?: boolean } = {}): TempProject {
  const source = inject('projectRoot');
  const root = mkdtempSync(path.join(os.tmpdir(), 'tenantproof-project-'));
  // The embedded server's unprivileged user must be able to enter it.
  chmodSync(root, 0o755);
  cpSync(path.join(source, '.gmrc'), path.join(root, '.gmrc'));
  cpSync(path.join(source, 'migrations'), path.join(root, 'migrations'), { recursive: true, verbatimSymlinks: true });
  // The committed schema only: whatever is in progress in the working tree's current.sql stays out.
  writeFileSync(path.join(root, 'current.sql'), '-- Enter migration here\n');
  if (options.withCode) {
    for (const entry of ['package.json', 'tsconfig.json', 'vitest.config.ts', 'tenantproof.config.ts', 'bin', 'src', 'tests', 'factories', 'properties']) {
      cpSync(path.join(source, entry), path.join(root, entry), { recursive: true, verbatimSymlinks: true });
    }
    symlinkSync(path.join(source, 'node_modules'), path.join(root, 'node_modules'));
  }
  const databases: string[] = [];
  return {
    root,
    target: () => {
      const database = `tp_mig_${randomBytes(5).toString('hex')}`;
      databases.push(database, `${database}_shadow`);
      return { projectRoot: root, serverUrl: inject('serverUrl'), database };
    },
    cleanup: async () => {
      const admin = await openPool({ connectionString: inject('serverUrl'), poolSize: 1, warm: 1 });
      try {
        for (const d of databases) await admin.query(sql`drop database if exists ${sql.ident(d)} with (force)`);
      } finally {
        await admin.dispose();
      }
      rmSync(root, { recursive: true, force: true });
    },
  };
}
