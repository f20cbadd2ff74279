import type { Command } from 'commander';
import { watchProject, type WatchEvent, type WatchVerdict } from '../../commands/watch.js';
import { fmtInt, fmtSeconds, INTERRUPTED_EXIT, type Colors, type Output, type Progress } from '../output.js';
import { contextFor, outputFor, wholeNumber } from './common.js';

const MAX_LINES = 5;

/** The verdict as a person reads it: one line per exposed relation (at most five), then one summary line. */
export function formatVerdict(v: WatchVerdict, c: Colors): string[] {
  const seconds = fmtSeconds(v.ms.total);
  const changed =
    v.changed.length > 2 ? `${v.changed.slice(0, 2).join(', ')} and ${v.changed.length - 2} more changed` : v.changed.length > 0 ? `${v.changed.join(', ')} changed` : '';
  const scope =
    v.scope === 'all'
      ? `${fmtInt(v.checks)} checks`
      : v.scope === 'affected'
        ? `${fmtInt(v.checks)} checks on ${v.probed} relations${changed ? ` (${changed})` : ''}`
        : 'no schema change';
  const size = `${v.relations} relations, ${v.actors} actors, ${scope} in ${seconds}`;
  const warnings = v.warnings > 0 ? c.dim(` · ${v.warnings} warnings (tenantproof gate lists them)`) : '';
  if (v.ok) return [`${c.green('✓')} isolation holds: ${size}${warnings}`];
  const lines = v.exposures.slice(0, MAX_LINES).map((e) => {
    const rules = e.rules.length > 3 ? `${e.rules.slice(0, 3).join(', ')}, +${e.rules.length - 3}` : e.rules.join(', ');
    const where = e.location ? c.dim(` (${e.location.file}:${e.location.line})`) : '';
    const mark = e.isNew ? c.red('✗') : c.yellow('✗');
    return `${mark} ${c.bold(e.subject ?? 'schema')}${where}: ${e.what} ${c.dim(`(${rules})`)} — fix: ${e.fix}`;
  });
  const more = v.exposures.length - MAX_LINES;
  if (more > 0) lines.push(c.dim(`  ... and ${more} more: tenantproof gate writes the full report`));
  const fresh = v.exposures.filter((e) => e.isNew).length;
  lines.push(`  ${c.red(`${v.exposures.length} exposed`)}${fresh > 0 ? ` (${fresh} new)` : ''} · ${size}${warnings}`);
  return lines;
}

const clock = () => new Date().toTimeString().slice(0, 8);

function render(out: Output): (e: WatchEvent) => void {
  let bar: Progress | null = null;
  const endBar = () => {
    bar?.done();
    bar = null;
  };
  if (out.json) {
    return (e) => {
      if (e.type === 'progress' || e.type === 'probing') return;
      if (e.type === 'migration-error' || e.type === 'error') out.jsonLine({ event: e.type, code: e.error.code, message: e.error.message, fix: e.error.fix });
      else out.jsonLine({ event: e.type, ...Object.fromEntries(Object.entries(e).filter(([k]) => k !== 'type')) });
    };
  }
  const { c } = out;
  return (e) => {
    switch (e.type) {
      case 'ready':
        out.info(`watching ${e.files.join(', ')} on database ${e.database} (Ctrl-C to stop); ${e.runs} worlds per pass, seed ${e.seed}`);
        return;
      case 'probing':
        if (e.all) bar = out.progress(`probing ${e.subjects} relations and functions...`);
        return;
      case 'progress':
        bar?.update(`probing: ${e.progress.worlds}/${e.progress.of} worlds, ${fmtInt(e.progress.checks)} checks, ${e.progress.failures} failing`);
        return;
      case 'applied':
        out.info(`${clock()} current.sql applied (${fmtSeconds(e.ms)})`);
        return;
      case 'unchanged':
        out.info(`${clock()} current.sql saved without changes`);
        return;
      case 'migration-error':
        endBar();
        out.result(`${c.red('✗')} ${e.error.message}`);
        out.result(c.dim('  the database keeps its last good state; fix current.sql and save again'));
        return;
      case 'error':
        endBar();
        out.error(e.error);
        return;
      case 'verdict':
        endBar();
        for (const line of formatVerdict(e.verdict, c)) out.result(line);
        return;
      case 'stopped':
        endBar();
        out.info(e.stoppedServer ? 'stopped the watcher and the server it started' : 'stopped the watcher (the server was already running and keeps running)');
        return;
    }
  };
}

export function register(program: Command): void {
  program
    .command('watch')
    .description('apply current.sql on every save, then lint and probe what the save affected; one verdict per save')
    .option('--runs <n>', 'random worlds per pass (default 5; the gate runs the full number)', wholeNumber('--runs', 1))
    .option('--seed <n>', 'fast-check seed for the session (default: probes.seed in the config, else random)', wholeNumber('--seed', 0))
    .option('-c, --config <file>', 'the tenantproof config (default: the nearest tenantproof.config.* from here upwards)')
    .option('--json', 'one JSON object per event (ready, applied, migration-error, verdict, stopped) instead of text')
    .addHelpText(
      'after',
      `
Starts the embedded server (or reuses a running one; DATABASE_URL names another), brings the
development database up to date, then applies current.sql on every save. After each successful
apply: the static lint on the whole schema and a quick probe pass on the relations the save affected.
A broken current.sql prints the file, line and PostgreSQL's message; the database keeps its last good
state and watching goes on. Ctrl-C stops the watcher and the server it started (exit 0).

Examples:
  tenantproof watch
  npm run watch
  tenantproof watch --runs 20 --seed 7     # more worlds per save, a fixed seed
  tenantproof watch --json | jq .          # one JSON object per event`,
    )
    .action(async (o: { runs?: number; seed?: number; config?: string; json?: boolean }, cmd: Command) => {
      const out = outputFor(cmd, o);
      const ctx = contextFor(cmd, out);
      const controller = new AbortController();
      // Ctrl-C is how watch ends: the first one stops cleanly (exit 0), a second one quits at once.
      const onSignal = () => {
        out.stop();
        if (controller.signal.aborted) process.exit(INTERRUPTED_EXIT);
        out.info('stopping...');
        controller.abort();
      };
      // graphile-migrate exits with 1 when its pool loses the server the signal hook just stopped: a stop is still a stop.
      const onExit = () => {
        if (controller.signal.aborted && process.exitCode !== INTERRUPTED_EXIT) process.exitCode = 0;
      };
      process.on('SIGINT', onSignal);
      process.on('SIGTERM', onSignal);
      process.on('exit', onExit);
      try {
        await watchProject(ctx, { config: o.config, runs: o.runs, seed: o.seed, signal: controller.signal, onEvent: render(out) });
      } finally {
        out.stop();
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
        process.off('exit', onExit);
      }
    });
}
