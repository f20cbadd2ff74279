import type { EventEmitter } from 'node:events';
import type { Command } from 'commander';

// Every command's --help ends with examples and the exit codes. Commands that bring their own
// examples (addHelpText 'after') keep them; the ones below get theirs here, in one place.

export const EXIT_CODES =
  'Exit codes: 0 passed, 1 isolation findings (gate, check), 2 usage or infrastructure error (the message names the fix), 130 interrupted by Ctrl-C.';

const EXAMPLES: Record<string, string[]> = {
  db: ['tenantproof db start && tenantproof db reset', 'tenantproof db commit -m "add projects"', 'DATABASE_URL=postgres://me@db/app_dev tenantproof db migrate'],
  'db start': ['tenantproof db start                 # prints the development database URL', 'npm run db:start'],
  'db stop': ['tenantproof db stop', 'npm run db:stop'],
  'db status': ['tenantproof db status'],
  'db url': ['psql "$(tenantproof db url)"'],
  'db reset': ['tenantproof db reset', 'tenantproof --pg-major 15 db reset    # on the embedded PostgreSQL 15'],
  'db migrate': ['tenantproof db migrate', 'DATABASE_URL=postgres://me@db/app_dev tenantproof db migrate'],
  'db watch': ['tenantproof db watch                 # apply only; `tenantproof watch` also gives a verdict'],
  'db commit': ['tenantproof db commit -m "add projects"', 'npm run db:commit -- -m "add projects"'],
  'db uncommit': ['tenantproof db uncommit'],
};

function walk(cmd: Command, prefix: string, fn: (cmd: Command, name: string) => void): void {
  for (const sub of cmd.commands) {
    const name = prefix ? `${prefix} ${sub.name()}` : sub.name();
    fn(sub, name);
    walk(sub, name, fn);
  }
}

export function register(program: Command): void {
  walk(program, '', (cmd, name) => {
    const examples = EXAMPLES[name];
    if (examples && (cmd as unknown as EventEmitter).listenerCount('afterHelp') === 0) cmd.addHelpText('after', `\nExamples:\n${examples.map((e) => `  ${e}`).join('\n')}`);
  });
  // The program's own help states them already.
  program.addHelpText('afterAll', (ctx) => (ctx.command === program ? '' : `\n${EXIT_CODES}`));
}
