import { spawn, spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { TenantproofError } from '../../errors.js';
import { resolveBinaries, type PgBinaries, type PgMajor } from './binaries.js';

export interface EmbeddedOptions {
  major: PgMajor;
  /** Project-local cache folder, e.g. `<project>/.tenantproof`. */
  stateRoot: string;
  /** Separate instances keep the test rig and a developer's server out of each other's way. */
  instance: string;
}

export interface EmbeddedServer {
  url: string;
  port: number;
  major: PgMajor;
  version: string;
  dataDir: string;
  logFile: string;
  /** True when this process started the server (and so stops it on exit). */
  startedHere: boolean;
  stop(): Promise<void>;
}

export type EmbeddedStatus = { running: true; port: number; pid: number; url: string; dataDir: string } | { running: false; dataDir: string; initialised: boolean };

const SUPERUSER = 'postgres';

export function instanceDir(o: EmbeddedOptions): string {
  return path.join(o.stateRoot, `pg${o.major}-${o.instance}`);
}

function paths(o: EmbeddedOptions) {
  const dir = instanceDir(o);
  return { dir, data: path.join(dir, 'data'), log: path.join(dir, 'postgres.log'), state: path.join(dir, 'server.json'), lock: path.join(dir, 'start.lock') };
}

export function embeddedUrl(port: number, database = 'postgres'): string {
  return `postgres://${SUPERUSER}@127.0.0.1:${port}/${database}`;
}

// ---- the unprivileged OS user (PostgreSQL refuses to run as root) ----

interface OsUser {
  uid: number;
  gid: number;
  name: string;
}

function lookupUser(name: string): OsUser | null {
  const r = spawnSync('getent', ['passwd', name], { encoding: 'utf8' });
  const fields = r.status === 0 ? r.stdout.trim().split(':') : [];
  if (fields.length < 4) return null;
  return { name, uid: Number(fields[2]), gid: Number(fields[3]) };
}

let cachedRunAs: OsUser | null | undefined;
/** null: run as ourselves (not root). */
function runAsUser(): OsUser | null {
  if (cachedRunAs !== undefined) return cachedRunAs;
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return (cachedRunAs = null);
  let user = lookupUser('postgres');
  if (!user) {
    spawnSync('useradd', ['--system', '--no-create-home', '--shell', '/usr/sbin/nologin', 'postgres'], { stdio: 'ignore' });
    user = lookupUser('postgres');
  }
  if (!user) {
    throw new TenantproofError(
      'no-unprivileged-user',
      'running as root, and PostgreSQL refuses to run as root, but there is no `postgres` OS user and creating one failed',
      'create one (`useradd --system postgres`) or run tenantproof as a normal user',
    );
  }
  return (cachedRunAs = user);
}

function spawnOpts(user: OsUser | null) {
  return user ? { uid: user.uid, gid: user.gid } : {};
}

/** The server's user must reach the binaries and the data folder through every parent directory. */
function assertReachable(user: OsUser | null, bins: PgBinaries, dir: string): void {
  if (!user) return;
  for (const [what, p, flag] of [
    ['binaries', bins.postgres, '-x'],
    ['data folder', dir, '-w'],
  ] as const) {
    const r = spawnSync('test', [flag, p], spawnOpts(user));
    if (r.status !== 0) {
      throw new TenantproofError(
        'embedded-path-unreachable',
        `the OS user \`${user.name}\` that runs PostgreSQL cannot reach the ${what} at ${p}`,
        `make every parent folder traversable (chmod o+x on each), or move the project out of a private folder such as /root`,
      );
    }
  }
}

// ---- process state ----

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Reads postmaster.pid: the server writes its pid (line 1), port (line 4) and status (line 8). */
function readPostmaster(dataDir: string): { pid: number; port: number; ready: boolean } | null {
  const file = path.join(dataDir, 'postmaster.pid');
  if (!existsSync(file)) return null;
  try {
    const lines = readFileSync(file, 'utf8').split('\n');
    const pid = Number(lines[0]);
    const port = Number(lines[3]);
    if (!Number.isInteger(pid) || pid <= 0 || !pidAlive(pid)) return null;
    return { pid, port, ready: (lines[7] ?? '').trim() === 'ready' };
  } catch {
    return null;
  }
}

export function embeddedStatus(o: EmbeddedOptions): EmbeddedStatus {
  const p = paths(o);
  const pm = readPostmaster(p.data);
  if (pm) return { running: true, port: pm.port, pid: pm.pid, url: embeddedUrl(pm.port), dataDir: p.data };
  return { running: false, dataDir: p.data, initialised: existsSync(path.join(p.data, 'PG_VERSION')) };
}

async function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.once('error', () => resolve(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
  });
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === 'object' && addr ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}

