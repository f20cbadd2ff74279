/**
 * `tenantproof init`: a first tenantproof.config.ts for an existing project,
 * proposed from its catalog. The catalog comes from a database it connects
 * to (read only), or from its migrations applied to a scratch database
 * (graphile-migrate's folder, or plain *.sql files in name order). What the
 * catalog cannot decide is written as `// QUESTION:` comments next to a
 * working guess, so the file loads and runs as it is.
 *
 * This module is the command; how each guess is made lives in ./init/:
 * tenancy.ts (tenant table and column names), memberships.ts (principals and
 * the join table), actors.ts (roles, logins, platform roles), context.ts (how
 * an actor enters: role per tenant, JWT, session table, setting, pre-request),
 * global-tables.ts, and render.ts (the file).
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { sql, type Queryable } from '@databases/pg';
import { introspect } from '../catalog/introspect.js';
import type { Catalog } from '../catalog/types.js';
import { CONFIG_FILE_NAMES } from '../config/find.js';
import { validateConfig } from '../config/load.js';
import { formatConfigIssues } from '../config/issues.js';
import type { ResolvedConfig } from '../config/schema.js';
import { DEFAULT_MAJOR, type PgMajor } from '../db/embedded/binaries.js';
import { openPool } from '../db/pool.js';
import { acquireServer, redactUrl, withDatabase } from '../db/server.js';
import { readEnv } from '../env.js';
import { TenantproofError } from '../errors.js';
import { countBySeverity } from '../findings/findings.js';
import { lint } from '../lint/lint.js';
import { loadGmrc } from '../migrate/settings.js';
import { writeFileAtomic } from '../report/json.js';
import { folderSource } from '../migrate/folder-source.js';
import { graphileSource } from '../migrate/graphile-source.js';
import { dropDatabase, maintenanceUrl } from '../migrate/root.js';
import { findGmrcRoot, hasSqlFiles } from '../project.js';
import { proposeConfig, proposalToConfig, type ConfigProposal } from './init/proposal.js';
import { renderConfig } from './init/render.js';
import { toolSchemas } from './init/scope.js';
import { proposeTenancy } from './init/tenancy.js';

export { proposeConfig, proposalToConfig, type ConfigProposal, type ProposedActor, type ProposedGlobalTable, type ProposedPlatformRole } from './init/proposal.js';
export { renderConfig } from './init/render.js';
export { tenantCandidates } from './init/tenancy.js';
export { TENANT_COLUMN_NAMES, toolSchemas } from './init/scope.js';

// ---------------------------------------------------------------------------
// The command.

export interface InitOptions {
  cwd?: string | undefined;
  /** Read this database's catalog; nothing in it is changed. */
  databaseUrl?: string | undefined;
  /** A migrations folder to apply to a scratch database (default: the project's graphile-migrate folder). */
  migrations?: string | undefined;
  /** Where the config goes (default: tenantproof.config.ts in the project root, else the current folder). */
  out?: string | undefined;
  force?: boolean | undefined;
  /** Propose, write nothing. */
  dryRun?: boolean | undefined;
  env?: NodeJS.ProcessEnv | undefined;
  major?: PgMajor | undefined;
  engine?: 'embedded' | 'docker' | undefined;
  log?: ((line: string) => void) | undefined;
}

export interface InitResult {
  proposal: ConfigProposal;
  /** The config file's text. */
  text: string;
  /** Where it was written, or null with dryRun. */
  file: string | null;
  source: string;
  /** Static lint of the catalog with the proposal: a first look, before the gate. */
  lint: { error: number; warning: number; info: number };
  questions: number;
}

