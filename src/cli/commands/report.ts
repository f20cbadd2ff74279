/**
 * The report commands: `report` (render, --check, --merge) and `diff`, plus
 * the gate's `--shard i/n` flag. Thin: parse flags, call src/commands, print.
 * Exit codes as everywhere: 0 passed, 1 findings (stale reports, a diff that
 * adds errors), 2 usage or infrastructure.
 */
import { type Command, InvalidArgumentError, Option } from 'commander';
import pc from 'picocolors';
import { commandContext, type ContextOptions } from '../../commands/context.js';
import { diff } from '../../commands/diff.js';
import { checkReports, mergeReports, renderReport, type ReportCheck } from '../../commands/report.js';
import type { PgMajor } from '../../db/embedded/binaries.js';
import { countBySeverity } from '../../findings/findings.js';
import type { IsolationReport } from '../../findings/types.js';
import { parseShard, type Shard } from '../../report/merge.js';

const int = (name: string, min: number) => (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < min) throw new InvalidArgumentError(`${name} must be a whole number >= ${min}`);
  return n;
};

const shardArg = (v: string): Shard => {
  const s = parseShard(v);
  if (!s) throw new InvalidArgumentError('expected i/n with 1 <= i <= n, e.g. 1/2');
  return s;
};

function contextFrom(cmd: Command) {
  const o = cmd.optsWithGlobals<{ pgMajor?: PgMajor; engine?: 'embedded' | 'docker'; quiet?: boolean }>();
  const options: ContextOptions = { log: o.quiet ? () => {} : (line) => console.error(pc.dim(line)) };
  if (o.pgMajor) options.major = o.pgMajor;
  if (o.engine) options.engine = o.engine;
  return commandContext(options);
}

const summary = (r: IsolationReport) => {
  const n = countBySeverity(r.findings);
  const c = r.coverage;
  return `${r.verdict === 'pass' ? pc.green('PASS') : pc.red('FAIL')}  ${n.error} errors, ${n.warning} warnings, ${n.info} info  |  ${c.relations} relations x ${c.actors} actors, ${c.worlds} worlds, ${c.checks} checks${r.seed !== null ? `  |  seed ${r.seed}` : ''}`;
};

export function register(program: Command): void {
  // The gate's own sharding: the gate command is defined in ../index.ts; its action passes every flag on to gate().
  program.commands
    .find((c) => c.name() === 'gate')
    ?.addOption(
      new Option('--shard <i/n>', 'probe only shard i of n of the worlds (world k runs in shard k mod n + 1) and write a partial report; join them with report --merge').argParser(
        shardArg,
      ),
    )
    .addHelpText(
      'after',
      '\nSharding (one machine each, same seed):\n  tenantproof gate --seed 7 --shard 1/2 --report-dir out/1\n  tenantproof gate --seed 7 --shard 2/2 --report-dir out/2\n  tenantproof report --merge out/1/isolation-report.shard-1-of-2.json out/2/isolation-report.shard-2-of-2.json',
    );

  program
    .command('report')
    .description(
      'render Markdown, HTML, JUnit and SARIF from a report JSON; --check: fail when the committed reports are stale; --merge: join the partial reports of a sharded gate',
    )
    .option('--from <file>', 'the report JSON to render (default reports/isolation-report.json)')
    .option('--report-dir <dir>', 'where the reports go (render: beside --from; --check: the committed reports; --merge: reports)')
    .option('--check', 'run the gate into a temporary folder and fail (exit 1) when the committed reports differ from what the schema produces now, or when the gate fails')
    .option('--merge <files...>', 'partial reports of every shard of one run (gate --shard i/n) to join into the whole report')
    .option('--runs <n>', '--check: random worlds (default: the config)', int('--runs', 1))
    .option('--seed <n>', '--check: fast-check seed (default: the config)', int('--seed', 0))
    .option('-c, --config <file>', '--check: the tenantproof config (default: the nearest tenantproof.config.*)')
    .addHelpText(
      'after',
      '\nExamples:\n  tenantproof report                       # re-render reports/ from reports/isolation-report.json\n  tenantproof report --check               # CI: are the committed reports what the schema gives now?\n  tenantproof report --merge a.json b.json # join the shards of one run',
    )
    .action(async (o: { from?: string; reportDir?: string; check?: boolean; merge?: string[]; runs?: number; seed?: number; config?: string }, cmd: Command) => {
      const quiet = !!cmd.optsWithGlobals<{ quiet?: boolean }>().quiet;
      if (o.check && o.merge) {
        console.error(pc.red('error: --check and --merge are separate jobs: use one'));
        process.exitCode = 2;
        return;
      }
      if (o.check) {
        const r = await checkReports(contextFrom(cmd), {
          reportDir: o.reportDir,
          runs: o.runs,
          seed: o.seed,
          config: o.config,
          ...(quiet ? {} : { onProgress: checkProgress() }),
        });
        printCheck(r);
        process.exitCode = r.passed ? 0 : 1;
        return;
      }
      if (o.merge) {
        const r = mergeReports({ files: o.merge, reportDir: o.reportDir });
        for (const f of r.files) console.error(pc.dim(`wrote ${f}`));
        console.log(summary(r.report));
        process.exitCode = r.report.verdict === 'pass' ? 0 : 1;
        return;
      }
      const r = renderReport({ from: o.from, reportDir: o.reportDir });
      for (const f of r.files) console.log(f);
      if (!r.withPolicies) console.error(pc.yellow('no isolation-report.policies.json beside the report: the Markdown and HTML have no policies section'));
    });

  program
    .command('diff')
    .description('what changed in isolation posture between two reports, as Markdown for a pull-request comment; exit 1 when HEAD adds error findings')
    .argument('<base>', 'the report of the base branch (isolation-report.json)')
    .argument('<head>', 'the report of the change')
    .option('-o, --output <file>', 'also write the Markdown to this file')
    .addHelpText(
      'after',
      '\nExample:\n  git show main:reports/isolation-report.json > /tmp/base.json\n  tenantproof diff /tmp/base.json reports/isolation-report.json > comment.md',
    )
    .action((base: string, head: string, o: { output?: string }) => {
      const r = diff({ base, head, output: o.output });
      process.stdout.write(r.markdown);
      process.exitCode = r.passed ? 0 : 1;
    });
}

