import { z } from 'zod';
import { sql } from '@databases/pg';
import { digestsEqual, sha256Hex } from '../security/compare.js';
import { generateApiKey, hashApiKey, parseApiKey } from '../security/api-keys.js';
import type { Secret } from '../security/secret.js';
import { defineRepository, inTenant, nonEmptyPatch, type Db, type RepoContext } from './define.js';
import { fail, invalidInput, ok, type RepoError, type Result } from './result.js';

export const API_KEY_PERMISSIONS = ['read', 'write', 'admin'] as const;

const name = z.string().trim().min(1).max(100);
const permissions = z
  .array(z.enum(API_KEY_PERMISSIONS))
  .min(1)
  .refine((p) => new Set(p).size === p.length, { message: 'permissions must not repeat' });
const expiresAt = z.date().refine((d) => d.getTime() > Date.now(), { message: 'must be in the future' });

/** An API key as repositories return it: the visible prefix, never key_hash. */
export const apiKeyRow = z.object({
  tenant_id: z.string(),
  id: z.string(),
  name: z.string(),
  key_prefix: z.string(),
  permissions: z.array(z.enum(API_KEY_PERMISSIONS)),
  expires_at: z.date().nullable(),
  last_used_at: z.date().nullable(),
  created_at: z.date(),
  updated_at: z.date(),
});
export type ApiKey = z.output<typeof apiKeyRow>;

export const createApiKeyInput = z.strictObject({
  name,
  permissions: permissions.default(['read']),
  expires_at: expiresAt.nullable().default(null),
});
export const updateApiKeyInput = nonEmptyPatch({ name, permissions, expires_at: expiresAt.nullable() });

const base = defineRepository({
  entity: 'api key',
  table: { schema: 'app', name: 'tenant_api_keys' },
  row: apiKeyRow,
  create: createApiKeyInput,
  update: updateApiKeyInput,
  sort: { columns: ['created_at', 'name', 'expires_at', 'last_used_at'], default: 'created_at', direction: 'desc' },
  deletion: { mode: 'hard' },
});

/**
 * Creates a key. The plaintext key is in the result once, wrapped in a Secret
 * (it prints as [redacted]); the database holds only its SHA-256.
 */
async function create(db: Db, ctx: RepoContext, input: z.input<typeof createApiKeyInput>): Promise<Result<{ apiKey: ApiKey; key: Secret }>> {
  const parsed = createApiKeyInput.safeParse(input);
  if (!parsed.success) return invalidInput(parsed.error);
  const generated = generateApiKey();
  return inTenant(db, ctx, 'create api key', async (tx, c) => {
    const apiKey = await base.internals.insert(tx, c, { ...parsed.data, key_prefix: generated.prefix, key_hash: generated.hash });
    return ok({ apiKey, key: generated.key });
  });
}

export type ApiKeyAuthError = RepoError | { kind: 'invalid_credentials' };

/** How stale last_used_at may be before a successful authentication records it again. */
export const LAST_USED_INTERVAL = '1 hour';

// Compared against when no key has the prefix, so that a miss costs what a mismatch costs.
const DECOY_HASH = sha256Hex('tenantproof decoy api key');

/**
 * Checks a presented key within the tenant: well formed, known prefix, digest
 * equal in constant time, not expired. Records last_used_at on success.
 * Every refusal is `invalid_credentials`, whatever the reason.
 */
async function authenticate(db: Db, ctx: RepoContext, presented: string | Secret): Promise<Result<ApiKey, ApiKeyAuthError>> {
  const parsed = parseApiKey(presented);
  if (!parsed) return fail({ kind: 'invalid_credentials' });
  const digest = hashApiKey(presented);
  return inTenant<ApiKey, { kind: 'invalid_credentials' }>(db, ctx, 'authenticate api key', async (tx, c) => {
    const [row] = await tx.query(sql`
      select ${base.internals.columns}, key_hash, (expires_at is null or expires_at > now()) as current
      from app.tenant_api_keys where tenant_id = ${c.tenantId} and key_prefix = ${parsed.prefix}`);
    const matches = digestsEqual(digest, row ? String(row.key_hash) : DECOY_HASH);
    if (!row || !matches || row.current !== true) return fail({ kind: 'invalid_credentials' as const });
    // Recorded at most once per interval: every update writes an audit row, and
    // a key used on every request would flood the trail.
    const [touched] = await tx.query(sql`
      update app.tenant_api_keys set last_used_at = now()
      where tenant_id = ${c.tenantId} and id = ${row.id}
        and (last_used_at is null or last_used_at < now() - ${LAST_USED_INTERVAL}::interval)
      returning ${base.internals.columns}`);
    const { key_hash: _hash, current: _current, ...key } = row as Record<string, unknown>;
    return ok(base.internals.parseRow(touched ?? key));
  });
}

/** API keys of a tenant (tp_admin only, by the schema's grants). `remove` revokes: the row is deleted. */
export const apiKeys = { ...base, create, authenticate };