export async function init(o: InitOptions = {}): Promise<InitResult> {
  const cwd = path.resolve(o.cwd ?? process.cwd());
  const root = findGmrcRoot(cwd) ?? cwd;
  const log = o.log ?? (() => {});
  const file = path.resolve(cwd, o.out ?? path.join(root, 'tenantproof.config.ts'));
  if (!o.dryRun && !o.force) {
    const existing = [file, ...CONFIG_FILE_NAMES.map((n) => path.join(path.dirname(file), n))].find((f) => existsSync(f));
    if (existing) {
      throw new TenantproofError(
        'config-exists',
        `${path.relative(cwd, existing) || existing} already exists; init never overwrites a config`,
        'pass --force to replace it, --out FILE to write the proposal elsewhere, or --dry-run to print it',
      );
    }
  }

  const { catalog, excludeSchemas, source, recorded } = await readCatalog(o, cwd, root, path.dirname(file), log);
  const proposal = proposeConfig(catalog, { excludeSchemas });
  const data = { ...proposalToConfig(proposal), migrations: recorded };
  const checked = validateConfig(data, 'the proposal');
  // A proposal that does not validate is our bug, not the user's: say so loudly.
  if (!checked.ok) throw new Error(`init produced an invalid config:\n${formatConfigIssues(checked.issues, 'the proposal')}`);
  const text = recordSource(renderConfig(proposal, source), recorded);
  const lintCounts = countBySeverity(lint(asSeenBy(catalog, checked.config), checked.config));
  if (!o.dryRun) writeFileAtomic(file, text);
  const questions = (text.match(/\/\/ QUESTION:/g) ?? []).length;
  return { proposal, text, file: o.dryRun ? null : file, source, lint: lintCounts, questions };

  // The catalog was read with every role as an actor role; the lint wants the proposal's view of it.
  function asSeenBy(c: Catalog, config: ResolvedConfig): Catalog {
    const wanted = new Set(config.actors.map((a) => a.role));
    const global = new Set(config.globalTables.map((g) => g.relation));
    return {
      ...c,
      actors: c.actors.filter((a) => wanted.has(a.role)),
      relations: c.relations.map((r) => ({ ...r, privileges: r.privileges.filter((p) => wanted.has(p.role)), tenancy: global.has(r.qualifiedName) ? null : r.tenancy })),
      tenancy: { ...c.tenancy, globalRelations: [...global].sort() },
    };
  }
}

/** Every role but the predefined ones and superusers: candidates until proposeActors decides. */
async function allRoles(db: Queryable): Promise<string[]> {
  const rows = await db.query(sql`select rolname from pg_roles where rolname !~ '^pg_' and not rolsuper order by rolname`);
  return rows.map((r) => r.rolname as string);
}

/**
 * Two readings: the first finds the tenant column among every role's view,
 * the second computes tenancy with it (so tenant relations, and therefore
 * tenant policies and global tables, are known).
 */
export async function catalogOf(db: Queryable): Promise<{ catalog: Catalog; excludeSchemas: string[] }> {
  const actorRoles = await allRoles(db);
  const first = await introspect(db, { actorRoles });
  const excludeSchemas = toolSchemas(first);
  const tenancy = proposeTenancy(first, excludeSchemas);
  const catalog = await introspect(db, {
    actorRoles,
    tenantColumns: tenancy.tenantColumns,
    tenantTable: tenancy.tenantTable,
    ...(tenancy.tenantKey ? { tenantKey: tenancy.tenantKey } : {}),
    excludeSchemas,
  });
  return { catalog, excludeSchemas };
}

/** The migration source init read, as the config records it (paths relative to the config file). */
export type RecordedSource = { source: 'graphile-migrate' } | { source: 'folder'; dir: string } | { source: 'none' };

/**
 * The catalog to propose from: a database read as it is (source none), or a
 * scratch database built by the project's migration source: --migrations
 * DIR (the .gmrc's folder means graphile-migrate, any other a plain folder),
 * else the .gmrc project's, else a migrations/ folder of *.sql files.
 */
