/**
 * bench/results.json as the README's benchmark table: one row per figure,
 * with its goal (issue 14) and the command that measures it again.
 *
 *   node --import tsx bench/table.ts      # prints the table from bench/results.json
 *
 * With bench/results.before.json (a run of an earlier engine, kept by hand), its
 * medians stand in a "before" column beside each row of the same name.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Machine } from './machine.js';
import type { PgTapResult } from './pgtap/compare.js';
import type { gateSection, scalingSection, shrinkingSection, throughputSection, validatorsSection } from './sections.js';
import { fmt, show, type Stat } from './stats.js';

export const SECTIONS = ['gate', 'shrinking', 'throughput', 'pgtap', 'scaling', 'watch', 'validators'] as const;
export type SectionId = (typeof SECTIONS)[number];

export const commandFor = (s: SectionId) => `npm run bench -- --only ${s}`;

export interface SectionResult<T> {
  command: string;
  loadAverage: { before: number[]; after: number[] };
  seconds: number;
  result?: T;
  error?: string;
}

export interface BenchResults {
  date: string;
  /** The commit measured (`+changes` when the working tree differed). */
  commit?: string;
  /** What a reader must know of this run (results.before.json says which engine it measured). */
  note?: string;
  machine: Machine & { postgres: string; loadAverage: { start: number[]; end: number[] } };
  runs: { quick: number; gate: number };
  sections: Partial<{
    gate: SectionResult<Awaited<ReturnType<typeof gateSection>>>;
    shrinking: SectionResult<Awaited<ReturnType<typeof shrinkingSection>>>;
    throughput: SectionResult<Awaited<ReturnType<typeof throughputSection>>>;
    pgtap: SectionResult<PgTapResult>;
    scaling: SectionResult<Awaited<ReturnType<typeof scalingSection>>>;
    watch: SectionResult<Stat>;
    validators: SectionResult<Awaited<ReturnType<typeof validatorsSection>>>;
  }>;
}

type Row = [measure: string, value: string, goal: string, note: string, command: string];

const secs = (s: Stat) => show({ ...s, median: s.median / 1000, min: s.min / 1000, max: s.max / 1000 }, 1, ' s');
const met = (ok: boolean) => (ok ? 'met' : 'not met');
const pct = (s: Stat) => show({ ...s, median: s.median * 100, min: s.min * 100, max: s.max * 100 }, 0, '%');