/** Keep the port of the last run when it is free, so a developer's URL stays stable. */
async function choosePort(stateFile: string): Promise<number> {
  try {
    const prev = (JSON.parse(readFileSync(stateFile, 'utf8')) as { port?: number }).port;
    if (prev && (await portFree(prev))) return prev;
  } catch {
    // No previous state: pick a fresh port.
  }
  return freePort();
}

// ---- lock: two commands starting the same instance at once ----

async function withLock<T>(lockDir: string, fn: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      mkdirSync(lockDir);
      writeFileSync(path.join(lockDir, 'pid'), String(process.pid));
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      let owner = NaN;
      try {
        owner = Number(readFileSync(path.join(lockDir, 'pid'), 'utf8'));
      } catch {
        // Lock being created or removed right now.
      }
      // A lock left by a killed run is stale: recover it.
      if (Number.isInteger(owner) && !pidAlive(owner)) rmSync(lockDir, { recursive: true, force: true });
      else if (Date.now() > deadline) {
        throw new TenantproofError(
          'embedded-locked',
          `another process (pid ${owner}) has been starting the embedded server for 60 s`,
          `wait for it, or remove ${lockDir} if that process is gone`,
        );
      } else await sleep(100);
    }
  }
  try {
    return await fn();
  } finally {
    rmSync(lockDir, { recursive: true, force: true });
  }
}

// ---- commands ----

function run(cmd: string, args: string[], user: OsUser | null, env: NodeJS.ProcessEnv = process.env): Promise<{ code: number; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { ...spawnOpts(user), env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code: code ?? 1, output }));
  });
}

function tailOf(file: string, lines = 15): string {
  try {
    return readFileSync(file, 'utf8').trim().split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}

async function initdb(bins: PgBinaries, dataDir: string, user: OsUser | null): Promise<void> {
  // Trust on loopback only: the server listens on 127.0.0.1 and on no socket.
  const r = await run(bins.initdb, ['-D', dataDir, '-U', SUPERUSER, '--auth=trust', '-E', 'UTF8', '--locale=C', '--no-sync'], user, { ...process.env, LC_ALL: 'C' });
  if (r.code !== 0) {
    rmSync(dataDir, { recursive: true, force: true });
    throw new TenantproofError('embedded-initdb-failed', `initdb failed:\n${r.output.trim()}`, 'check free disk space and that the binaries run on this machine (npm ci)');
  }
}

const started = new Map<string, { bins: PgBinaries; dataDir: string; user: OsUser | null }>();

function stopSync(key: string): void {
  const s = started.get(key);
  if (!s) return;
  started.delete(key);
  spawnSync(s.bins.pgCtl, ['stop', '-D', s.dataDir, '-m', 'fast', '-w', '-t', '30'], { ...spawnOpts(s.user), stdio: 'ignore' });
}

/** Hands a server over to the user: this process will not stop it on exit (`db start`). */
export function forgetStarted(dataDir: string): void {
  started.delete(dataDir);
}

let hooksInstalled = false;
/** Whatever happens to this process, the servers it started stop with it. */
function installExitHooks(): void {
  if (hooksInstalled) return;
  hooksInstalled = true;
  process.on('exit', () => {
    for (const key of [...started.keys()]) stopSync(key);
  });
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    const handler = () => {
      for (const key of [...started.keys()]) stopSync(key);
      // Keep the signal's default meaning unless the application handles it itself.
      if (process.listenerCount(signal) === 1) {
        process.removeListener(signal, handler);
        process.kill(process.pid, signal);
      }
    };
    process.on(signal, handler);
  }
}