async function readCatalog(o: InitOptions, cwd: string, root: string, configDir: string, log: (line: string) => void): Promise<{ catalog: Catalog; excludeSchemas: string[]; source: string; recorded: RecordedSource }> {
  if (o.databaseUrl) {
    const db = await openPool({ connectionString: o.databaseUrl, poolSize: 2, warm: 1 });
    try {
      log(`reading the catalog of ${redactUrl(o.databaseUrl)}`);
      return { ...(await catalogOf(db)), source: redactUrl(o.databaseUrl), recorded: { source: 'none' } };
    } finally {
      await db.dispose();
    }
  }
  const gmrcRoot = findGmrcRoot(cwd);
  const gmrcFolder = gmrcRoot ? path.resolve(gmrcRoot, loadGmrc(gmrcRoot).migrationsFolder ?? './migrations') : null;
  const defaultFolder = path.join(root, 'migrations');
  const folder = o.migrations ? path.resolve(cwd, o.migrations) : (gmrcFolder ?? (hasSqlFiles(defaultFolder) ? defaultFolder : null));
  if (!folder) {
    throw new TenantproofError('init-no-source', `no .gmrc in ${cwd} or above, and no --database-url or --migrations`, 'pass --database-url URL to read a database, or --migrations DIR to apply a folder of .sql files to a scratch database (a migrations/ folder of .sql files is found by itself)');
  }
  if (!existsSync(folder)) throw new TenantproofError('init-no-source', `the migrations folder ${folder} does not exist`, 'pass --migrations with an existing folder');
  const rel = path.relative(cwd, folder) || '.';
  const graphile = folder === gmrcFolder;
  const source = graphile ? graphileSource(folder, `${rel}/`) : folderSource(folder, `${rel}/`);
  if (!graphile && source.files().length === 0) throw new TenantproofError('init-no-source', `${folder} holds no .sql file`, 'pass --migrations with the folder of your .sql migrations');
  const recorded: RecordedSource = graphile ? { source: 'graphile-migrate' } : { source: 'folder', dir: path.relative(configDir, folder).split(path.sep).join('/') || '.' };
  const env = readEnv(o.env ?? process.env);
  const server = await acquireServer({ projectRoot: root, databaseUrl: env.DATABASE_URL, engine: o.engine ?? env.TENANTPROOF_ENGINE, major: o.major ?? env.TENANTPROOF_PG_MAJOR ?? DEFAULT_MAJOR, instance: 'dev' });
  const scratch = `tenantproof_init_${randomBytes(4).toString('hex')}`;
  const rootUrl = await maintenanceUrl(server.url).catch(async (e: unknown) => {
    await server.release();
    throw e;
  });
  try {
    log(`server: ${server.description}; scratch database ${scratch}`);
    log(graphile ? `applying ${rel} (graphile-migrate: committed migrations and current.sql)` : `applying ${source.files().length} file(s) from ${rel} in name order`);
    await source.build({ projectRoot: root, serverUrl: server.url, database: scratch, log });
    const db = await openPool({ connectionString: withDatabase(server.url, scratch), poolSize: 2, warm: 1 });
    try {
      return { ...(await catalogOf(db)), source: `the migrations in ${rel}${graphile ? ' (graphile-migrate, with current.sql)' : ''}`, recorded };
    } finally {
      await db.dispose();
    }
  } finally {
    for (const d of [scratch, `${scratch}_shadow`]) await dropDatabase(rootUrl, d).catch(() => {});
    await server.release();
  }
}

/** The recorded source as the config's `migrations` key, right after `export default {`. */
export function recordSource(text: string, recorded: RecordedSource): string {
  const why =
    recorded.source === 'none'
      ? '// Read from a database: tenantproof gate and watch check the database DATABASE_URL names, as it is.'
      : recorded.source === 'graphile-migrate'
        ? '// The schema comes from graphile-migrate (.gmrc): the gate builds a fresh database from it.'
        : '// The schema comes from these .sql files, run in name order: the gate builds a fresh database from them.';
  const entry = recorded.source === 'folder' ? `{ source: 'folder', dir: '${recorded.dir.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}' }` : `{ source: '${recorded.source}' }`;
  return text.replace(/^export default \{\n/m, (m) => `${m}  ${why}\n  migrations: ${entry},\n`);
}
