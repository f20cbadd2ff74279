import { readEnv, type Env } from '../env.js';
import { DEFAULT_MAJOR, type PgMajor } from '../db/embedded/binaries.js';
import { acquireServer, type ServerHandle } from '../db/server.js';
import { findProjectRoot } from '../project.js';

/** What every command needs to know, resolved once from flags and the environment. */
export interface CommandContext {
  projectRoot: string;
  env: Env;
  major: PgMajor;
  engine: 'embedded' | 'docker';
  /** Database the development commands (reset, migrate, watch, commit) work on. */
  database: string;
  log: (line: string) => void;
}

export interface ContextOptions {
  cwd?: string;
  major?: PgMajor;
  engine?: 'embedded' | 'docker';
  database?: string;
  log?: (line: string) => void;
  env?: NodeJS.ProcessEnv;
}

export function commandContext(o: ContextOptions = {}): CommandContext {
  const env = readEnv(o.env ?? process.env);
  return {
    projectRoot: findProjectRoot(o.cwd),
    env,
    major: o.major ?? env.TENANTPROOF_PG_MAJOR ?? DEFAULT_MAJOR,
    engine: o.engine ?? env.TENANTPROOF_ENGINE ?? 'embedded',
    database: o.database ?? 'tenantproof_dev',
    log: o.log ?? (() => {}),
  };
}

export function serverFor(ctx: CommandContext, instance = 'dev'): Promise<ServerHandle> {
  return acquireServer({ projectRoot: ctx.projectRoot, databaseUrl: ctx.env.DATABASE_URL, engine: ctx.engine, major: ctx.major, instance });
}

/**
 * With DATABASE_URL the development database is the one it names; on the
 * embedded server it is `ctx.database`.
 */
export function devDatabase(ctx: CommandContext): string {
  if (ctx.env.DATABASE_URL) {
    const name = decodeURIComponent(new URL(ctx.env.DATABASE_URL).pathname.slice(1));
    if (name) return name;
  }
  return ctx.database;
}

/** Runs `fn` with a server, releasing it (stopping it if we started it) however `fn` ends. */
export async function withServer<T>(ctx: CommandContext, fn: (server: ServerHandle) => Promise<T>): Promise<T> {
  const server = await serverFor(ctx);
  ctx.log(`server: ${server.description}`);
  try {
    return await fn(server);
  } finally {
    await server.release();
  }
}
