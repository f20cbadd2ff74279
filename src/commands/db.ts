import path from 'node:path';
import { embeddedStatus, embeddedUrl, forgetStarted, startEmbedded, stopEmbedded, type EmbeddedStatus } from '../db/embedded/server.js';
import { withDatabase } from '../db/server.js';
import { applyCurrent, commitCurrent, uncommitLast, type MigrationTarget } from '../migrate/index.js';
import { unsupported } from '../migrate/source.js';
import { TenantproofError } from '../errors.js';
import { hasSqlFiles } from '../project.js';
import { devDatabase, project, serverFor, withServer, type CommandContext } from './context.js';

/**
 * The embedded server's state lives in the project: outside any project (no config, no .gmrc, no
 * migrations folder) there is nowhere to put it, and `db` says so rather than use the current folder.
 */
function requireProject(ctx: CommandContext): void {
  if (ctx.configFile || ctx.gmrcRoot || hasSqlFiles(path.join(ctx.projectRoot, 'migrations'))) return;
  throw new TenantproofError('no-project', `no tenantproof project found in ${ctx.projectRoot} or any folder above it (no tenantproof.config.*, no .gmrc, no migrations/ of .sql files)`, 'run tenantproof inside your project, or create its config with `tenantproof init`');
}

const embedded = (ctx: CommandContext) => {
  requireProject(ctx);
  return { major: ctx.major, stateRoot: path.join(ctx.projectRoot, '.tenantproof'), instance: 'dev' };
};

/** Starts the embedded server and leaves it running (reuses a running one). */
export async function dbStart(ctx: CommandContext): Promise<{ url: string; reused: boolean; version: string }> {
  const s = await startEmbedded(embedded(ctx));
  // Started on purpose: it outlives this process until `db stop`.
  if (s.startedHere) forgetStarted(s.dataDir);
  return { url: withDatabase(s.url, devDatabase(ctx)), reused: !s.startedHere, version: s.version };
}

export async function dbStop(ctx: CommandContext): Promise<{ stopped: boolean }> {
  return { stopped: await stopEmbedded(embedded(ctx)) };
}

export function dbStatus(ctx: CommandContext): EmbeddedStatus {
  return embeddedStatus(embedded(ctx));
}

/** The development database's URL: DATABASE_URL, or the running embedded server's. */
export function dbUrl(ctx: CommandContext): string | null {
  if (ctx.env.DATABASE_URL) return ctx.env.DATABASE_URL;
  const st = dbStatus(ctx);
  return st.running ? embeddedUrl(st.port, devDatabase(ctx)) : null;
}

const target = (ctx: CommandContext, serverUrl: string): MigrationTarget => ({ projectRoot: ctx.projectRoot, serverUrl, database: devDatabase(ctx), log: ctx.log });

/** The development database dropped and rebuilt by the project's migration source; it may or may not exist before. */
export async function dbReset(ctx: CommandContext): Promise<void> {
  const { source } = await project(ctx);
  await withServer(ctx, (s) => source.reset(target(ctx, s.url)));
}

/** The migrations not applied yet (graphile-migrate; a plain folder keeps no record of them). */
export async function dbMigrate(ctx: CommandContext): Promise<void> {
  const { source } = await project(ctx);
  await withServer(ctx, (s) => source.migrate(target(ctx, s.url)));
}

/** graphile-migrate's commit and uncommit: only a graphile-migrate project has a current migration to commit. */
async function graphileOnly(ctx: CommandContext, what: string): Promise<void> {
  const { source } = await project(ctx);
  if (source.kind !== 'graphile-migrate') unsupported(source.kind, what, 'commit and uncommit are graphile-migrate\'s; with a folder of .sql files, add the next file yourself');
}
export async function dbCommit(ctx: CommandContext, message?: string): Promise<void> {
  await graphileOnly(ctx, '`db commit`');
  await withServer(ctx, (s) => commitCurrent(target(ctx, s.url), message));
}
export async function dbUncommit(ctx: CommandContext): Promise<void> {
  await graphileOnly(ctx, '`db uncommit`');
  await withServer(ctx, (s) => uncommitLast(target(ctx, s.url)));
}

/**
 * Applies current.sql on every save until the process is interrupted; the
 * server it started (if any) stops with it.
 */
export async function dbWatch(ctx: CommandContext): Promise<void> {
  await graphileOnly(ctx, '`db watch` (apply only; `tenantproof watch` works with every source)');
  const server = await serverFor(ctx);
  ctx.log(`server: ${server.description}; watching current.sql (Ctrl-C to stop)`);
  await applyCurrent(target(ctx, server.url), { once: false });
}
