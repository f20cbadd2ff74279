import type { z } from 'zod';
import { TenantproofError, errorCode } from 'tenantproof';

/**
 * What a repository call can fail with. Only names travel (constraint,
 * column, SQLSTATE): never the driver's message or detail, which quote row
 * values ("Failing row contains (...)" lists every column, password_hash
 * included).
 */
export type RepoError =
  | { kind: 'conflict'; code: string; constraint?: string }
  | { kind: 'not_found' }
  | { kind: 'forbidden'; code: string }
  | { kind: 'invalid'; code?: string; constraint?: string; column?: string; issues?: Issue[] }
  | { kind: 'reference'; code: string; constraint?: string };

export type RepoErrorKind = RepoError['kind'];

/** A validation problem: where and what, never the value. */
export interface Issue {
  path: string;
  message: string;
}

export type Result<T, E = RepoError> = { ok: true; value: T } | { ok: false; error: E };

export const ok = <T>(value: T): { ok: true; value: T } => ({ ok: true, value });
export const fail = <E>(error: E): { ok: false; error: E } => ({ ok: false, error });
export const notFound = (): { ok: false; error: RepoError } => fail({ kind: 'not_found' });

export function invalidInput(error: z.ZodError): { ok: false; error: RepoError } {
  return fail({
    kind: 'invalid',
    issues: error.issues.map((i) => ({ path: i.path.map(String).join('.'), message: i.message })),
  });
}

function field(e: unknown, name: 'constraint' | 'column'): string | undefined {
  const v = (e as Record<string, unknown>)[name];
  return typeof v === 'string' && v !== '' ? v : undefined;
}

/** `{ name: value }` when there is a value: results carry no undefined keys. */
const named = (name: 'constraint' | 'column', value: string | undefined) => (value === undefined ? {} : { [name]: value });

/**
 * The typed outcome of a database error the caller can act on, or undefined
 * for anything else (connection loss, a bug in a query): those are thrown by
 * the repository as a RepositoryFailure.
 */
export function mapDatabaseError(e: unknown): RepoError | undefined {
  const code = errorCode(e);
  if (!code) return undefined;
  const constraint = field(e, 'constraint');
  const column = field(e, 'column');
  if (code === '23505' || code === '23P01') return { kind: 'conflict', code, ...named('constraint', constraint) };
  if (code === '23503') return { kind: 'reference', code, ...named('constraint', constraint) };
  // Privilege missing, or a row refused by a policy's WITH CHECK.
  if (code === '42501') return { kind: 'forbidden', code };
  // Check and not-null violations, and data exceptions (bad input syntax, out of range, too long).
  if (code === '23514' || code === '23502' || code.startsWith('22')) return { kind: 'invalid', code, ...named('constraint', constraint), ...named('column', column) };
  return undefined;
}

/**
 * A database failure that is not the caller's to handle. Its message names
 * the operation and the SQLSTATE; the driver's error is not attached, since
 * its detail may quote secret values.
 */
export class RepositoryFailure extends TenantproofError {
  readonly sqlstate: string | undefined;

  constructor(operation: string, e: unknown) {
    const code = errorCode(e);
    // Outside classes 22/23 (which quote values) the primary message is a name or a condition.
    const reason = e instanceof Error ? e.message.split('\n')[0] : undefined;
    super(
      'database-error',
      `${operation} failed${code ? ` (SQLSTATE ${code})` : ''}${reason ? `: ${reason}` : ''}`,
      'check that the database is reachable and migrated to the level this version expects',
    );
    this.sqlstate = code;
  }
}
