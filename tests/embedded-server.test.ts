import { spawn } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { sql } from '@databases/pg';
import { embeddedStatus, instanceDir, startEmbedded, stopEmbedded, type EmbeddedOptions } from '../src/db/embedded/server.js';
import { openPool } from '../src/db/pool.js';

// Real servers in a scratch state folder: these tests own their instances.
const stateRoot = mkdtempSync(path.join(os.tmpdir(), 'tenantproof-embedded-'));
// mkdtemp makes a private folder; the unprivileged server user must be able to enter it.
chmodSync(stateRoot, 0o755);
afterAll(async () => {
  for (const instance of ['main', 'stale', 'port', 'child']) await stopEmbedded({ major: 18, stateRoot, instance }).catch(() => {});
  rmSync(stateRoot, { recursive: true, force: true });
});

const opts = (instance: string): EmbeddedOptions => ({ major: 18, stateRoot, instance });
const postmasterPid = (o: EmbeddedOptions) => Number(readFileSync(path.join(instanceDir(o), 'data', 'postmaster.pid'), 'utf8').split('\n')[0]);
const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

async function serverVersion(url: string): Promise<number> {
  const db = await openPool({ connectionString: url, poolSize: 1, warm: 1 });
  try {
    const [row] = await db.query(sql`select current_setting('server_version_num')::int as v`);
    return row.v as number;
  } finally {
    await db.dispose();
  }
}

describe('embedded PostgreSQL', () => {
  it('starts a real server on loopback, reuses it when asked again, and stops', async () => {
    const o = opts('main');
    const first = await startEmbedded(o);
    expect(first.startedHere).toBe(true);
    expect(first.url).toMatch(/^postgres:\/\/postgres@127\.0\.0\.1:\d+\/postgres$/);
    expect(Math.floor((await serverVersion(first.url)) / 10000)).toBe(18);
    const second = await startEmbedded(o);
    expect(second.startedHere).toBe(false);
    expect(second.port).toBe(first.port);
    await second.stop(); // not ours: must not stop it
    expect(embeddedStatus(o).running).toBe(true);
    await first.stop();
    expect(embeddedStatus(o).running).toBe(false);
  });

  it('recovers a stale lock and a stale postmaster.pid left by a killed run', async () => {
    const o = opts('stale');
    const s = await startEmbedded(o);
    const pid = postmasterPid(o);
    process.kill(pid, 'SIGKILL');
    // Its children notice the postmaster's death and exit shortly after.
    for (let i = 0; i < 100 && alive(pid); i++) await new Promise((r) => setTimeout(r, 50));
    await new Promise((r) => setTimeout(r, 500));
    mkdirSync(path.join(instanceDir(o), 'start.lock'));
    writeFileSync(path.join(instanceDir(o), 'start.lock', 'pid'), '999999');
    const again = await startEmbedded(o);
    expect(again.startedHere).toBe(true);
    expect(await serverVersion(again.url)).toBeGreaterThan(150000);
    await again.stop();
    void s;
  });

  it('takes another port when the remembered one is in use', async () => {
    const o = opts('port');
    const s = await startEmbedded(o);
    const port = s.port;
    await s.stop();
    const squatter = net.createServer();
    await new Promise<void>((r) => squatter.listen(port, '127.0.0.1', () => r()));
    try {
      const again = await startEmbedded(o);
      expect(again.port).not.toBe(port);
      await again.stop();
    } finally {
      squatter.close();
    }
  });

  for (const [how, mode, signal] of [
    ['a normal exit', 'exit', null],
    ['an uncaught error', 'throw', null],
    ['SIGTERM', 'wait', 'SIGTERM'],
    ['SIGINT', 'wait', 'SIGINT'],
  ] as const) {
    it(`leaves no server behind after ${how} of the process that started it`, async () => {
      const child = spawn(process.execPath, ['--import', 'tsx', 'tests/fixtures/embedded-child.ts', stateRoot, mode], { stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        if (signal && out.includes('\n')) child.kill(signal);
      });
      const code = await new Promise<number | null>((r) => child.once('exit', (c) => r(c)));
      const report = JSON.parse(out.split('\n')[0]!) as { startedHere: boolean };
      expect(report.startedHere).toBe(true);
      expect(code === 0 ? 'clean' : 'failed').toBe(mode === 'exit' ? 'clean' : 'failed');
      expect(embeddedStatus(opts('child')).running).toBe(false);
    });
  }
});
