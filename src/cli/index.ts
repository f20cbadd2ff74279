import { Command, InvalidArgumentError, Option } from 'commander';
import { formatError, isTenantproofError } from '../errors.js';
import { commandContext, type ContextOptions } from '../commands/context.js';
import { dbCommit, dbMigrate, dbReset, dbStart, dbStatus, dbStop, dbUncommit, dbUrl, dbWatch } from '../commands/db.js';
import { gate } from '../commands/gate.js';
import { check } from '../commands/check.js';
import { printResult } from './print.js';
import { interruptible, Output } from './output.js';
import { register as registerWatch } from './commands/watch.js';
import { register as registerInit } from './commands/init.js';
import { register as registerHelp } from './commands/help.js';
import { SUPPORTED_MAJORS, type PgMajor } from '../db/embedded/binaries.js';
import { register as registerReportCommands } from './commands/report.js';

// Thin layer: parse flags, call the library, print. Exit codes: 0 pass, 1 findings, 2 usage or infrastructure.

const int = (name: string, min: number) => (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < min) throw new InvalidArgumentError(`${name} must be a whole number >= ${min}`);
  return n;
};
const major = (v: string): PgMajor => {
  const n = Number(v);
  if (!(SUPPORTED_MAJORS as readonly number[]).includes(n)) throw new InvalidArgumentError(`expected one of ${SUPPORTED_MAJORS.join(', ')}`);
  return n as PgMajor;
};

function ctxFrom(cmd: Command) {
  const o = cmd.optsWithGlobals<{ pgMajor?: PgMajor; engine?: 'embedded' | 'docker'; quiet?: boolean }>();
  const out = new Output({ quiet: o.quiet });
  const options: ContextOptions = { log: (line) => out.info(line) };
  if (o.pgMajor) options.major = o.pgMajor;
  if (o.engine) options.engine = o.engine;
  return commandContext(options);
}

