/**
 * `tenantproof gate` end to end, as a user runs it: a child process in a copy
 * of the project whose embedded server is stopped before each run, timed from
 * spawn to exit and cut into phases:
 *
 *   start      spawn to "server ready" (Node, the CLI's imports, the server's start)
 *   migrate    reset from migrations and current.sql, until the check begins
 *   catalog, lint, probes, shrinking   the engine's timings from the run file
 *              (shrinking: the engine's own timing, or from the line that announces it)
 *   reports    the rest: writing every report format and stopping the server
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import type { IsolationReport } from '../src/findings/types.js';
import { embeddedStatus, stopEmbedded } from '../src/db/embedded/server.js';
import { CLI_MARKERS, runFileTimings } from './engine-api.js';
import { cliEnv, cliPath } from './project-copy.js';

export const GATE_PHASES = ['start', 'migrate', 'catalog', 'lint', 'probes', 'shrinking', 'reports'] as const;
export type GatePhase = (typeof GATE_PHASES)[number];

export interface GateRun {
  exitCode: number | null;
  totalMs: number;
  /** ms per phase; null where the CLI gave no way to tell. */
  phases: Record<GatePhase, number | null>;
  checks: number;
  worlds: number;
  failingCells: number;
  verdict: string;
}

const instance = (dir: string) => ({ major: 18 as const, stateRoot: path.join(dir, '.tenantproof'), instance: 'dev' });

/** The copy's own server, stopped if a previous run left it up (it is ours: the copy is the bench's). */
export async function ensureStopped(dir: string): Promise<void> {
  if (embeddedStatus(instance(dir)).running) await stopEmbedded(instance(dir));
}

/** Spawns `tenantproof <args>` in `dir`; every stderr line is timestamped from the spawn. */
function spawnCli(dir: string, args: string[]): Promise<{ code: number | null; ms: number; lines: Array<{ at: number; text: string }> }> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, [cliPath, ...args], { cwd: dir, env: cliEnv(), stdio: ['ignore', 'ignore', 'pipe'] });
    const lines: Array<{ at: number; text: string }> = [];
    createInterface({ input: child.stderr }).on('line', (text) => lines.push({ at: performance.now() - t0, text }));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, ms: performance.now() - t0, lines }));
  });
}

/** Node and the CLI's imports alone: `tenantproof --help`. */
export async function cliLoadMs(dir: string): Promise<number> {
  return (await spawnCli(dir, ['--help'])).ms;
}

export async function runGate(dir: string, worlds: number, extraArgs: string[] = []): Promise<GateRun> {
  await ensureStopped(dir);
  const reportDir = path.join(dir, 'reports');
  const r = await spawnCli(dir, ['gate', '--runs', String(worlds), '--report-dir', reportDir, ...extraArgs]);
  if (r.code !== 0 && r.code !== 1)
    throw new Error(
      `gate exited ${r.code}:\n${r.lines
        .slice(-20)
        .map((l) => l.text)
        .join('\n')}`,
    );
  if (embeddedStatus(instance(dir)).running) throw new Error('the gate left its server running');
  const at = (marker: RegExp) => r.lines.find((l) => marker.test(l.text))?.at ?? null;
  const report = JSON.parse(readFileSync(path.join(reportDir, 'isolation-report.json'), 'utf8')) as IsolationReport;
  const t = runFileTimings(JSON.parse(readFileSync(path.join(reportDir, 'isolation-report.run.json'), 'utf8')) as { timings?: Record<string, number> });
  const ready = at(CLI_MARKERS.serverReady);
  const check = at(CLI_MARKERS.checkStarts);
  const shrinkLine = at(CLI_MARKERS.shrinkingStarts);
  const checkEnd = check === null ? null : check + t.catalog + t.lint + t.probes;
  // Shrinking is the tail of the probes phase: the engine's timing, or from its line to the end of the probes.
  const shrinking = t.shrinking ?? (shrinkLine !== null && checkEnd !== null ? Math.max(0, checkEnd - shrinkLine) : report.matrix.some((m) => m.status === 'fail') ? null : 0);
  return {
    exitCode: r.code,
    totalMs: r.ms,
    phases: {
      start: ready,
      migrate: ready !== null && check !== null ? check - ready : null,
      catalog: t.catalog,
      lint: t.lint,
      probes: t.probes - (shrinking ?? 0),
      shrinking,
      reports: checkEnd === null ? null : r.ms - checkEnd,
    },
    checks: report.coverage.checks,
    worlds: report.coverage.worlds,
    failingCells: report.matrix.filter((m) => m.status === 'fail').length,
    verdict: report.verdict,
  };
}
