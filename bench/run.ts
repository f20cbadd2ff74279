/**
 * npm run bench: the engine against the ways people test RLS today (one
 * statement per round trip, a database per case, a pgTAP suite run by
 * pg_prove), the gate from a stopped server, the share of a failing run spent
 * shrinking, scaling, watch latency and the SQL validators. Each figure is a
 * median and spread over several runs after a warm-up, with the machine and
 * its load average noted. It reports; it never fails a build on a figure.
 *
 *   npm run bench                          # everything; writes bench/results.json
 *   npm run bench -- --only gate,pgtap     # some sections; prints, results.json untouched
 *
 * BENCH_RUNS (default 5) runs per figure, BENCH_GATE_RUNS (default 3) for the 100-world gates.
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig, unwrapConfig } from '../src/config/load.js';
import { resolveBinaries } from '../src/db/embedded/binaries.js';
import { loadAverage, machine } from './machine.js';
import { projectRoot } from './project-copy.js';
import { gateSection, pgtapSection, scalingSection, sharedServer, shrinkingSection, throughputSection, validatorsSection, watchSection, type BenchContext } from './sections.js';
import { commandFor, readResults, renderTable, SECTIONS, type BenchResults, type SectionId, type SectionResult } from './table.js';

const RUN: Record<SectionId, (cx: BenchContext) => Promise<unknown>> = {
  gate: gateSection,
  shrinking: shrinkingSection,
  throughput: throughputSection,
  pgtap: pgtapSection,
  scaling: scalingSection,
  watch: watchSection,
  validators: validatorsSection,
};

function chosenSections(only: string | undefined): SectionId[] {
  if (!only) return [...SECTIONS];
  const ids = only
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const unknown = ids.filter((id) => !(SECTIONS as readonly string[]).includes(id));
  if (unknown.length > 0) {
    console.error(`bench: unknown section ${unknown.join(', ')}; choose from ${SECTIONS.join(', ')}`);
    process.exit(2);
  }
  return SECTIONS.filter((s) => ids.includes(s));
}

/** The commit measured, `+changes` when the working tree differs from it. */
function commitOf(): string {
  const git = (args: string[]) => spawnSync('git', args, { cwd: projectRoot, encoding: 'utf8' }).stdout.trim();
  const head = git(['rev-parse', '--short', 'HEAD']) || 'unknown';
  return git(['status', '--porcelain', '--untracked-files=no']) ? `${head}+changes` : head;
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { only: { type: 'string' } } });
  const sections = chosenSections(values.only);
  const config = unwrapConfig(await loadConfig(path.join(projectRoot, 'tenantproof.config.ts')));
  const server = sharedServer();
  const log = (line: string) => console.error(`[bench ${new Date().toISOString().slice(11, 19)}] ${line}`);
  const cx: BenchContext = { config, runs: Number(process.env.BENCH_RUNS ?? 5), gateRuns: Number(process.env.BENCH_GATE_RUNS ?? 3), log, server: server.get };
  const start = loadAverage();
  const results: BenchResults = {
    date: new Date().toISOString().slice(0, 10),
    commit: commitOf(),
    machine: { ...machine(), postgres: '', loadAverage: { start, end: start } },
    runs: { quick: cx.runs, gate: cx.gateRuns },
    sections: {},
  };
  log(`sections: ${sections.join(', ')}; load average ${start.join(' / ')}`);
  try {
    for (const id of sections) {
      const before = loadAverage();
      const t0 = performance.now();
      const entry: SectionResult<unknown> = { command: commandFor(id), loadAverage: { before, after: before }, seconds: 0 };
      try {
        entry.result = await RUN[id](cx);
      } catch (e) {
        entry.error = (e as Error).stack ?? String(e);
        log(`${id} failed: ${(e as Error).message}`);
        process.exitCode = 1;
      }
      entry.seconds = Math.round((performance.now() - t0) / 1000);
      entry.loadAverage.after = loadAverage();
      (results.sections as Record<string, unknown>)[id] = entry;
      log(`${id}: done in ${entry.seconds} s; load average ${entry.loadAverage.after.join(' / ')}`);
    }
  } finally {
    await server.stop();
  }
  results.machine.postgres = resolveBinaries(18).version;
  results.machine.loadAverage.end = loadAverage();
  console.log(renderTable(results, readResults(path.join(projectRoot, 'bench', 'results.before.json'))));
  if (sections.length === SECTIONS.length) {
    writeFileSync(path.join(projectRoot, 'bench', 'results.json'), `${JSON.stringify(results, null, 2)}\n`);
    log('wrote bench/results.json');
  } else log('some sections only: bench/results.json left as it was');
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
