import path from 'node:path';
import { readEnv, type Env } from '../env.js';
import { loadConfig, unwrapConfig } from '../config/load.js';
import type { ResolvedConfig } from '../config/schema.js';
import { DEFAULT_MAJOR, type PgMajor } from '../db/embedded/binaries.js';
import { acquireServer, type ServerHandle } from '../db/server.js';
import { TenantproofError } from '../errors.js';
import type { MigrationSource } from '../migrate/source.js';
import { firstOf, locateProject, resolveSource } from '../project.js';

/**
 * What every command takes: flags, environment, .gmrc and config resolved
 * once (precedence in project.ts's firstOf: flag > environment > config >
 * default). The config is a module, so it and the migration source that may
 * depend on it load on first use (`project(ctx)`), once.
 */
export interface CommandContext {
  projectRoot: string;
  /** --config, else the nearest tenantproof.config.*; null when there is none. */
  configFile: string | null;
  /** The folder holding .gmrc, if any. */
  gmrcRoot: string | null;
  env: Env;
  major: PgMajor;
  engine: 'embedded' | 'docker';
  /** Database the development commands (reset, migrate, watch, commit) work on. */
  database: string;
  log: (line: string) => void;
  /** Memo of project(ctx). */
  loaded?: Promise<LoadedProject>;
}

export interface LoadedProject {
  /** Null when the project has no config yet (db commands work without one). */
  config: ResolvedConfig | null;
  source: MigrationSource;
}

export interface ContextOptions {
  cwd?: string;
  /** The --config flag. */
  config?: string | undefined;
  major?: PgMajor;
  engine?: 'embedded' | 'docker';
  database?: string;
  log?: (line: string) => void;
  env?: NodeJS.ProcessEnv;
}

export function commandContext(o: ContextOptions = {}): CommandContext {
  const env = readEnv(o.env ?? process.env);
  const at = locateProject(o.cwd ?? process.cwd(), o.config);
  return {
    projectRoot: at.root,
    configFile: at.configFile,
    gmrcRoot: at.gmrcRoot,
    env,
    major: firstOf(o.major, env.TENANTPROOF_PG_MAJOR, undefined, DEFAULT_MAJOR),
    engine: firstOf(o.engine, env.TENANTPROOF_ENGINE, undefined, 'embedded'),
    database: o.database ?? 'tenantproof_dev',
    log: o.log ?? (() => {}),
  };
}

/** The config (when there is one) and the migration source, loaded once per context. */
export function project(ctx: CommandContext): Promise<LoadedProject> {
  ctx.loaded ??= (async () => {
    const config = ctx.configFile ? unwrapConfig(await loadConfig(ctx.configFile)) : null;
    return { config, source: resolveSource({ root: ctx.projectRoot, configFile: ctx.configFile, gmrcRoot: ctx.gmrcRoot }, config) };
  })();
  return ctx.loaded;
}

/**
 * For the isolation commands: the config must exist. `configFlag` (a
 * command's own --config, relative to the project root) replaces the one
 * the context found; the root stays.
 */
export async function projectWithConfig(ctx: CommandContext, configFlag?: string): Promise<{ config: ResolvedConfig; configFile: string; source: MigrationSource }> {
  if (configFlag) {
    const file = path.resolve(ctx.projectRoot, configFlag);
    if (file !== ctx.configFile) ctx = { ...ctx, configFile: file, loaded: undefined };
  }
  const p = await project(ctx);
  if (!p.config || !ctx.configFile) {
    throw new TenantproofError('config-missing', `no tenantproof.config.ts (or .js, .mjs, .json) in ${ctx.projectRoot} or above`, 'create one (tenantproof init proposes it), or pass --config FILE');
  }
  return { config: p.config, configFile: ctx.configFile, source: p.source };
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