function checkProgress() {
  return (p: { phase: string; worlds?: number; of?: number; checks?: number }) => {
    if (p.phase === 'worlds' && p.worlds !== undefined && p.of !== undefined) {
      if (p.worlds === p.of || p.worlds % Math.max(1, Math.floor(p.of / 4)) === 0) console.error(pc.dim(`probes: ${p.worlds}/${p.of} worlds, ${p.checks} checks`));
    } else if (p.phase !== 'worlds' && p.phase !== 'shrinking') console.error(pc.dim(`${p.phase}...`));
  };
}

function printCheck(r: ReportCheck): void {
  const rel = (name: string) => `${r.dir}/${name}`;
  if (!r.stale) {
    console.log(`${pc.green('fresh')}  the committed reports in ${r.dir} are what the schema produces now`);
  } else {
    console.log(`${pc.red('stale')}  the committed reports in ${r.dir} differ from what the schema produces now:`);
    for (const f of r.files) {
      if (f.status === 'changed')
        console.log(`  changed  ${rel(f.name)}${f.lines ? ` (-${f.lines.removed} +${f.lines.added} lines, first difference at line ${f.lines.first})` : ''}`);
      if (f.status === 'missing') console.log(`  missing  ${rel(f.name)}`);
    }
    const d = r.diff;
    if (d) {
      const parts = [
        d.added.length > 0
          ? `${d.added.length} new finding(s): ${d.added
              .slice(0, 5)
              .map((f) => `${f.severity} ${f.rule}${f.relation ? ` ${f.relation}` : ''}${f.actor ? ` [${f.actor}]` : ''}`)
              .join('; ')}${d.added.length > 5 ? '; ...' : ''}`
          : null,
        d.resolved.length > 0
          ? `${d.resolved.length} resolved: ${d.resolved
              .slice(0, 5)
              .map((f) => `${f.rule}${f.relation ? ` ${f.relation}` : ''}`)
              .join('; ')}${d.resolved.length > 5 ? '; ...' : ''}`
          : null,
        d.changed.length > 0 ? `${d.changed.length} changed severity` : null,
        d.cells.length > 0
          ? `${d.cells.length} matrix cell(s) changed status, e.g. ${d.cells
              .slice(0, 3)
              .map((c) => `${c.relation} ${c.actor} ${c.probe}: ${c.from ?? '(none)'} -> ${c.to ?? '(none)'}`)
              .join('; ')}`
          : null,
        d.base.verdict !== d.head.verdict ? `verdict ${d.base.verdict} -> ${d.head.verdict}` : null,
        d.base.coverage.worlds !== d.head.coverage.worlds || d.base.seed !== d.head.seed
          ? `run: seed ${d.base.seed} -> ${d.head.seed}, worlds ${d.base.coverage.worlds} -> ${d.head.coverage.worlds}`
          : null,
      ].filter(Boolean);
      if (parts.length > 0) console.log(`  in the JSON report: ${parts.join('; ')}`);
      else console.log('  in the JSON report: same findings and matrix; counts or wording changed');
    }
    console.log(`  fix: run \`npm run gate\` and commit ${r.dir.endsWith('/reports') ? 'reports/' : r.dir} with the schema change (tenantproof diff shows what changed)`);
  }
  for (const f of r.files) if (f.status === 'not-committed') console.error(pc.dim(`not committed, not compared: ${f.name}`));
  console.log(summary(r.gate.report));
}
