/**
 * The config's shape, validated once at the edge (loadConfig). Every key
 * carries a description and an example in its zod metadata: the error
 * messages are built from them, so a mistake names the key, what it is for
 * and how to fix it.
 */
import { z } from 'zod';
import { crossChecks } from './cross-checks.js';
import { TENANT_PLACEHOLDER } from './placeholders.js';

/** Metadata every documented key carries; read back by the issue formatter. */
export interface KeyMeta {
  description: string;
  example?: string;
}
const doc = (description: string, example?: string): KeyMeta & Record<string, unknown> => (example === undefined ? { description } : { description, example });

// `schema.name`, each part a plain or quoted identifier; unqualified names are ambiguous across schemas.
const QUALIFIED = /^(?:[^."]+|"(?:[^"]|"")+")\.(?:[^."]+|"(?:[^"]|"")+")$/;
const qualifiedName = (description: string, example: string) =>
  z.string().regex(QUALIFIED, { message: 'expected a schema-qualified name "schema.name"' }).meta(doc(description, example));

const severityOrOff = z.enum(['error', 'warning', 'info', 'off']).meta(doc('the severity for this rule, or "off" to disable it', '"warning"'));

/** Who a check acts as: the values an adapter may write into the context. */
export interface ContextSubject {
  /** The tenant the subject acts in ('' for the "empty tenant" probe). */
  tenant: string;
  /** The principal (user) id; the tenant id where the schema has no principals. */
  principal: string;
  /** The role the application logs in as (session_user during the check). */
  login: string;
  /** The role the check runs as (current_user). */
  role: string;
  /** The session row's key, for session-table contexts. */
  session?: string | undefined;
}
export type ContextStatementsFn = (tenant: string, subject: ContextSubject) => string | readonly string[];

const PLACEHOLDERS = '$tenant, $principal, $login, $role, $session';

const settingSchema = z.strictObject({
  name: z.string().min(1).meta(doc('the custom setting the application writes', '"app.current_tenant"')),
  value: z
    .string()
    .default(TENANT_PLACEHOLDER)
    .meta(doc(`the value written, with ${PLACEHOLDERS} placeholders`, '"$tenant"')),
  scope: z
    .enum(['transaction', 'session'])
    .default('transaction')
    .meta(doc("'transaction' (set_config(..., true), as it should be) or 'session' (set_config(..., false) on each checkout of a pooled connection)", '"transaction"')),
});

const jwtSchema = z
  .strictObject({
    setting: z.string().min(1).default('request.jwt.claims').meta(doc('the custom setting holding the JSON claims', '"request.jwt.claims"')),
    claim: z.string().min(1).optional().meta(doc('shorthand: the claim holding the tenant id, a dotted path into the claims', '"org_id" or "app_metadata.org_id"')),
    claims: z
      .record(z.string(), z.unknown())
      .optional()
      .meta(
        doc(
          `the claims, string values with ${PLACEHOLDERS} placeholders (default: sub = $principal, role = $role, exp = one hour from now)`,
          '{ "sub": "$principal", "role": "authenticated" }',
        ),
      ),
    perClaim: z.boolean().default(false).meta(doc('also write each top-level claim to its own setting `request.jwt.claim.<name>`, as older PostgREST versions did', 'true')),
  })
  .meta(doc('JWT claims, as Supabase and PostgREST write them: set_config(setting, json, true)', '{ claims: { sub: "$principal", role: "authenticated" } }'));

const sessionSchema = z.strictObject({
  relation: qualifiedName('the table of sessions the world writes one row to per principal', '"app_private.sessions"'),
  principalColumn: z.string().min(1).meta(doc('the column of the session row naming the principal', '"user_id"')),
  key: z.string().min(1).optional().meta(doc("the session's key column (default: its single-column primary key)", '"uuid"')),
  setting: z.string().min(1).meta(doc('the custom setting that carries the session id', '"jwt.claims.session_id"')),
});

const rolePerTenantSchema = z.strictObject({
  template: z
    .string()
    .min(1)
    .optional()
    .meta(doc(`the tenant's login role name, ${TENANT_PLACEHOLDER} standing for the tenant id (default "tenant_$tenant")`, `"tenant_${TENANT_PLACEHOLDER}"`)),
  column: z.string().min(1).optional().meta(doc('the tenant table column that stores the role name, which the world fills', '"db_user"')),
  memberOf: z
    .string()
    .min(1)
    .optional()
    .meta(doc("the shared NOLOGIN role holding the grants that each tenant's role is a member of (default: the actor's role)", '"tenant_users"')),
  reuse: z.boolean().default(false).meta(doc('use the tenants and roles that already exist in the database instead of creating them', 'true')),
});

const contextSchema = z
  .strictObject({
    setting: z
      .union([settingSchema, z.array(settingSchema).min(1)])
      .optional()
      .meta(doc('one or more custom settings the application writes', '{ name: "app.current_tenant" }')),
    jwt: jwtSchema.optional(),
    session: sessionSchema
      .optional()
      .meta(
        doc(
          'a session table: the world inserts a session per principal and the context sets its id',
          '{ relation: "app_private.sessions", principalColumn: "user_id", setting: "jwt.claims.session_id" }',
        ),
      ),
    rolePerTenant: rolePerTenantSchema
      .optional()
      .meta(doc("one login role per tenant: the world creates each tenant's role (and stores its name in the tenant row) and the check logs in as it", '{ column: "db_user" }')),
    roleTemplate: z
      .string()
      .min(1)
      .optional()
      .meta(doc(`shorthand for rolePerTenant: { template }: the role name with ${TENANT_PLACEHOLDER} standing for the tenant id`, `"tenant_${TENANT_PLACEHOLDER}"`)),
    sql: z
      .union([z.string().min(1), z.array(z.string().min(1)).min(1)])
      .optional()
      .meta(
        doc(
          `SQL run at the start of each transaction to enter the context; ${PLACEHOLDERS} are replaced by quoted literals`,
          `"select set_config('app.tenant_id', ${TENANT_PLACEHOLDER}, true)"`,
        ),
      ),
    statements: z
      .custom<ContextStatementsFn>((v) => typeof v === 'function', { message: 'expected a function (tenant, subject) => SQL string or array of SQL strings' })
      .optional()
      .meta(
        doc(
          'a function that returns the statements that enter the context, given the tenant id and the subject',
          "(tenant) => [`select set_config('app.tenant_id', '${tenant}', true)`]",
        ),
      ),
    preRequest: qualifiedName(
      'a function called after the context is set, as PostgREST calls db-pre-request (settings it writes are trusted only when listed in trustedSettings)',
      '"api.check_request"',
    ).optional(),
    trustedSettings: z.array(z.string().min(1)).default([]).meta(doc('other custom settings this context sets and policies may trust (glob * allowed)', '["app.user_id"]')),
  })
  .meta(
    doc(
      'how the application enters a request context: exactly one of setting, jwt, session, rolePerTenant, roleTemplate, sql, statements, plus preRequest if the application calls one',
      `{ setting: { name: "app.tenant_id" } }`,
    ),
  );

/** The context mechanisms of which an actor names exactly one. */
export { CONTEXT_KINDS } from './cross-checks.js';

export const EXPECTATIONS = ['tenant', 'all', 'none'] as const;
export type Expectation = (typeof EXPECTATIONS)[number];

const actorSchema = z
  .strictObject({
    name: z
      .string()
      .regex(/^[A-Za-z][A-Za-z0-9_-]*$/, { message: 'expected a name of letters, digits, - and _' })
      .meta(doc('the actor name used in findings and the matrix', '"member"')),
    role: z.string().min(1).meta(doc('the database role the actor uses (current_user during a check)', '"app_member"')),
    login: z.string().min(1).optional().meta(doc("the role the application logs in as (session_user during a check; default: the actor's role)", '"authenticator"')),
    as: z
      .enum(['principal', 'tenant'])
      .optional()
      .meta(doc('whom the actor acts as: a principal (a user, with memberships) or a tenant (default: principal when tenancy.memberships is set)', '"principal"')),
    expect: z.enum(EXPECTATIONS).meta(doc("what the actor may see: 'tenant' (own tenant only), 'all' (platform admin), 'none' (anonymous)", '"tenant"')),
    context: contextSchema.optional(),
    description: z.string().optional().meta(doc('free text for humans', '"a tenant\'s ordinary member"')),
  })
  .meta(doc('an actor: a database role and how it enters a tenant context', '{ name: "member", role: "app_member", expect: "tenant", context: { sql: "..." } }'));

export const ACCESS_LEVELS = ['none', 'read', 'write'] as const;
export type AccessLevel = (typeof ACCESS_LEVELS)[number];

const globalTableSchema = z.strictObject({
  relation: qualifiedName('a table that is global on purpose (shared by every tenant)', '"app.countries"'),
  reason: z.string().min(1).meta(doc('why it is global', '"ISO country list"')),
  access: z
    .record(z.string(), z.enum(ACCESS_LEVELS).meta(doc("what this actor may do: 'none', 'read' or 'write'", '"read"')))
    .default({})
    .meta(doc('per actor name, what it may do with the table; actors not listed get defaultAccess', '{ admin: "write" }')),
  defaultAccess: z.enum(ACCESS_LEVELS).default('read').meta(doc('access of actors not listed in access', '"read"')),
});

const sharedRowSchema = z.strictObject({
  relation: qualifiedName('the tenant relation whose rows are shared on purpose', '"app.plans"'),
  policy: z.string().min(1).optional().meta(doc('the policy that shares rows by design', '"plans_public_read"')),
  predicate: z.string().min(1).optional().meta(doc('the SQL predicate over the row that marks shared rows (as written in the policy)', '"is_public"')),
  access: z
    .enum(['read', 'write'])
    .default('read')
    .meta(doc("what other tenants may do with the shared rows: 'read' (writes by another tenant are still leaks) or 'write'", '"read"')),
  reason: z.string().min(1).meta(doc('why these rows are shared', '"public templates are visible to every tenant"')),
  reviewedBy: z.string().min(1).meta(doc('who reviewed this exception', '"security@acme.test"')),
});

const ignoreSchema = z.strictObject({
  rule: z.string().min(1).meta(doc('the rule id whose finding is accepted', '"unique-omits-tenant-column"')),
  relation: z.string().optional().meta(doc('only findings on this relation', '"app.users"')),
  actor: z.string().optional().meta(doc('only findings for this actor', '"member"')),
  object: z.string().optional().meta(doc('only findings on this object', '"constraint app.users.users_email_key"')),
  reason: z.string().min(1).meta(doc('why the finding is accepted', '"e-mail is globally unique by design"')),
  reviewedBy: z.string().min(1).optional().meta(doc('who reviewed this exception', '"security@acme.test"')),
});

const platformRoleSchema = z.strictObject({
  role: z.string().min(1).meta(doc('a role that bypasses row level security by design (BYPASSRLS, or the owner)', '"service_role"')),
  logins: z.array(z.string().min(1)).min(1).meta(doc('the logins that may switch to it, by design', '["authenticator"]')),
  reason: z.string().min(1).meta(doc('why this path exists', '"server-side API keys act as service_role"')),
});

const namingSchema = z.strictObject({
  relation: z.string().default('^[a-z][a-z0-9_]*$').meta(doc('regular expression every relation name must match', '"^[a-z][a-z0-9_]*$"')),
  column: z.string().default('^[a-z][a-z0-9_]*$').meta(doc('regular expression every column name must match', '"^[a-z][a-z0-9_]*$"')),
});

const tenantsPerWorldSchema = z.strictObject({
  min: z.number().int().min(2).max(6).default(2).meta(doc('fewest tenants in a generated world (2..6)', '2')),
  max: z.number().int().min(2).max(6).default(3).meta(doc('most tenants in a generated world (2..6)', '3')),
});

export const configSchema = z
  .strictObject({
    tenancy: z
      .strictObject({
        tenantTable: qualifiedName(
          'the table with one row per tenant (inferred from the foreign keys of the tenant column when absent; null when tenants live in another system)',
          '"app.tenants"',
        )
          .nullable()
          .optional(),
        tenantColumn: z
          .union([z.string().min(1), z.array(z.string().min(1)).min(1)])
          .default('tenant_id')
          .meta(doc('the column naming the tenant in tenant tables, or several names (the first a relation has wins)', '"tenant_id" or ["group_id", "owned_by_group"]')),
        tenantKey: z.string().min(1).optional().meta(doc("the tenant table's key column (default: its single-column primary key)", '"id"')),
        tenantType: z.string().min(1).optional().meta(doc("the SQL type of tenant ids, for schemas without a tenant table (default: the tenant column's type)", '"text"')),
        relations: z
          .record(
            z.string().regex(QUALIFIED, { message: 'expected a schema-qualified name "schema.name"' }),
            z.strictObject({ tenantColumn: z.string().min(1).meta(doc('the column naming the tenant in this relation', '"owned_by_group"')) }),
          )
          .default({})
          .meta(doc('per-relation overrides of the tenant column', '{ "app.files": { tenantColumn: "owned_by_group" } }')),
        principals: z
          .strictObject({
            relation: qualifiedName('the table of principals (users)', '"auth.users"'),
            key: z.string().min(1).optional().meta(doc('its key column (default: its single-column primary key)', '"id"')),
          })
          .optional()
          .meta(doc('the users of the application, apart from tenants: actors act as principals', '{ relation: "auth.users" }')),
        memberships: z
          .strictObject({
            relation: qualifiedName('the join table of principals and tenants', '"app.account_user"'),
            principalColumn: z.string().min(1).meta(doc('the column naming the principal', '"user_id"')),
            tenantColumn: z.string().min(1).meta(doc('the column naming the tenant', '"account_id"')),
            roleColumn: z.string().min(1).optional().meta(doc("the column holding the member's role in the tenant", '"account_role"')),
            roles: z
              .array(z.string().min(1))
              .min(1)
              .optional()
              .meta(doc("the roles a world gives members (default: the column's enum labels or CHECK literals)", '["owner", "member"]')),
          })
          .optional()
          .meta(
            doc(
              'which principals belong to which tenants: a principal sees exactly the rows of its tenants',
              '{ relation: "app.account_user", principalColumn: "user_id", tenantColumn: "account_id" }',
            ),
          ),
        schemas: z.array(z.string().min(1)).min(1).optional().meta(doc('schemas to scan (default: every non-system schema)', '["app"]')),
        excludeSchemas: z.array(z.string().min(1)).default([]).meta(doc('schemas never scanned', '["graphile_migrate"]')),
        trustedSettings: z
          .array(z.string().min(1))
          .default([])
          .meta(doc('custom settings set only by a trusted layer, which policies may read (glob * allowed)', '["request.jwt.claim.*"]')),
      })
      .default({ tenantColumn: 'tenant_id', relations: {}, excludeSchemas: [], trustedSettings: [] })
      .meta(doc('what a tenant is in this schema', '{ tenantTable: "app.tenants", tenantColumn: "tenant_id" }')),
    actors: z
      .array(actorSchema)
      .min(1)
      .meta(doc('the roles that use the database and what each may see', '[{ name: "member", role: "app_member", expect: "tenant", context: { sql: "..." } }]')),
    globalTables: z.array(globalTableSchema).default([]).meta(doc('tables that are global on purpose', '[{ relation: "app.countries", reason: "reference data" }]')),
    sharedRows: z
      .array(sharedRowSchema)
      .default([])
      .meta(doc('rows shared across tenants on purpose: reviewed exceptions', '[{ relation: "app.plans", policy: "plans_public", reason: "...", reviewedBy: "..." }]')),
    lint: z
      .strictObject({
        rules: z.record(z.string(), severityOrOff).default({}).meta(doc('severity overrides per rule id, or "off"', '{ "shared-sequence": "off" }')),
        ignore: z.array(ignoreSchema).default([]).meta(doc('individual lint findings accepted after review (same as accept)', '[{ rule: "...", relation: "...", reason: "..." }]')),
      })
      .default({ rules: {}, ignore: [] }),
    accept: z
      .array(ignoreSchema)
      .default([])
      .meta(
        doc(
          'individual findings (of a lint rule or a probe) accepted after review: they stay visible as info, with the reason',
          '[{ rule: "probe-read", relation: "app.users", reason: "public profiles", reviewedBy: "security@acme.test" }]',
        ),
      ),
    platformRoles: z
      .array(platformRoleSchema)
      .default([])
      .meta(
        doc(
          "roles that bypass row level security by design and the logins that switch to them (e.g. PostgREST's authenticator to service_role)",
          '[{ role: "service_role", logins: ["authenticator"], reason: "..." }]',
        ),
      ),
    conventions: z
      .strictObject({
        timestamps: z.array(z.string().min(1)).optional().meta(doc('columns every table must have (warnings)', '["created_at", "updated_at"]')),
        foreignKeysIndexed: z.boolean().default(false).meta(doc('warn when a foreign key has no index leading with its columns', 'true')),
        naming: namingSchema.optional().meta(doc('naming patterns for relations and columns (warnings)', '{ relation: "^[a-z][a-z0-9_]*$" }')),
      })
      .default({ foreignKeysIndexed: false }),
    probes: z
      .strictObject({
        runs: z.number().int().min(1).default(100).meta(doc('random worlds per run', '100')),
        seed: z.number().int().optional().meta(doc('fast-check seed; a run with the same seed is the same run', '42')),
        tenantsPerWorld: tenantsPerWorldSchema.default({ min: 2, max: 3 }),
        maxRowsPerTable: z.number().int().min(0).default(5).meta(doc('most rows generated per table and tenant', '5')),
        principalsPerWorld: z
          .strictObject({
            min: z.number().int().min(1).max(8).default(2).meta(doc('fewest principals in a generated world (1..8)', '2')),
            max: z.number().int().min(1).max(8).default(4).meta(doc('most principals in a generated world (1..8)', '4')),
          })
          .default({ min: 2, max: 4 })
          .meta(doc('principals per world, each with zero, one or several memberships (with tenancy.memberships)', '{ min: 2, max: 4 }')),
        connections: z.number().int().min(1).optional().meta(doc('connections probing worlds in parallel (default: the number of cores)', '2')),
        columns: z
          .record(z.string(), z.unknown())
          .default({})
          .meta(doc('per-column generator overrides, keyed "schema.table.column" (used by the dynamic probes)', '{ "app.users.email": "email" }')),
        factories: z
          .string()
          .min(1)
          .optional()
          .meta(
            doc(
              'a module (relative to the config file) exporting `factories` (one row factory per "schema.table") and `seededFaker(seed)`; tables without a factory get type-driven values',
              '"./factories/index.ts"',
            ),
          ),
      })
      .default({ runs: 100, tenantsPerWorld: { min: 2, max: 3 }, maxRowsPerTable: 5, principalsPerWorld: { min: 2, max: 4 }, columns: {} }),
    migrationsDir: z
      .string()
      .min(1)
      .default('migrations')
      .meta(doc('the migrations folder (relative to the config file), for the file and line of findings; migrations.dir says the same', '"migrations"')),
    migrations: z
      .strictObject({
        source: z
          .enum(['graphile-migrate', 'folder', 'none'])
          .meta(
            doc(
              'where the schema comes from: graphile-migrate (a .gmrc project), a plain ordered folder of *.sql files, or none (an existing database, checked as it is)',
              '"folder"',
            ),
          ),
        dir: z.string().min(1).optional().meta(doc('the folder of *.sql files (relative to the config file; default: migrationsDir)', '"supabase/migrations"')),
        prerequisites: z
          .array(z.string().min(1))
          .default([])
          .meta(
            doc(
              'SQL files (relative to the config file) run before the migrations in every fresh database of a folder source: roles (idempotently: they outlive databases), schemas a platform provides',
              '["supabase/prelude.sql"]',
            ),
          ),
      })
      .optional()
      .meta(
        doc(
          'where the schema comes from (default: graphile-migrate when a .gmrc is found, else a folder of *.sql files at migrationsDir, else none)',
          '{ source: "folder", dir: "supabase/migrations" }',
        ),
      ),
  })
  // Cross-key checks run even when other keys failed (`when`), so every mistake is reported at
  // once; the value may then be partly unparsed, hence the defensive reads.
  .superRefine((c, ctx) => crossChecks(c as unknown, ctx), { when: () => true });

/** What a user writes (defaults optional). */
export type TenantproofConfig = z.input<typeof configSchema>;
/** What the engine reads: validated, defaults filled in. */
export type ResolvedConfig = z.output<typeof configSchema>;
export type ActorConfig = ResolvedConfig['actors'][number];
export type ActorContext = NonNullable<ActorConfig['context']>;
export type GlobalTableConfig = ResolvedConfig['globalTables'][number];
export type SharedRowConfig = ResolvedConfig['sharedRows'][number];
export type AcceptedFinding = ResolvedConfig['accept'][number];
export type PlatformRoleConfig = ResolvedConfig['platformRoles'][number];
export type TenancyConfig = ResolvedConfig['tenancy'];
export type SettingContext = z.output<typeof settingSchema>;
export type JwtContext = z.output<typeof jwtSchema>;
export type SessionContext = z.output<typeof sessionSchema>;
export type RolePerTenantContext = z.output<typeof rolePerTenantSchema>;

/** The tenant column names of a config, in order of preference. */
export function tenantColumnsOf(tenancy: Pick<TenancyConfig, 'tenantColumn'>): string[] {
  return [tenancy.tenantColumn].flat();
}