export async function startEmbedded(o: EmbeddedOptions): Promise<EmbeddedServer> {
  const bins = resolveBinaries(o.major);
  const p = paths(o);
  const user = runAsUser();
  mkdirSync(p.dir, { recursive: true });
  if (user) chownSync(p.dir, user.uid, user.gid);
  assertReachable(user, bins, p.dir);

  return withLock(p.lock, async () => {
    const handle = (port: number, startedHere: boolean): EmbeddedServer => ({
      url: embeddedUrl(port),
      port,
      major: o.major,
      version: bins.version,
      dataDir: p.data,
      logFile: p.log,
      startedHere,
      stop: async () => {
        if (startedHere) stopSync(p.data);
      },
    });

    const existing = readPostmaster(p.data);
    if (existing) {
      if (!existing.ready) await waitReady(p.data, p.log);
      return handle(existing.port, false);
    }

    if (!existsSync(path.join(p.data, 'PG_VERSION'))) {
      rmSync(p.data, { recursive: true, force: true });
      await initdb(bins, p.data, user);
    }

    // A port can be taken between choosing and binding: one more try with a fresh one.
    for (let attempt = 0; ; attempt++) {
      const port = attempt === 0 ? await choosePort(p.state) : await freePort();
      const options = [
        `-p ${port}`,
        `-c listen_addresses=127.0.0.1`,
        `-c unix_socket_directories=''`,
        // Test server: durability off, as the data is rebuilt from migrations anyway.
        `-c fsync=off -c synchronous_commit=off -c full_page_writes=off`,
        `-c max_connections=200`,
      ].join(' ');
      const r = await run(bins.pgCtl, ['start', '-D', p.data, '-l', p.log, '-w', '-t', '60', '-o', options], user);
      if (r.code === 0) {
        writeFileSync(p.state, JSON.stringify({ port, major: o.major, version: bins.version }, null, 2));
        started.set(p.data, { bins, dataDir: p.data, user });
        installExitHooks();
        return handle(port, true);
      }
      const log = tailOf(p.log);
      if (attempt === 0 && /could not bind|Address already in use/i.test(log)) continue;
      throw new TenantproofError(
        'embedded-start-failed',
        `the embedded PostgreSQL ${o.major} did not start:\n${(r.output + '\n' + log).trim()}`,
        `read ${p.log}; if the data folder is damaged, remove ${p.dir} and run again`,
      );
    }
  });
}

async function waitReady(dataDir: string, log: string): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    const pm = readPostmaster(dataDir);
    if (pm?.ready) return;
    if (!pm) break;
    await sleep(50);
  }
  throw new TenantproofError('embedded-not-ready', 'the embedded PostgreSQL did not become ready within 60 s', `read ${log}`);
}

/** Stops the instance whoever started it (the `db stop` command). */
export async function stopEmbedded(o: EmbeddedOptions): Promise<boolean> {
  const p = paths(o);
  if (!readPostmaster(p.data)) return false;
  const bins = resolveBinaries(o.major);
  started.delete(p.data);
  const r = await run(bins.pgCtl, ['stop', '-D', p.data, '-m', 'fast', '-w', '-t', '60'], runAsUser());
  if (r.code !== 0) throw new TenantproofError('embedded-stop-failed', `pg_ctl stop failed: ${r.output.trim()}`, `read ${p.log}`);
  return true;
}
