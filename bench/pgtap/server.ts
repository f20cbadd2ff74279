/**
 * A throwaway Debian PostgreSQL (the one pgTAP is packaged for) in a temporary
 * folder, on a free loopback port, run as the unprivileged `postgres` user when
 * we are root. It is stopped and its folder removed when the bench is done,
 * and by an exit hook if the bench dies first: no orphan server.
 */
import { spawnSync, type SpawnSyncOptions } from 'node:child_process';
import { chmodSync, chownSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

export interface TempServer {
  url: string;
  port: number;
  stop(): void;
}

function osUser(name: string): { uid: number; gid: number } | null {
  const r = spawnSync('getent', ['passwd', name], { encoding: 'utf8' });
  const f = r.status === 0 ? r.stdout.trim().split(':') : [];
  return f.length >= 4 ? { uid: Number(f[2]), gid: Number(f[3]) } : null;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === 'object' && addr ? resolve(addr.port) : reject(new Error('no free port'))));
    });
  });
}

const running = new Set<() => void>();
let hooked = false;
function hookExit(): void {
  if (hooked) return;
  hooked = true;
  process.on('exit', () => {
    for (const stop of [...running]) stop();
  });
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(signal, () => {
      for (const stop of [...running]) stop();
      process.kill(process.pid, signal);
    });
  }
}

/** Starts PostgreSQL from `bin` (initdb, pg_ctl) with the embedded server's settings (durability off). */
export async function startTempServer(bin: string): Promise<TempServer> {
  const root = process.getuid?.() === 0;
  const user = root ? osUser('postgres') : null;
  if (root && !user) throw new Error('running as root and there is no `postgres` OS user to run PostgreSQL as (useradd --system postgres)');
  const dir = mkdtempSync(path.join(os.tmpdir(), 'tenantproof-pgtap-'));
  chmodSync(dir, 0o700);
  if (user) chownSync(dir, user.uid, user.gid);
  const data = path.join(dir, 'data');
  const log = path.join(dir, 'postgres.log');
  const as: SpawnSyncOptions = { ...(user ?? {}), encoding: 'utf8', env: { ...process.env, LC_ALL: 'C' } };
  const fail = (what: string, r: ReturnType<typeof spawnSync>) => {
    let tail = '';
    try {
      tail = readFileSync(log, 'utf8').trim().split('\n').slice(-10).join('\n');
    } catch {
      // No log yet.
    }
    rmSync(dir, { recursive: true, force: true });
    return new Error(`${what} failed: ${String(r.stdout ?? '')}${String(r.stderr ?? '')}${r.error?.message ?? ''}\n${tail}`.trim());
  };
  const init = spawnSync(path.join(bin, 'initdb'), ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--locale=C', '--no-sync'], as);
  if (init.status !== 0) throw fail('initdb', init);
  const port = await freePort();
  const options = [
    `-p ${port}`,
    '-c listen_addresses=127.0.0.1',
    `-c unix_socket_directories=''`,
    '-c fsync=off -c synchronous_commit=off -c full_page_writes=off',
    '-c max_connections=100',
  ].join(' ');
  const start = spawnSync(path.join(bin, 'pg_ctl'), ['start', '-D', data, '-l', log, '-w', '-t', '60', '-o', options], as);
  if (start.status !== 0) throw fail('pg_ctl start', start);
  const stop = () => {
    if (!running.delete(stop)) return;
    spawnSync(path.join(bin, 'pg_ctl'), ['stop', '-D', data, '-m', 'fast', '-w', '-t', '60'], { ...as, stdio: 'ignore' });
    rmSync(dir, { recursive: true, force: true });
  };
  running.add(stop);
  hookExit();
  return { url: `postgres://postgres@127.0.0.1:${port}/postgres`, port, stop };
}
