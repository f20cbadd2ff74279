import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { sql } from '@databases/pg';
import { hashPassword, MAX_PASSWORD_LENGTH, needsRehash, verifyPassword } from '../security/password.js';
import { generateTotpSecret, totpUri, verifyTotp } from '../security/totp.js';
import type { Secret } from '../security/secret.js';
import { defineRepository, idSchema, inTenant, nonEmptyPatch, type Db, type RepoContext } from './define.js';
import { fail, invalidInput, notFound, ok, type RepoError, type Result } from './result.js';

export const USER_ROLES = ['sysadmin', 'admin', 'user'] as const;
/** The Fintech template's password_min_length. */
export const MIN_PASSWORD_LENGTH = 12;

const email = z.string().trim().max(254).pipe(z.email());
const password = z.string().min(MIN_PASSWORD_LENGTH).max(MAX_PASSWORD_LENGTH);

/** A user as repositories return it: never password_hash or totp_secret, only whether 2FA is on. */
export const userRow = z.object({
  tenant_id: z.string(),
  id: z.string(),
  email: z.string(),
  role: z.enum(USER_ROLES),
  is_active: z.boolean(),
  totp_enabled: z.boolean(),
  created_at: z.date(),
  updated_at: z.date(),
});
export type User = z.output<typeof userRow>;

export const createUserInput = z.strictObject({ email, password, role: z.enum(USER_ROLES).default('user') });
export const updateUserInput = nonEmptyPatch({ email, role: z.enum(USER_ROLES) });

const base = defineRepository({
  entity: 'user',
  table: { schema: 'app', name: 'users' },
  row: userRow,
  computed: { totp_enabled: sql`(totp_secret is not null)` },
  create: createUserInput,
  update: updateUserInput,
  // Hashed before the transaction opens: scrypt takes ~0.3 s and should not hold a connection.
  toInsert: async ({ email, password, role }) => ({ email, role, password_hash: await hashPassword(password) }),
  sort: { columns: ['created_at', 'updated_at', 'email', 'role'], default: 'created_at' },
  filter: z.object({ role: z.enum(USER_ROLES) }).partial(),
  deletion: { mode: 'soft', column: 'is_active' },
});

export type CredentialsError = RepoError | { kind: 'invalid_credentials' };

// Verified against when no user matches, so that an unknown e-mail takes as
// long as a wrong password (no account enumeration by timing).
let decoy: Promise<string> | undefined;
const decoyHash = () => (decoy ??= hashPassword(randomBytes(24).toString('base64')));

const credentialsInput = z.strictObject({ email: z.string().trim().max(254), password: z.string().max(MAX_PASSWORD_LENGTH) });

async function setPassword(db: Db, ctx: RepoContext, id: string, newPassword: string): Promise<Result<User>> {
  const parsed = z.object({ id: idSchema, password }).safeParse({ id, password: newPassword });
  if (!parsed.success) return invalidInput(parsed.error);
  const password_hash = await hashPassword(parsed.data.password);
  return inTenant(db, ctx, 'set user password', async (tx, c) => {
    const user = await base.internals.updateById(tx, c, parsed.data.id, { password_hash });
    return user ? ok(user) : notFound();
  });
}

/**
 * Checks an e-mail and password within the tenant. Unknown e-mail, wrong
 * password and deactivated user all give `invalid_credentials`, in the same
 * time. On success, `needsRehash` asks the caller to store a fresh hash
 * (setPassword) while it holds the plaintext.
 */
async function verifyCredentials(
  db: Db,
  ctx: RepoContext,
  input: { email: string; password: string },
): Promise<Result<{ user: User; needsRehash: boolean }, CredentialsError>> {
  const parsed = credentialsInput.safeParse(input);
  if (!parsed.success) return invalidInput(parsed.error);
  const found = await inTenant<{ user: User; hash: string } | null>(db, ctx, 'verify user credentials', async (tx, c) => {
    const [row] = await tx.query(sql`
      select ${base.internals.columns}, password_hash from app.users
      where tenant_id = ${c.tenantId} and lower(email) = lower(${parsed.data.email})`);
    if (!row) return ok(null);
    const { password_hash, ...user } = row as Record<string, unknown>;
    return ok({ user: base.internals.parseRow(user), hash: String(password_hash) });
  });
  if (!found.ok) return found;
  // Outside the transaction: the check takes ~0.3 s.
  const matches = await verifyPassword(parsed.data.password, found.value?.hash ?? (await decoyHash()));
  if (!found.value || !matches || !found.value.user.is_active) return fail({ kind: 'invalid_credentials' });
  return ok({ user: found.value.user, needsRehash: needsRehash(found.value.hash) });
}

/**
 * Gives the user a new TOTP secret. The secret and its otpauth URI are
 * returned once, wrapped so that they print as [redacted]; only the user row
 * (with totp_enabled) is readable afterwards.
 */
async function enableTotp(
  db: Db,
  ctx: RepoContext,
  id: string,
  options: { issuer: string },
): Promise<Result<{ user: User; secret: Secret; uri: Secret }>> {
  const parsed = z.object({ id: idSchema, issuer: z.string().trim().min(1).max(100) }).safeParse({ id, issuer: options.issuer });
  if (!parsed.success) return invalidInput(parsed.error);
  const secret = generateTotpSecret();
  return inTenant(db, ctx, 'enable user totp', async (tx, c) => {
    const user = await base.internals.updateById(tx, c, parsed.data.id, { totp_secret: secret.reveal() });
    if (!user) return notFound();
    return ok({ user, secret, uri: totpUri({ secret, issuer: parsed.data.issuer, account: user.email }) });
  });
}

async function disableTotp(db: Db, ctx: RepoContext, id: string): Promise<Result<User>> {
  const parsedId = idSchema.safeParse(id);
  if (!parsedId.success) return invalidInput(parsedId.error);
  return inTenant(db, ctx, 'disable user totp', async (tx, c) => {
    const user = await base.internals.updateById(tx, c, parsedId.data, { totp_secret: null });
    return user ? ok(user) : notFound();
  });
}

/**
 * Checks a TOTP code (±1 step). The schema keeps no last-used step, so a code
 * can be replayed within its window: callers that need replay protection
 * must record the returned counter themselves.
 */
async function checkTotp(
  db: Db,
  ctx: RepoContext,
  id: string,
  code: string,
  options: { time?: number } = {},
): Promise<Result<{ valid: boolean; counter?: number }>> {
  const parsed = z.object({ id: idSchema, code: z.string().max(16) }).safeParse({ id, code });
  if (!parsed.success) return invalidInput(parsed.error);
  return inTenant(db, ctx, 'check user totp', async (tx, c) => {
    const [row] = await tx.query(sql`select totp_secret from app.users where tenant_id = ${c.tenantId} and id = ${parsed.data.id}`);
    if (!row) return notFound();
    if (row.totp_secret === null) return fail({ kind: 'invalid', column: 'totp_secret', issues: [{ path: 'totp', message: 'two-factor authentication is not enabled for this user' }] });
    const v = verifyTotp(String(row.totp_secret), parsed.data.code, { time: options.time });
    return ok(v.ok ? { valid: true, counter: v.counter } : { valid: false });
  });
}

/**
 * Users of a tenant. `remove` deactivates (is_active = false: the row, its
 * documents and its audit history stay); lists hide inactive users unless
 * asked; `get` still returns them, so that they can be restored.
 */
export const users = { ...base, setPassword, verifyCredentials, enableTotp, disableTotp, checkTotp };
