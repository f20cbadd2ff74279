/** One timed `pg_prove` run over test files, as a team's CI would start it. */
import { spawn } from 'node:child_process';

export interface ProveRun {
  seconds: number;
  /** Assertions pg_prove counted (its "Tests=" summary). */
  tests: number;
  ok: boolean;
  /** The tail of pg_prove's output, for a failed run. */
  output: string;
}

export function prove(pgProve: string, o: { port: number; database: string; files: string[]; jobs: number }): Promise<ProveRun> {
  const args = ['-h', '127.0.0.1', '-p', String(o.port), '-U', 'postgres', '-d', o.database, '-j', String(o.jobs), ...o.files];
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(pgProve, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.once('error', reject);
    child.once('close', (code) => {
      const seconds = (performance.now() - t0) / 1000;
      const tests = Number(/Tests=(\d+)/.exec(output)?.[1] ?? 0);
      resolve({ seconds, tests, ok: code === 0 && /^Result: PASS/m.test(output), output: output.trim().split('\n').slice(-15).join('\n') });
    });
  });
}
