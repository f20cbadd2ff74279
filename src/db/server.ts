import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { TenantproofError } from '../errors.js';
import { DEFAULT_MAJOR, type PgMajor } from './embedded/binaries.js';
import { startEmbedded } from './embedded/server.js';

export type EngineKind = 'embedded' | 'docker' | 'url';

export interface ServerOptions {
  /** An existing server; when set, nothing is started. */
  databaseUrl?: string | undefined;
  engine?: 'embedded' | 'docker' | undefined;
  major?: PgMajor | undefined;
  /** Project root: the embedded data lives in `<root>/.tenantproof`. */
  projectRoot: string;
  /** `dev` for commands, `test` for the test rig. */
  instance?: string | undefined;
}

/** A PostgreSQL server and a connection string with enough privilege to create databases on it. */
export interface ServerHandle {
  kind: EngineKind;
  url: string;
  /** Human description for logs and reports. */
  description: string;
  startedHere: boolean;
  release(): Promise<void>;
}

export async function acquireServer(o: ServerOptions): Promise<ServerHandle> {
  if (o.databaseUrl) {
    return { kind: 'url', url: o.databaseUrl, description: redactUrl(o.databaseUrl), startedHere: false, release: async () => {} };
  }
  if (o.engine === 'docker') return startDocker();
  const major = o.major ?? DEFAULT_MAJOR;
  const server = await startEmbedded({ major, stateRoot: path.join(o.projectRoot, '.tenantproof'), instance: o.instance ?? 'dev' });
  return {
    kind: 'embedded',
    url: server.url,
    description: `embedded PostgreSQL ${server.version} on port ${server.port}${server.startedHere ? '' : ' (reused)'}`,
    startedHere: server.startedHere,
    release: () => server.stop(),
  };
}

/** @databases/pg-test only ever runs `docker run postgres`: check the daemon first for a clear message. */
async function startDocker(): Promise<ServerHandle> {
  const info = spawnSync('docker', ['info', '--format', '{{.ServerVersion}}'], { encoding: 'utf8', timeout: 10_000 });
  if (info.error || info.status !== 0) {
    throw new TenantproofError(
      'docker-unavailable',
      'the docker engine was chosen, but no Docker daemon answers on this machine',
      'use the default embedded engine (drop `--engine docker`), or start Docker, or set DATABASE_URL to a running PostgreSQL',
    );
  }
  const { default: getDatabase } = await import('@databases/pg-test');
  const db = await getDatabase({ refreshImage: false });
  return { kind: 'docker', url: db.databaseURL, description: 'PostgreSQL in Docker (@databases/pg-test)', startedHere: true, release: () => db.kill() };
}

/** Connection strings appear in logs and reports: never with a password. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '<unparseable connection string>';
  }
}

/** The same server, another database. */
export function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${encodeURIComponent(database)}`;
  return u.toString();
}
