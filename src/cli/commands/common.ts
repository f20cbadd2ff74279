import { InvalidArgumentError, type Command } from 'commander';
import { commandContext, type CommandContext, type ContextOptions } from '../../commands/context.js';
import type { PgMajor } from '../../db/embedded/binaries.js';
import { Output } from '../output.js';

// Shared by the command files in this folder (they register themselves; see src/cli/index.ts).

export interface GlobalFlags {
  pgMajor?: PgMajor;
  engine?: 'embedded' | 'docker';
  quiet?: boolean;
}

export function outputFor(cmd: Command, o: { json?: boolean | undefined } = {}): Output {
  return new Output({ quiet: cmd.optsWithGlobals<GlobalFlags>().quiet, json: o.json });
}

/** The library's context from the global flags; its narration goes through `out` (hidden by --quiet and --json). */
export function contextFor(cmd: Command, out: Output, extra: Omit<ContextOptions, 'log'> = {}): CommandContext {
  const g = cmd.optsWithGlobals<GlobalFlags>();
  return commandContext({ ...extra, log: (line) => out.info(line), ...(g.pgMajor ? { major: g.pgMajor } : {}), ...(g.engine ? { engine: g.engine } : {}) });
}

export function wholeNumber(name: string, min: number) {
  return (v: string): number => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < min) throw new InvalidArgumentError(`${name} must be a whole number >= ${min}`);
    return n;
  };
}
