import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import JSON5 from 'json5';
import { Logger } from 'graphile-migrate';
import type { Settings } from 'graphile-migrate';
import { TenantproofError } from '../errors.js';
import { withDatabase } from '../db/server.js';

export interface MigrationTarget {
  /** Project root holding `.gmrc`. */
  projectRoot: string;
  /** A connection string with CREATEDB/CREATEROLE (or superuser) on the server. */
  serverUrl: string;
  /** The database to migrate (reset drops and recreates it). */
  database: string;
  /** The shadow database `commit` and `uncommit` use (default `<database>_shadow`). */
  shadowDatabase?: string;
  /** Where graphile-migrate's narration goes (its own logger; default: stderr). Errors are thrown, not logged. */
  log?: ((line: string) => void) | undefined;
}

export interface ResolvedMigrationSettings {
  settings: Settings;
  migrationsFolder: string;
  databaseOwner: string | undefined;
  databaseUrl: string;
  shadowDatabase: string;
  rootUrl: string;
}

/** The role that runs the migrations, so that it, not a superuser, owns what they create. */
function asRole(url: string, role: string | undefined): string {
  if (!role) return url;
  const u = new URL(url);
  u.searchParams.set('options', `-c role=${role}`);
  return u.toString();
}

export function loadGmrc(projectRoot: string): Settings {
  const file = path.join(projectRoot, '.gmrc');
  if (!existsSync(file)) {
    throw new TenantproofError('gmrc-missing', `no .gmrc in ${projectRoot}`, 'run tenantproof from the project root, or create a .gmrc (see the README)');
  }
  try {
    return JSON5.parse(readFileSync(file, 'utf8')) as Settings;
  } catch (e) {
    throw new TenantproofError('gmrc-invalid', `.gmrc is not valid JSON5: ${(e as Error).message}`, 'fix the syntax of .gmrc', { cause: e });
  }
}

/**
 * graphile-migrate's settings for `t`. `rootUrl` is the server's maintenance
 * database (see root.ts): graphile-migrate drops and creates databases
 * through it, and runs `!`-prefixed actions (beforeReset, afterReset) as it.
 */
export function migrationSettings(t: MigrationTarget, rootUrl: string): ResolvedMigrationSettings {
  const gmrc = loadGmrc(t.projectRoot);
  for (const key of ['connectionString', 'shadowConnectionString', 'rootConnectionString'] as const) {
    if (gmrc[key]) {
      throw new TenantproofError('gmrc-connection', `.gmrc sets ${key}`, `remove ${key} from .gmrc: tenantproof sets the connection strings for the server it uses`);
    }
  }
  const migrationsFolder = path.resolve(t.projectRoot, gmrc.migrationsFolder ?? './migrations');
  const owner = gmrc.databaseOwner;
  const databaseUrl = asRole(withDatabase(t.serverUrl, t.database), owner);
  const shadowDatabase = t.shadowDatabase ?? `${t.database}_shadow`;
  // Progress goes to the caller's log, else stderr: stdout carries results (gate --json > file).
  const log = t.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  return {
    settings: {
      ...gmrc,
      logger: new Logger(() => (_level, message) => log(message)),
      migrationsFolder,
      connectionString: databaseUrl,
      shadowConnectionString: asRole(withDatabase(t.serverUrl, shadowDatabase), owner),
      rootConnectionString: rootUrl,
    },
    migrationsFolder,
    databaseOwner: owner,
    databaseUrl,
    shadowDatabase,
    rootUrl,
  };
}
