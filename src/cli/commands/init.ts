import path from 'node:path';
import type { Command } from 'commander';
import { init } from '../../commands/init.js';
import { outputFor, type GlobalFlags } from './common.js';

export function register(program: Command): void {
  program
    .command('init')
    .description('propose a tenantproof.config.ts for an existing project: tenant column, actors and their context, from the catalog')
    .option('--database-url <url>', 'read the catalog of this database (nothing in it is changed)')
    .option(
      '--migrations <dir>',
      "apply this folder's migrations to a scratch database and read that (default: the .gmrc project's graphile-migrate folder; a plain folder of .sql files runs in name order)",
    )
    .option('-o, --out <file>', 'where the config goes (default: tenantproof.config.ts in the project root)')
    .option('--force', 'replace an existing config')
    .option('--dry-run', 'print the proposal, write nothing')
    .option('--json', 'print the proposal and its evidence as JSON')
    .addHelpText(
      'after',
      `
The proposal is a commented config: every guess says why, and what the catalog cannot decide is
marked "// QUESTION:" next to a working guess, so the file loads as it is. An existing config is never
replaced without --force. Scratch databases go on the embedded server (or DATABASE_URL's) and are
dropped afterwards.

Examples:
  tenantproof init                                   # this project's migrations (.gmrc)
  tenantproof init --database-url postgres://me@db/app_dev
  tenantproof init --migrations db/migrations --dry-run
  tenantproof init --force --out config/tenantproof.config.ts`,
    )
    .action(async (o: { databaseUrl?: string; migrations?: string; out?: string; force?: boolean; dryRun?: boolean; json?: boolean }, cmd: Command) => {
      const out = outputFor(cmd, o);
      // No command context: init also works in a folder without a .gmrc.
      const g = cmd.optsWithGlobals<GlobalFlags>();
      const progress = out.progress('reading the catalog...');
      let r;
      try {
        r = await init({ ...o, log: (line) => out.info(line), ...(g.pgMajor ? { major: g.pgMajor } : {}), ...(g.engine ? { engine: g.engine } : {}) });
      } finally {
        progress.done();
      }
      if (out.json) {
        out.result(JSON.stringify({ file: r.file, source: r.source, questions: r.questions, lint: r.lint, proposal: r.proposal }, null, 2));
        return;
      }
      if (o.dryRun) {
        out.result(r.text);
        return;
      }
      const { c } = out;
      const t = r.proposal.tenancy;
      const where = path.relative(process.cwd(), r.file!) || r.file!;
      out.result(
        `${c.green('wrote')} ${where}: tenant ${t.tenantTable ?? '(no tenant table)'} by ${t.tenantColumn}; ${r.proposal.actors.map((a) => `${a.name} (${a.role}, ${a.expect})`).join(', ')}; ${r.proposal.globalTables.length} global table${r.proposal.globalTables.length === 1 ? '' : 's'}`,
      );
      out.result(
        `${r.questions > 0 ? c.yellow(`${r.questions} QUESTION${r.questions > 1 ? 's' : ''}`) : 'no question'} to answer in the file; the lint with this proposal: ${r.lint.error} errors, ${r.lint.warning} warnings`,
      );
      out.result(c.dim('next: answer the questions, then run `tenantproof gate`'));
    });
}
