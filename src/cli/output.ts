/**
 * How the CLI talks to a person or a pipe: colours and a live progress line
 * (ora) only at a terminal, plain lines when stdout is not a TTY or CI is
 * set, nothing but results with --quiet, one JSON document (or one JSON line
 * per event) with --json. Results go to stdout, everything else to stderr,
 * so `tenantproof gate --json > report.json` stays parseable.
 */
import ora, { type Ora } from 'ora';
import pc from 'picocolors';
import { formatError, TenantproofError } from '../errors.js';
import type { ProbeProgress } from '../probes/engine.js';

export type Colors = ReturnType<typeof pc.createColors>;

export interface OutputOptions {
  quiet?: boolean | undefined;
  json?: boolean | undefined;
  env?: NodeJS.ProcessEnv;
  stdout?: NodeJS.WriteStream;
  stderr?: NodeJS.WriteStream;
}

const truthy = (v: string | undefined) => v !== undefined && v !== '' && v !== '0' && v.toLowerCase() !== 'false';

/**
 * A person is watching `stream`: it is a terminal, not a dumb one, and this
 * is not CI. NO_COLOR turns colours off; FORCE_COLOR turns them on anywhere
 * (the live progress line still needs a terminal).
 */
export function terminalFeatures(stream: NodeJS.WriteStream, env: NodeJS.ProcessEnv = process.env): { color: boolean; live: boolean } {
  const tty = !!stream.isTTY && env.TERM !== 'dumb' && !truthy(env.CI);
  const color = truthy(env.FORCE_COLOR) ? true : env.NO_COLOR !== undefined && env.NO_COLOR !== '' ? false : tty;
  // A terminal that reports no width (script(1), some CI pseudo-terminals) cannot redraw a line: plain lines there.
  return { color, live: tty && (stream.columns ?? 0) > 0 };
}

export interface Progress {
  /** Replaces the live line (terminal) or prints a line (plain, when `persist`). */
  update(text: string, o?: { persist?: boolean }): void;
  /** Ends the live line, leaving `final` (if any) as a plain line. */
  done(final?: string): void;
}

export type IsolationProgress = (p: ProbeProgress | { phase: 'catalog' | 'lint' }) => void;

export class Output {
  readonly c: Colors;
  /** Live progress line on stderr. */
  readonly live: boolean;
  readonly quiet: boolean;
  readonly json: boolean;
  private readonly out: NodeJS.WriteStream;
  private readonly err: NodeJS.WriteStream;
  private spinner: Ora | null = null;

  constructor(o: OutputOptions = {}) {
    this.out = o.stdout ?? process.stdout;
    this.err = o.stderr ?? process.stderr;
    const env = o.env ?? process.env;
    // Colour follows stdout (where results go); the live line follows stderr (where it is drawn).
    this.c = pc.createColors(terminalFeatures(this.out, env).color);
    this.quiet = !!o.quiet;
    this.json = !!o.json;
    this.live = terminalFeatures(this.err, env).live && terminalFeatures(this.out, env).live;
  }

  /** A result line (stdout); shown with --quiet. */
  result(line: string): void {
    this.withSpinnerPaused(() => this.out.write(`${line}\n`));
  }

  /** One JSON value per line (stdout): --json output. */
  jsonLine(value: unknown): void {
    this.withSpinnerPaused(() => this.out.write(`${JSON.stringify(value)}\n`));
  }

  /** A narration line (stderr, dim); not with --quiet or --json. */
  info(line: string): void {
    if (this.quiet || this.json) return;
    this.withSpinnerPaused(() => this.err.write(`${this.c.dim(line)}\n`));
  }

  /** An error the user can act on (stderr), always shown. */
  error(e: unknown): void {
    this.withSpinnerPaused(() => this.err.write(`${this.c.red(formatError(e))}\n`));
  }

  /** Progress of a long step; silent with --quiet or --json, plain lines without a terminal. */
  progress(initial: string): Progress {
    if (this.quiet || this.json) return { update: () => {}, done: () => {} };
    if (!this.live) {
      this.info(initial);
      return { update: (text, o) => (o?.persist ? this.info(text) : undefined), done: (final) => (final ? this.info(final) : undefined) };
    }
    this.spinner?.stop();
    // discardStdin would put the terminal in raw mode and swallow Ctrl-C's SIGINT.
    const spinner = ora({ text: initial, stream: this.err, isEnabled: true, discardStdin: false, color: 'cyan' }).start();
    this.spinner = spinner;
    return {
      update: (text) => {
        spinner.text = text;
      },
      done: (final) => {
        if (final) spinner.stopAndPersist({ symbol: ' ', text: this.c.dim(final) });
        else spinner.stop();
        if (this.spinner === spinner) this.spinner = null;
      },
    };
  }

