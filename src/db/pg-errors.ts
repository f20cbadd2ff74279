import { TenantproofError } from '../errors.js';
import { redactUrl } from './server.js';

/** SQLSTATE or Node network code of an error from the driver, if any. */
export function errorCode(e: unknown): string | undefined {
  if (typeof e !== 'object' || e === null) return undefined;
  const code = (e as { code?: unknown }).code;
  if (typeof code === 'string') return code;
  // AggregateError from connecting to several addresses (IPv4 and IPv6).
  const errors = (e as { errors?: unknown[] }).errors;
  if (Array.isArray(errors))
    for (const inner of errors) {
      const c = errorCode(inner);
      if (c) return c;
    }
  return undefined;
}

// Worth retrying the connection: the server is starting, restarting or full.
const TRANSIENT_CONNECT = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', '57P01', '57P02', '57P03', '53300']);
// Worth retrying the whole transaction.
const TRANSIENT_TX = new Set(['40001', '40P01']);

export function isTransientConnectionError(e: unknown): boolean {
  const c = errorCode(e);
  return c !== undefined && TRANSIENT_CONNECT.has(c);
}

export function isTransientTransactionError(e: unknown): boolean {
  const c = errorCode(e);
  return c !== undefined && (TRANSIENT_TX.has(c) || TRANSIENT_CONNECT.has(c));
}

/** Turns a failure to reach or use a server into one message that names the problem and the fix. */
export function explainConnectionError(e: unknown, url: string): TenantproofError {
  const where = redactUrl(url);
  const code = errorCode(e);
  const detail = e instanceof Error ? e.message : String(e);
  switch (code) {
    case 'ECONNREFUSED':
      return new TenantproofError(
        'server-unreachable',
        `nothing accepts connections at ${where}`,
        'start that PostgreSQL server, fix DATABASE_URL, or unset DATABASE_URL to use the embedded server',
        { cause: e },
      );
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return new TenantproofError('server-unreachable', `the host in ${where} does not resolve`, 'fix the host name in DATABASE_URL', { cause: e });
    case 'ETIMEDOUT':
      return new TenantproofError('server-unreachable', `connecting to ${where} timed out`, 'check the host, port and firewall in DATABASE_URL', { cause: e });
    case '28P01':
    case '28000':
      return new TenantproofError('auth-failed', `PostgreSQL refused the login for ${where}: ${detail}`, 'fix the user name or password in DATABASE_URL', { cause: e });
    case '3D000':
      return new TenantproofError('database-missing', `the database in ${where} does not exist`, 'create it (createdb) or name an existing database in DATABASE_URL', { cause: e });
    case '42501':
      return new TenantproofError(
        'missing-privilege',
        `permission denied on ${where}: ${detail}`,
        'connect as a role with the privilege named above (reset needs CREATEDB and CREATEROLE, or a superuser)',
        { cause: e },
      );
    case '53300':
      return new TenantproofError('too-many-connections', `the server at ${where} has no free connection slots`, 'close other clients or raise max_connections', { cause: e });
    default:
      return new TenantproofError('database-error', `PostgreSQL at ${where} failed: ${detail}${code ? ` (${code})` : ''}`, 'see the message above', { cause: e });
  }
}
