/**
 * Watch latency: from writing current.sql to the verdict printed by
 * `tenantproof watch`, for several edits that alternately break and fix a
 * policy on the reference schema. The CLI runs as a user runs it (a child
 * process with its own embedded server in a temporary copy of the project),
 * and the clock stops when its verdict line arrives on stdout.
 *
 *   node --import tsx bench/watch-latency.ts [edits]     # prints the median and every sample
 *
 * `npm run bench` imports measureWatchLatency. Tests never assert wall time.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { cliEnv, cliPath, copyProject } from './project-copy.js';

const BREAK = (i: number) =>
  `-- watch-latency edit ${i}\ndrop policy if exists bench_leak on app.documents;\ncreate policy bench_leak on app.documents for select to tp_member using (true);\n`;
const FIX = (i: number) => `-- watch-latency edit ${i}\ndrop policy if exists bench_leak on app.documents;\n`;

interface Verdict {
  ok: boolean;
  scope: string;
  ms: Record<string, number>;
}

export async function measureWatchLatency(o: { edits: number; runs?: number }): Promise<number[]> {
  const project = copyProject();
  const dir = project.dir;
  const child: ChildProcess = spawn(process.execPath, [cliPath, 'watch', '--json', '--seed', '1', '--runs', String(o.runs ?? 5)], {
    cwd: dir,
    env: cliEnv(), // its own embedded server, stopped with it
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const waiting: Array<(e: { event: string; verdict?: Verdict; message?: string }) => void> = [];
  createInterface({ input: child.stdout! }).on('line', (line) => {
    const event = JSON.parse(line) as { event: string; verdict?: Verdict; message?: string };
    if (event.event === 'verdict' || event.event === 'migration-error' || event.event === 'error') waiting.shift()?.(event);
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  const next = () =>
    Promise.race([
      new Promise<{ event: string; verdict?: Verdict; message?: string }>((resolve) => waiting.push(resolve)),
      exited.then((code) => {
        throw new Error(`watch exited (${code}) before its verdict:\n${stderr.slice(-2000)}`);
      }),
    ]);
  const samples: number[] = [];
  try {
    const first = await next(); // the first full pass
    if (first.event !== 'verdict') throw new Error(`watch did not start: ${first.message}`);
    for (let i = 0; i < o.edits + 1; i++) {
      const verdict = next();
      const t0 = performance.now();
      writeFileSync(path.join(dir, 'current.sql'), i % 2 === 0 ? BREAK(i) : FIX(i));
      const e = await verdict;
      const ms = performance.now() - t0;
      if (e.event !== 'verdict' || e.verdict!.ok !== (i % 2 === 1)) throw new Error(`edit ${i}: unexpected ${JSON.stringify(e).slice(0, 300)}`);
      if (i > 0) samples.push(Math.round(ms)); // the first edit warms caches
    }
  } finally {
    child.kill('SIGINT');
    await exited;
    project.remove();
  }
  return samples;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const edits = Number(process.argv[2] ?? 7);
  const samples = await measureWatchLatency({ edits });
  const sorted = [...samples].sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)]!;
  console.log(`watch latency (write current.sql -> verdict printed), ${samples.length} edits on ${os.cpus().length} cores:`);
  console.log(`  median ${median} ms, min ${sorted[0]} ms, max ${sorted.at(-1)} ms`);
  console.log(`  samples: ${samples.join(', ')} ms`);
}