  /**
   * The gate's and check's progress: worlds done, checks per second and
   * failing checks so far. At a terminal one live line with a bar; in a pipe
   * or CI a line for the first world, every tenth of the run, and at least
   * every 10 s, so a CI log shows the run is alive without flooding it.
   */
  isolationProgress(): IsolationProgress | undefined {
    if (this.quiet || this.json) return undefined;
    let bar: Progress | null = null;
    let started = 0;
    let lastLine = 0;
    let shrinking = false;
    return (p) => {
      const now = performance.now();
      if (!('worlds' in p)) {
        this.info(`${p.phase}...`);
        started = now; // the probes start after the last of these phases
        return;
      }
      if (started === 0) started = now;
      const rate = Math.round(p.checks / Math.max(0.001, (now - started) / 1000));
      const counts = `${p.worlds}/${p.of} worlds, ${fmtInt(p.checks)} checks (${fmtInt(rate)}/s), ${p.failures} failing`;
      if (p.phase === 'shrinking') {
        // One line, however many failing cells are shrunk one after the other.
        if (!shrinking) {
          bar?.done();
          bar = this.progress(`probes: ${counts}; shrinking failures to minimal worlds`);
          shrinking = true;
        }
        return;
      }
      const step = Math.max(1, Math.floor(p.of / 10));
      const persist = p.worlds === p.of || p.worlds % step === 0 || now - lastLine > 10_000;
      const text = this.live ? `probes ${meter(p.worlds / p.of)} ${counts}` : `probes: ${counts}`;
      if (!bar) {
        bar = this.progress(text);
        lastLine = now;
      } else {
        if (persist) lastLine = now;
        bar.update(text, { persist });
      }
      if (p.worlds === p.of) {
        bar.done(this.live ? `probes: ${counts}` : undefined);
      }
    };
  }

  /** Stops any live line (before an error is printed or the process exits). */
  stop(): void {
    this.spinner?.stop();
    this.spinner = null;
  }

  private withSpinnerPaused(write: () => void): void {
    const s = this.spinner;
    if (!s?.isSpinning) return write();
    s.clear();
    write();
    s.render();
  }
}

/** A bar of block characters for the live line (text, not escape codes). */
export function meter(fraction: number, width = 20): string {
  const filled = Math.max(0, Math.min(width, Math.round(fraction * width)));
  return `${'█'.repeat(filled)}${'░'.repeat(width - filled)}`;
}

export const fmtInt = (n: number) => n.toLocaleString('en-US');
export const fmtSeconds = (ms: number) => `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;

/** Exit code of a run stopped by Ctrl-C (128 + SIGINT), as shells report it. */
export const INTERRUPTED_EXIT = 130;

export function interruptedError(what: string): TenantproofError {
  return new TenantproofError('interrupted', `interrupted: ${what}`, 'run it again when you are ready (the same --seed replays the same worlds)', { exitCode: INTERRUPTED_EXIT });
}

/**
 * Runs `fn` with an AbortSignal that the first Ctrl-C (or SIGTERM) fires;
 * a second one exits at once. When the signal fired, whatever `fn` threw
 * (the aborted probes, or a connection the stopping server closed) becomes
 * one `interrupted` error with exit code 130. The embedded server's own
 * signal hook stops the server this process started; nothing else is
 * touched.
 */
export async function interruptible<T>(out: Output, what: string, fn: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  const reason = interruptedError(what);
  let count = 0;
  const onSignal = () => {
    count += 1;
    out.stop();
    if (count > 1) process.exit(INTERRUPTED_EXIT);
    out.info('stopping (Ctrl-C again to quit at once)...');
    controller.abort(reason);
  };
  // graphile-migrate exits the process with 1 when its pool loses the server we just stopped: keep 130.
  const onExit = () => {
    if (controller.signal.aborted) process.exitCode = INTERRUPTED_EXIT;
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  process.on('exit', onExit);
  try {
    // A run that finished despite a late Ctrl-C is complete: its result stands.
    return await fn(controller.signal);
  } catch (e) {
    throw controller.signal.aborted ? reason : e;
  } finally {
    out.stop();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    process.off('exit', onExit);
  }
}
