/**
 * Errors a user can cause or fix. Every one carries what is wrong and how to
 * fix it; the CLI prints both and exits with `exitCode` (2: usage or
 * infrastructure, as documented in the README).
 */
export class TenantproofError extends Error {
  override readonly name = 'TenantproofError';
  readonly code: string;
  readonly fix: string;
  readonly exitCode: number;

  constructor(code: string, message: string, fix: string, options: { cause?: unknown; exitCode?: number } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.fix = fix;
    this.exitCode = options.exitCode ?? 2;
  }
}

export function isTenantproofError(e: unknown): e is TenantproofError {
  return e instanceof TenantproofError;
}

/** The error as the CLI prints it: the problem, then the fix. */
export function formatError(e: unknown): string {
  if (isTenantproofError(e)) return `error [${e.code}]: ${e.message}\n  fix: ${e.fix}`;
  if (e instanceof Error) return `error: ${e.message}`;
  return `error: ${String(e)}`;
}
