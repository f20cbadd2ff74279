import path from 'node:path';
import { embeddedStatus, embeddedUrl, forgetStarted, startEmbedded, stopEmbedded, type EmbeddedStatus } from '../db/embedded/server.js';
import { withDatabase } from '../db/server.js';
import { applyCurrent, commitCurrent, migrateDatabase, resetDatabase, uncommitLast } from '../migrate/index.js';
import { devDatabase, serverFor, withServer, type CommandContext } from './context.js';

const embedded = (ctx: CommandContext) => ({ major: ctx.major, stateRoot: path.join(ctx.projectRoot, '.tenantproof'), instance: 'dev' });

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

const target = (ctx: CommandContext, serverUrl: string) => ({ projectRoot: ctx.projectRoot, serverUrl, database: devDatabase(ctx) });

export const dbReset = (ctx: CommandContext) => withServer(ctx, (s) => resetDatabase(target(ctx, s.url)));
export const dbMigrate = (ctx: CommandContext) => withServer(ctx, (s) => migrateDatabase(target(ctx, s.url)));
export const dbCommit = (ctx: CommandContext, message?: string) => withServer(ctx, (s) => commitCurrent(target(ctx, s.url), message));
export const dbUncommit = (ctx: CommandContext) => withServer(ctx, (s) => uncommitLast(target(ctx, s.url)));

/**
 * Applies current.sql on every save until the process is interrupted; the
 * server it started (if any) stops with it.
 */
export async function dbWatch(ctx: CommandContext): Promise<void> {
  const server = await serverFor(ctx);
  ctx.log(`server: ${server.description}; watching current.sql (Ctrl-C to stop)`);
  await applyCurrent(target(ctx, server.url), { once: false });
}