export function tableRows(r: BenchResults): Row[] {
  const rows: Row[] = [];
  const s = r.sections;
  const failed = (id: SectionId, sec: SectionResult<unknown> | undefined) => {
    if (sec?.error) rows.push([id, 'not measured', '', `error: ${sec.error.split('\n')[0]}`, commandFor(id)]);
    return !sec?.result;
  };
  const t = s.throughput;
  if (t && !failed('throughput', t)) {
    const x = t.result!;
    const cmd = t.command;
    rows.push([
      `engine, checks/s, reference schema`,
      show(x.engine),
      `>= 20,000: ${met(x.engine.median >= 20000)}`,
      `${x.relations} tenant relations x ${x.actors} actors, ${x.engineWorlds} worlds, ${fmt(x.engineChecks)} checks run (whatever their outcome); checkIsolation's probes phase, on one pool kept across rounds (its runner and plans warm from the warm-up round, as in watch or a test file; a cold start is the gate row)`,
      cmd,
    ]);
    rows.push([
      `(a) one statement per round trip, checks/s`,
      show(x.roundTrip),
      `engine >= 8x: ${fmt(x.ratioRoundTrip, 1)}x, ${met(x.ratioRoundTrip >= 8)}`,
      `a hand-written suite (${fmt(x.roundTripChecks)} checks over the engine's first ${x.roundTripWorlds} worlds); per check: savepoint, role, context, statement, rollback, each a round trip`,
      cmd,
    ]);
    rows.push([
      `(b) a database per case, checks/s`,
      show(x.databasePerCase, 1),
      `engine >= 500x: ${fmt(x.ratioDatabasePerCase, 0)}x, ${met(x.ratioDatabasePerCase >= 500)}`,
      'CREATE DATABASE ... TEMPLATE per check',
      cmd,
    ]);
  }
  const p = s.pgtap;
  if (p && !failed('pgtap', p)) {
    const x = p.result!;
    if ('skipped' in x) rows.push(['pgTAP (pg_prove)', 'skipped', '', x.skipped, p.command]);
    else {
      rows.push([
        `pgTAP, pg_prove -j2, 10 files, checks/s`,
        show(x.split),
        `engine ${fmt(x.ratioSplit, 1)}x`,
        `${fmt(x.suiteChecks)} assertions on ${x.relations} relations, 10 worlds of 3 tenants; ${x.server}, pgTAP ${x.pgtap}`,
        p.command,
      ]);
      rows.push([`pgTAP, pg_prove, one file, checks/s`, show(x.singleFile), `engine ${fmt(x.ratioSingle, 1)}x`, 'the same suite in one file', p.command]);
      rows.push([
        `engine on the same server, checks/s`,
        show(x.engine),
        '',
        `the same 10 worlds (${fmt(x.engineChecksPerWorld)} checks each), run in alternation with pg_prove`,
        p.command,
      ]);
    }
  }
  const g = s.gate;
  if (g && !failed('gate', g)) {
    const x = g.result!;
    rows.push([
      `gate, stopped server to written report`,
      secs(x.total),
      `<= 30 s: ${met(x.total.median <= 30000)}`,
      `${x.worlds} worlds, ${fmt(x.checks)} conclusive checks (the report's coverage); \`tenantproof gate\` as a child process`,
      g.command,
    ]);
    const ph = Object.entries(x.phases)
      .map(([k, v]) => `${k} ${v ? fmt(v.median / 1000, 2) : '?'}`)
      .join(' / ');
    rows.push([`gate phases, s`, ph, '', `start includes ${fmt(x.cliLoad.median / 1000, 1)} s of Node and the CLI's imports (\`tenantproof --help\`)`, g.command]);
  }
  const sh = s.shrinking;
  if (sh && !failed('shrinking', sh)) {
    const x = sh.result!;
    rows.push([
      `shrinking, share of a failing run`,
      x.share ? pct(x.share) : 'not measured',
      x.share ? `<= 20%: ${met(x.share.median <= 0.2)}` : '',
      `${x.worlds} worlds, ${x.failingCells} failing cells (USING (true) planted on ${x.plantedTables} tables); run ${secs(x.run)}, shrinking ${x.shrinking ? secs(x.shrinking) : '?'}; ${fmt(x.usPerCheck.median)} us per check probing`,
      sh.command,
    ]);
  }
  const sc = s.scaling;
  if (sc && !failed('scaling', sc)) {
    const x = sc.result!;
    for (const tenants of [2, 8, 32] as const) {
      const cells = x.cells.filter((c) => c.tenants === tenants);
      const ratio = x.ratio200to10[tenants];
      // Older results have no fixed cost: their figure is the whole run's.
      const fixed = cells.every((c) => c.fixedSeconds)
        ? `; fixed cost per run ${cells.map((c) => fmt(c.fixedSeconds.median, 1)).join(' / ')} s, the whole ${x.worlds ? x.worlds.slice(1).join(' / ') : '?'}-world run ${cells.map((c) => fmt(c.usPerCheckWhole.median)).join(' / ')} us per check; closed connections gone after ${cells.map((c) => fmt(c.exitSeconds.median, 1)).join(' / ')} s`
        : '';
      rows.push([
        `scaling, 10 / 50 / 200 tables, ${tenants} tenants per world, us per check`,
        cells.map((c) => fmt(c.usPerCheck.median)).join(' / '),
        `200 vs 10 <= 1.5x: ${fmt(ratio, 2)}x, ${met(ratio <= 1.5)}`,
        `peak RSS ${cells.map((c) => c.peakRssMiB).join(' / ')} MiB${fixed}`,
        sc.command,
      ]);
    }
  }
  const w = s.watch;
  if (w && !failed('watch', w)) rows.push(['watch, save to verdict', show(w.result!, 0, ' ms'), '', 'reference schema, a policy broken and fixed in turn', w.command]);
  const v = s.validators;
  if (v && !failed('validators', v)) {
    rows.push([
      'SQL validators, validations/s',
      Object.entries(v.result!)
        .map(([id, st]) => `${id.toUpperCase()} ${fmt(st.median / 1000)}k`)
        .join(', '),
      '',
      '200,000 inputs per batch query',
      v.command,
    ]);
  }
  return rows;
}

/** The table; with `before` (bench/results.before.json), a column of its medians beside this run's. */
export function renderTable(r: BenchResults, before?: BenchResults): string {
  const m = r.machine;
  const old = new Map((before ? tableRows(before) : []).map((row) => [row[0], row[1]]));
  const beforeHead = before ? ` before (${before.date}, ${before.commit ?? '?'}) |` : '';
  const head = [
    `Measured ${r.date}${r.commit ? ` at ${r.commit}` : ''}: ${m.cpus} CPUs (${m.cpu}), ${m.memoryGiB} GiB, Node ${m.node}, embedded PostgreSQL ${m.postgres}; load average ${m.loadAverage.start.join(' / ')} at the start, ${m.loadAverage.end.join(' / ')} at the end (1 / 5 / 15 min).`,
    `Median (min-max) of ${r.runs.quick} runs after a warm-up (the 100-world gates and scaling: ${r.runs.gate}).${before ? ` Before: ${before.note ?? 'an earlier run'}; load average ${before.machine.loadAverage.start.join(' / ')} at its start.` : ''}`,
    '',
    `| measure | median (min-max) |${beforeHead} goal | note | reproduce |`,
    `| --- | --- |${before ? ' --- |' : ''} --- | --- | --- |`,
  ];
  const cell = (c: string) => c.replaceAll('|', '\\|');
  return [
    ...head,
    ...tableRows(r).map(
      ([measure, value, goal, note, cmd]) => `| ${[measure, value, ...(before ? [old.get(measure) ?? ''] : []), goal, note].map(cell).join(' | ')} | \`${cmd}\` |`,
    ),
  ].join('\n');
}

export function readResults(file: string): BenchResults | undefined {
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as BenchResults) : undefined;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const dir = path.dirname(fileURLToPath(import.meta.url));
  console.log(renderTable(readResults(path.join(dir, 'results.json'))!, readResults(path.join(dir, 'results.before.json'))));
}