export function buildProgram(): Command {
  const program = new Command('tenantproof')
    .description('Evidence that no tenant can read, write, move or reference another tenant\'s rows.')
    .addOption(new Option('--pg-major <major>', 'PostgreSQL major of the embedded server').argParser(major))
    .addOption(new Option('--engine <engine>', 'where the server comes from when DATABASE_URL is unset').choices(['embedded', 'docker']))
    .option('-q, --quiet', 'print only results and errors')
    .showHelpAfterError()
    // Usage errors exit 2, as documented; set before the subcommands so that they inherit it.
    .exitOverride((err) => {
      process.exitCode = err.exitCode === 0 ? 0 : 2;
      throw err;
    })
    .addHelpText('after', '\nExit codes: 0 passed, 1 isolation findings, 2 usage or infrastructure error, 130 interrupted (Ctrl-C).\nDATABASE_URL: use that server instead of the embedded one.');

  const isolationFlags = (c: Command) =>
    c
      .option('--runs <n>', 'random worlds to probe (default: probes.runs in the config, 100)', int('--runs', 1))
      .option('--seed <n>', 'fast-check seed: the same seed replays the same run', int('--seed', 0))
      .option('--report-dir <dir>', 'where the reports go (JSON, Markdown, HTML, JUnit, SARIF)', 'reports')
      .option('-c, --config <file>', 'the tenantproof config (default: the nearest tenantproof.config.*)')
      .option('--no-lint', 'skip the static rules (probes only)')
      .option('--no-probes', 'skip the dynamic probes (lint only)')
      .option('--json', 'print the report as JSON instead of the summary');
  type IsolationFlags = { runs?: number; seed?: number; reportDir: string; config?: string; lint: boolean; probes: boolean; json?: boolean };
  // Progress, colours and Ctrl-C live in output.ts: live at a terminal, plain lines in a pipe or CI.
  const outputFor = (cmd: Command, o: { json?: boolean }) => new Output({ quiet: cmd.optsWithGlobals<{ quiet?: boolean }>().quiet, json: o.json });

  isolationFlags(
    program
      .command('gate')
      .description('reset from migrations (and current.sql), lint, probe, write the report; exit 1 on any error finding'),
  )
    .addHelpText('after', '\nExamples:\n  tenantproof gate\n  tenantproof gate --runs 300 --seed 42\n  tenantproof gate --no-lint        # what the probes alone catch')
    .action(async (o: IsolationFlags, cmd: Command) => {
      const out = outputFor(cmd, o);
      const r = await interruptible(out, 'the gate stopped before it finished; no report was written', (signal) =>
        gate(ctxFrom(cmd), { ...o, onProgress: out.isolationProgress(), signal }),
      );
      printResult(r, out);
      process.exitCode = r.passed ? 0 : 1;
    });

  isolationFlags(
    program
      .command('check')
      .description('lint and probe an existing database without migrating it; it is left exactly as found')
      .requiredOption('--database-url <url>', 'the database to check (a superuser or BYPASSRLS connection)'),
  )
    .addHelpText('after', '\nExamples:\n  tenantproof check --database-url postgres://admin@db/app --config tenantproof.config.ts')
    .action(async (o: IsolationFlags & { databaseUrl: string }, cmd: Command) => {
      const out = outputFor(cmd, o);
      const r = await interruptible(out, 'the check stopped before it finished; no report was written', (signal) =>
        check({ ...o, onProgress: out.isolationProgress(), signal }),
      );
      printResult(r, out);
      process.exitCode = r.passed ? 0 : 1;
    });

  const db = program.command('db').description('the development database server and migrations');
  db.command('start').description('start the embedded server (reuses a running one) and leave it running').action(async (_o, cmd: Command) => {
    const r = await dbStart(ctxFrom(cmd));
    console.log(r.url);
    new Output().info(r.reused ? 'already running' : `started PostgreSQL ${r.version}`);
  });
  db.command('stop').description('stop the embedded server').action(async (_o, cmd: Command) => {
    const r = await dbStop(ctxFrom(cmd));
    console.log(r.stopped ? 'stopped' : 'not running');
  });
  db.command('status').description('is the embedded server running?').action((_o, cmd: Command) => {
    const s = dbStatus(ctxFrom(cmd));
    console.log(s.running ? `running (pid ${s.pid}) on port ${s.port}` : `stopped${s.initialised ? '' : ' (not initialised)'}`);
  });
  db.command('url').description('print the development database URL').action((_o, cmd: Command) => {
    const url = dbUrl(ctxFrom(cmd));
    if (!url) {
      console.error(formatError(new Error('the embedded server is not running: run `tenantproof db start` first')));
      process.exitCode = 2;
    } else console.log(url);
  });
  db.command('reset').description('drop and recreate the development database from the committed migrations').action((_o, cmd: Command) => dbReset(ctxFrom(cmd)));
  db.command('migrate').description('apply committed migrations not yet applied').action((_o, cmd: Command) => dbMigrate(ctxFrom(cmd)));
  db.command('watch').description('re-apply current.sql on every save').action((_o, cmd: Command) => dbWatch(ctxFrom(cmd)));
  db.command('commit').description('commit current.sql as the next migration').option('-m, --message <text>', 'migration name').action((o: { message?: string }, cmd: Command) => dbCommit(ctxFrom(cmd), o.message));
  db.command('uncommit').description('move the last migration back into current.sql').action((_o, cmd: Command) => dbUncommit(ctxFrom(cmd)));
  registerReportCommands(program);
  registerWatch(program);
  registerInit(program);
  registerHelp(program);
  return program;
}

export async function main(argv: string[]): Promise<void> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
  } catch (e) {
    const code = (e as { code?: string }).code;
    if (typeof code === 'string' && code.startsWith('commander.')) return; // commander printed it
    new Output().error(e);
    process.exitCode = isTenantproofError(e) ? e.exitCode : 2;
  }
}
