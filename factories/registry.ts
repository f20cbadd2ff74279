import { createHash } from 'node:crypto';
import type { Faker } from '@faker-js/faker';
import type { FactoryContext as PublicFactoryContext, RowFactory as PublicRowFactory } from 'tenantproof';
import { abn, acn, cpf, type Rng } from 'tenantproof/validators';
import { apiKeyFactory, documentFactory, tenantConfigFactory, tenantFactory, userFactory } from './core.js';

/**
 * One factory per table of the reference schema, keyed 'schema.table'. A
 * factory builds one row of its table for `tenantId` (ignored by global
 * tables), taking its parents from `pick`, so that a row only ever references
 * rows of its own tenant (or global rows).
 *
 * Long module: one factory per table of the reference schema, 40 tables, each a few lines; split by
 * table they would scatter the shared pickers and the order the seed relies on.
 */
export type FactoryContext = PublicFactoryContext<Faker>;
export type RowFactory = PublicRowFactory<Faker>;
export type Row = Record<string, unknown>;

/**
 * A factory never throws for want of a parent: it leaves that reference
 * empty (null/undefined), so that a caller which knows the foreign keys (the
 * isolation engine) picks a parent itself or skips the row. Callers that do
 * not, like buildWorld, ask missingParents(ctx) after the call.
 */
const missing = new WeakMap<FactoryContext, string[]>();
export function missingParents(ctx: FactoryContext): readonly string[] {
  return missing.get(ctx) ?? [];
}

/** Global tables: no tenant column, shared by every tenant. */
export const GLOBAL_TABLES = [
  'ref.countries',
  'ref.languages',
  'ref.industries',
  'ref.user_statuses',
  'ref.user_roles',
  'ref.timezones',
  'app.templates',
  'config.app_settings',
  'config.validation_rules',
] as const;

/** Tenant tables in foreign-key order (a table's parents come before it). app.tenants is the root. */
export const TENANT_TABLES = [
  'app.tenants',
  'app.users',
  'app.documents',
  'app.tenant_api_keys',
  'app.tenant_configs',
  'app.audit_logs',
  'app.projects',
  'app.photos',
  'app.detections',
  'app.tags',
  'app.photo_tags',
  'app.companies',
  'app.user_companies',
  'app.user_invitations',
  'app.email_verification_tokens',
  'app.password_reset_tokens',
  'app.clients',
  'app.user_agent_permissions',
  'config.app_setting_overrides',
  'cache.abr_search',
  'log.api_requests',
  'log.auth_events',
  'log.application_errors',
  'log.email_deliveries',
] as const;

/** Every table, in foreign-key order. */
export const TABLE_ORDER: readonly string[] = [...GLOBAL_TABLES, ...TENANT_TABLES];

/**
 * Keys that random choices can repeat (values built from `n` alone are unique
 * by construction): buildWorld retries a row that repeats one with the next n,
 * and skips it after a few tries.
 */
export const PICKED_UNIQUE_KEYS: Record<string, { columns: string[]; when?: (row: Row) => boolean }[]> = {
  'ref.countries': [{ columns: ['code'] }],
  'ref.languages': [{ columns: ['code'] }],
  'ref.user_roles': [{ columns: ['rank'] }],
  'app.tenant_configs': [{ columns: ['tenant_id'] }],
  'app.photo_tags': [{ columns: ['tenant_id', 'photo_id', 'tag_id'] }],
  'app.user_companies': [{ columns: ['tenant_id', 'user_id', 'company_id'] }, { columns: ['tenant_id', 'user_id'], when: (r) => r.is_default === true }],
  'app.user_agent_permissions': [{ columns: ['tenant_id', 'user_id', 'agent'] }],
  'config.app_setting_overrides': [{ columns: ['tenant_id', 'setting_id'] }],
  'app.companies': [{ columns: ['tenant_id', 'abn'] }],
  'app.clients': [{ columns: ['tenant_id', 'cpf'] }],
  'cache.abr_search': [{ columns: ['tenant_id', 'abn'] }],
};

// ---------------------------------------------------------------------------

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');
const rng =
  (f: Faker): Rng =>
  (n) =>
    f.number.int({ min: 0, max: n - 1 });
const iso = (d: Date) => d.toISOString();
const addMs = (d: Date, ms: number) => new Date(d.getTime() + ms);
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** 0 -> 'a', 25 -> 'z', 26 -> 'ba': letters only, for codes whose check allows no digits. */
function letters(n: number, width = 1): string {
  let s = '';
  let k = n;
  do {
    s = String.fromCharCode(97 + (k % 26)) + s;
    k = Math.floor(k / 26);
  } while (k > 0);
  return s.padStart(width, 'a');
}

/** `list[n mod len]`, numbered once the list is used up, so that names stay unique per `n`. */
function named(list: readonly string[], n: number): string {
  const base = list[n % list.length]!;
  return n < list.length ? base : `${base} ${Math.floor(n / list.length) + 1}`;
}

/** A parent the row cannot do without; when there is none, an empty one (and the row is marked as missing it). */
function need(ctx: FactoryContext, table: string): Row {
  const row = ctx.pick(table);
  if (row) return row;
  missing.set(ctx, [...missingParents(ctx), table]);
  return {};
}

/** A parent's timestamp, or a fresh moment when the parent is missing. */
const when = (f: Faker, value: unknown) => (typeof value === 'string' ? new Date(value) : moment(f));

/** A moment in the reference window (with a little before and after, for the default partition). */
const moment = (f: Faker) => f.date.between({ from: '2023-10-01T00:00:00Z', to: '2028-03-31T00:00:00Z' });
const past = (f: Faker) => f.date.between({ from: '2024-01-01T00:00:00Z', to: '2026-06-01T00:00:00Z' });
const stamps = (d: Date) => ({ created_at: iso(d), updated_at: iso(d) });

const TAG_NAMES = [
  'roof damage',
  'water stain',
  'mould',
  'cracked tile',
  'timber',
  'concrete',
  'brick',
  'steel frame',
  'insulation',
  'before',
  'after',
  'hail',
  'fire damage',
  'asbestos suspected',
  'gutter',
  'window',
  'facade',
  'scaffolding',
  'excavation',
  'drainage',
];
const PROJECT_KINDS = ['Renovation', 'Roof replacement', 'Extension', 'Insurance claim', 'Fit-out', 'Subdivision', 'Restoration'];
const MIME = [
  ['image/jpeg', 'jpg'],
  ['image/png', 'png'],
  ['image/webp', 'webp'],
  ['image/heic', 'heic'],
] as const;
const AGENTS = ['client_management', 'pdf_processing', 'reports_analysis', 'audio_recording'] as const;

// ---------------------------------------------------------------------------
// Global tables
// ---------------------------------------------------------------------------

const globalFactories: Record<(typeof GLOBAL_TABLES)[number], RowFactory> = {
  // Codes X?, Y? and Z? (none seeded), and ISO 639 private-use qaa-qtz: never a seeded row. They repeat
  // every 78 and 520 rows; buildWorld retries a repeat with the next n.
  'ref.countries': ({ faker: f, n }) => ({
    code: `${'XYZ'[Math.floor(n / 26) % 3]}${letters(n % 26)}`.toUpperCase(),
    name: `${f.location.country()} (test ${n})`,
    phone_prefix: `+${f.number.int({ min: 800, max: 999 })}`,
  }),
  'ref.languages': ({ faker: f, n }) => ({
    code: `q${letters(Math.floor(n / 26) % 20)}${letters(n % 26)}`,
    name: `${f.word.adjective()} test language ${n}`,
    native_name: null,
  }),
  'ref.industries': ({ faker: f, n }) => ({ code: `test_industry_${n}`, name: `${f.commerce.department()} ${n}`, description: f.company.catchPhrase() }),
  'ref.user_statuses': ({ faker: f, n }) => ({ code: `test_${letters(n)}`, name: `Test status ${n}`, description: f.lorem.sentence(), can_sign_in: f.datatype.boolean() }),
  'ref.user_roles': ({ faker: f, n }) => ({ code: `test_${letters(n)}`, name: `Test role ${n}`, description: f.lorem.sentence(), rank: 100 + (n % 900) }),
  'ref.timezones': ({ faker: f, n, pick }) => ({
    name: `Etc/Test_${n}`,
    country_code: (pick('ref.countries')?.code as string | undefined) ?? null,
    display_name: `${f.location.city()} test time ${n}`,
  }),
  'app.templates': ({ faker: f, n }) => ({
    id: f.string.uuid(),
    name: `${f.company.buzzNoun()} template ${n}`,
    description: f.company.catchPhrase(),
    compliance_checklist: [{ id: `c-${n}`, requirement: f.lorem.sentence() }],
    default_configuration: { mfa_required: f.datatype.boolean(), session_timeout_minutes: f.number.int({ min: 5, max: 120 }) },
  }),
  'config.app_settings': ({ faker: f, n }) => {
    const valueType = f.helpers.arrayElement(['string', 'boolean', 'integer', 'number', 'json'] as const);
    return {
      id: f.string.uuid(),
      key: `features.test_${n}`,
      category: 'features',
      value_type: valueType,
      default_value: settingValue(f, valueType),
      description: f.lorem.sentence(),
      is_tenant_overridable: f.datatype.boolean({ probability: 0.8 }),
    };
  },
  'config.validation_rules': ({ faker: f, n, pick }) => ({
    id: f.string.uuid(),
    entity: `test_${letters(n)}`,
    field: f.helpers.arrayElement(['name', 'email', 'phone', 'abn', 'cpf']),
    rule_type: f.helpers.arrayElement(['regex', 'checksum', 'length', 'range', 'required']),
    country_code: (pick('ref.countries')?.code as string | undefined) ?? null,
    parameters: { min: 1, max: f.number.int({ min: 2, max: 200 }) },
    error_message: f.lorem.sentence(),
    is_active: true,
  }),
};

function settingValue(f: Faker, valueType: string): unknown {
  switch (valueType) {
    case 'string':
      return f.internet.email();
    case 'boolean':
      return f.datatype.boolean();
    case 'integer':
      return f.number.int({ min: 1, max: 10_000 });
    case 'number':
      return f.number.float({ min: 0, max: 100, fractionDigits: 2 });
    default:
      return { enabled: f.datatype.boolean(), level: f.number.int({ min: 1, max: 5 }) };
  }
}

// ---------------------------------------------------------------------------
// Tenant tables
// ---------------------------------------------------------------------------

const tenantFactories: Record<(typeof TENANT_TABLES)[number], RowFactory> = {
  // Core tables: the core factories, so the core property and the registry agree.
  'app.tenants': ({ faker: f, tenantId, n }) => ({ ...tenantFactory(f, n), id: tenantId }),
  'app.users': ({ faker: f, tenantId, n }) => ({ ...userFactory(f, tenantId, n) }),
  'app.documents': (ctx) => ({ ...documentFactory(ctx.faker, ctx.tenantId, (need(ctx, 'app.users').id ?? null) as string) }),
  'app.tenant_api_keys': ({ faker: f, tenantId, n }) => ({ ...apiKeyFactory(f, tenantId, n) }),
  'app.tenant_configs': ({ faker: f, tenantId, pick }) => ({ ...tenantConfigFactory(f, tenantId, (pick('app.templates')?.id as string | undefined) ?? null) }),
  // Normally written by the audit trigger; rows planted directly stand for history from before a world.
  'app.audit_logs': ({ faker: f, tenantId, pick }) => ({
    tenant_id: tenantId,
    id: f.string.uuid(),
    actor_user_id: (pick('app.users')?.id as string | undefined) ?? null,
    action: f.helpers.arrayElement(['insert', 'update', 'delete']),
    resource_type: 'app.documents',
    resource_id: f.string.uuid(),
    old_values: null,
    new_values: { title: f.lorem.words(3) },
    ip_address: f.internet.ipv4(),
    user_agent: f.internet.userAgent().slice(0, 500),
    session_id: f.string.alphanumeric(24),
    occurred_at: iso(past(f)),
  }),

  'app.projects': ({ faker: f, tenantId, n }) => ({
    tenant_id: tenantId,
    id: f.string.uuid(),
    name: `${f.location.street()} ${named(PROJECT_KINDS, n % PROJECT_KINDS.length)} #${n}`,
    description: f.lorem.sentences({ min: 1, max: 3 }),
    status: f.helpers.weightedArrayElement([
      { value: 'active', weight: 6 },
      { value: 'completed', weight: 3 },
      { value: 'archived', weight: 1 },
    ]),
    ...stamps(past(f)),
  }),
  'app.photos': (ctx) => {
    const { faker: f, tenantId } = ctx;
    const user = need(ctx, 'app.users');
    const project = need(ctx, 'app.projects');
    const id = f.string.uuid();
    const [mime, ext] = f.helpers.arrayElement(MIME);
    const key = `${tenantId}/projects/${(project.id as string | undefined) ?? 'unfiled'}/${id}.${ext}`;
    const uploaded = moment(f);
    const landscape = f.datatype.boolean();
    return {
      tenant_id: tenantId,
      id,
      user_id: user.id ?? null,
      project_id: project.id ?? null,
      storage_key: key,
      storage_url: `https://photos.s3.ap-southeast-2.amazonaws.com/${key}`,
      file_size_bytes: f.number.int({ min: 40_000, max: 25_000_000 }),
      mime_type: mime,
      width: landscape ? 4032 : 3024,
      height: landscape ? 3024 : 4032,
      exif: {
        Make: f.helpers.arrayElement(['Apple', 'Samsung', 'Google', 'Canon']),
        Model: f.helpers.arrayElement(['iPhone 15 Pro', 'Galaxy S24', 'Pixel 8', 'EOS R6']),
        DateTimeOriginal: iso(addMs(uploaded, -f.number.int({ min: 1, max: 3 * DAY }))),
        GPSLatitude: f.location.latitude({ min: -38, max: -27 }),
        GPSLongitude: f.location.longitude({ min: 138, max: 153 }),
      },
      uploaded_at: iso(uploaded),
      ...stamps(uploaded),
    };
  },
  'app.detections': (ctx) => {
    const { faker: f, tenantId } = ctx;
    const photo = need(ctx, 'app.photos');
    const type = f.helpers.arrayElement(['damage', 'material', 'volume'] as const);
    // Minutes after the upload: lands in the photo's month (or the default partition, outside 2024-2027).
    const at = addMs(when(f, photo.uploaded_at), f.number.int({ min: 1, max: 60 }) * MINUTE);
    const confirmed = f.datatype.boolean({ probability: 0.3 });
    const label = type === 'damage' ? f.helpers.arrayElement(['hail', 'water', 'fire', 'crack']) : type === 'material' ? f.commerce.productMaterial().toLowerCase() : 'pile';
    return {
      tenant_id: tenantId,
      id: f.string.uuid(),
      photo_id: photo.id ?? null,
      detection_type: type,
      model_version: `${type}-detector-${f.system.semver()}`,
      results: {
        boxes: Array.from({ length: f.number.int({ min: 1, max: 3 }) }, () => ({
          label,
          confidence: f.number.float({ min: 0.3, max: 1, fractionDigits: 3 }),
          bbox: [f.number.int({ max: 3000 }), f.number.int({ max: 3000 }), f.number.int({ min: 10, max: 900 }), f.number.int({ min: 10, max: 900 })],
        })),
        ...(type === 'volume' ? { cubic_metres: f.number.float({ min: 0.1, max: 400, fractionDigits: 2 }) } : {}),
      },
      confidence: f.number.float({ min: 0, max: 1, fractionDigits: 4 }),
      processing_time_ms: f.number.int({ min: 20, max: 8000 }),
      user_confirmed: confirmed,
      user_feedback: confirmed ? { correct: f.datatype.boolean({ probability: 0.8 }), note: f.lorem.sentence() } : null,
      ...stamps(at),
    };
  },
  'app.tags': ({ faker: f, tenantId, n }) => ({ tenant_id: tenantId, id: f.string.uuid(), name: named(TAG_NAMES, n), ...stamps(past(f)) }),
  'app.photo_tags': (ctx) => {
    const { faker: f, tenantId } = ctx;
    const photo = need(ctx, 'app.photos');
    const tag = need(ctx, 'app.tags');
    const ai = f.datatype.boolean({ probability: 0.6 });
    return {
      tenant_id: tenantId,
      id: f.string.uuid(),
      photo_id: photo.id ?? null,
      tag_id: tag.id ?? null,
      source: ai ? 'ai' : 'user',
      confidence: ai ? f.number.float({ min: 0, max: 1, fractionDigits: 4 }) : null,
      created_by: ai ? null : ((ctx.pick('app.users')?.id as string | undefined) ?? null),
      ...stamps(when(f, photo.uploaded_at)),
    };
  },

  'app.companies': (ctx) => {
    const { faker: f, tenantId } = ctx;
    const entityType = f.helpers.weightedArrayElement([
      { value: 'private_company', weight: 6 },
      { value: 'public_company', weight: 1 },
      { value: 'sole_trader', weight: 2 },
      { value: 'partnership', weight: 1 },
      { value: 'trust', weight: 1 },
    ]);
    const isCompany = entityType === 'private_company' || entityType === 'public_company';
    const name = f.company.name();
    return {
      tenant_id: tenantId,
      id: f.string.uuid(),
      legal_name: isCompany ? `${name} Pty Ltd` : name,
      abn: abn.generate(rng(f)),
      acn: isCompany ? acn.generate(rng(f)) : null,
      trading_name: f.datatype.boolean() ? name : null,
      entity_type: entityType,
      industry_code: (ctx.pick('ref.industries')?.code as string | undefined) ?? null,
      country_code: 'AU',
      gst_registered: f.datatype.boolean({ probability: 0.7 }),
      is_active: f.datatype.boolean({ probability: 0.95 }),
      ...stamps(past(f)),
    };
  },
  'app.user_companies': (ctx) => {
    const { faker: f, tenantId } = ctx;
    const user = need(ctx, 'app.users');
    const company = need(ctx, 'app.companies');
    const joinedVia = f.helpers.arrayElement(['signup', 'invitation', 'admin_added', 'sso']);
    return {
      tenant_id: tenantId,
      id: f.string.uuid(),
      user_id: user.id ?? null,
      company_id: company.id ?? null,
      role: need(ctx, 'ref.user_roles').code ?? null,
      status: need(ctx, 'ref.user_statuses').code ?? null,
      is_default: f.datatype.boolean({ probability: 0.3 }),
      joined_via: joinedVia,
      invited_by: joinedVia === 'invitation' ? ((ctx.pick('app.users')?.id as string | undefined) ?? null) : null,
      ...stamps(past(f)),
    };
  },
  'app.user_invitations': (ctx) => {
    const { faker: f, tenantId, n } = ctx;
    const company = need(ctx, 'app.companies');
    const created = past(f);
    const expires = addMs(created, 7 * DAY);
    const status = f.helpers.arrayElement(['pending', 'accepted', 'expired', 'revoked'] as const);
    return {
      tenant_id: tenantId,
      id: f.string.uuid(),
      company_id: company.id ?? null,
      email: `${
        f.internet
          .username()
          .toLowerCase()
          .replace(/[^a-z0-9._-]/g, '') || 'invitee'
      }.${n}@${f.internet.domainName()}`,
      role: need(ctx, 'ref.user_roles').code ?? null,
      invited_by: (ctx.pick('app.users')?.id as string | undefined) ?? null,
      token_hash: sha256(f.string.alphanumeric(43)),
      status,
      expires_at: iso(expires),
      accepted_at: status === 'accepted' ? iso(addMs(created, f.number.int({ min: 1, max: 7 * 24 }) * HOUR - MINUTE)) : null,
      ...stamps(created),
    };
  },
  'app.email_verification_tokens': (ctx) => tokenRow(ctx, DAY),
  'app.password_reset_tokens': (ctx) => ({ ...tokenRow(ctx, HOUR), requested_ip: ctx.faker.internet.ipv4() }),

  'app.clients': (ctx) => {
    const { faker: f, tenantId } = ctx;
    return {
      tenant_id: tenantId,
      id: f.string.uuid(),
      name: f.person.fullName().slice(0, 100),
      cpf: cpf.generate(rng(f)),
      birth_date: iso(f.date.birthdate({ mode: 'age', min: 18, max: 95 })).slice(0, 10),
      created_by: (ctx.pick('app.users')?.id as string | undefined) ?? null,
      is_active: f.datatype.boolean({ probability: 0.9 }),
      ...stamps(past(f)),
    };
  },
  'app.user_agent_permissions': (ctx) => {
    const { faker: f, tenantId } = ctx;
    const user = need(ctx, 'app.users');
    const created = past(f);
    const canRead = f.datatype.boolean({ probability: 0.9 });
    return {
      tenant_id: tenantId,
      id: f.string.uuid(),
      user_id: user.id ?? null,
      agent: f.helpers.arrayElement(AGENTS),
      can_create: canRead && f.datatype.boolean(),
      can_read: canRead,
      can_update: canRead && f.datatype.boolean(),
      can_delete: canRead && f.datatype.boolean({ probability: 0.2 }),
      granted_by: (ctx.pick('app.users')?.id as string | undefined) ?? null,
      expires_at: f.datatype.boolean({ probability: 0.3 }) ? iso(addMs(created, f.number.int({ min: 1, max: 365 }) * DAY)) : null,
      ...stamps(created),
    };
  },

  'config.app_setting_overrides': (ctx) => {
    const { faker: f, tenantId } = ctx;
    // Only overridable settings take an override (the trigger enforces it): look a few times.
    let setting: Row | undefined;
    for (let i = 0; i < 8 && !setting; i++) {
      const s = ctx.pick('config.app_settings');
      if (s?.is_tenant_overridable === true) setting = s;
    }
    setting ??= need(ctx, 'config.app_settings (overridable)');
    return {
      tenant_id: tenantId,
      id: f.string.uuid(),
      setting_id: setting.id ?? null,
      value: settingValue(f, (setting.value_type as string | undefined) ?? 'json'),
      ...stamps(past(f)),
    };
  },
  'cache.abr_search': ({ faker: f, tenantId }) => {
    const number = abn.generate(rng(f));
    const fetched = past(f);
    const name = f.company.name();
    return {
      tenant_id: tenantId,
      id: f.string.uuid(),
      abn: number,
      entity_name: name,
      abn_status: f.helpers.weightedArrayElement([
        { value: 'active', weight: 9 },
        { value: 'cancelled', weight: 1 },
      ]),
      response: {
        Abn: number,
        EntityName: name,
        EntityTypeCode: f.helpers.arrayElement(['PRV', 'IND', 'TRT', 'PTR']),
        AddressState: f.location.state({ abbreviated: true }),
        Gst: iso(past(f)).slice(0, 10),
      },
      fetched_at: iso(fetched),
      expires_at: iso(addMs(fetched, 30 * DAY)),
      ...stamps(fetched),
    };
  },

  'log.api_requests': ({ faker: f, tenantId, pick }) => {
    const at = past(f);
    return {
      tenant_id: tenantId,
      id: f.string.uuid(),
      user_id: (pick('app.users')?.id as string | undefined) ?? null,
      api_key_id: (pick('app.tenant_api_keys')?.id as string | undefined) ?? null,
      request_id: f.string.uuid(),
      method: f.helpers.arrayElement(['GET', 'GET', 'GET', 'POST', 'PATCH', 'DELETE']),
      path: `/api/v1/${f.helpers.arrayElement(['photos', 'projects', 'clients', 'companies'])}/${f.string.uuid()}`,
      status_code: f.helpers.weightedArrayElement([
        { value: 200, weight: 8 },
        { value: 201, weight: 2 },
        { value: 404, weight: 1 },
        { value: 403, weight: 1 },
        { value: 500, weight: 1 },
      ]),
      duration_ms: f.number.int({ min: 2, max: 3000 }),
      response_bytes: f.number.int({ min: 0, max: 500_000 }),
      ip_address: f.internet.ipv4(),
      user_agent: f.internet.userAgent().slice(0, 500),
      occurred_at: iso(at),
      ...stamps(at),
    };
  },
  'log.auth_events': ({ faker: f, tenantId, pick }) => {
    const at = past(f);
    const user = pick('app.users');
    const type = f.helpers.arrayElement(['login_success', 'login_failure', 'logout', 'mfa_challenge', 'mfa_success', 'mfa_failure', 'password_reset_requested'] as const);
    return {
      tenant_id: tenantId,
      id: f.string.uuid(),
      user_id: (user?.id as string | undefined) ?? null,
      email: (user?.email as string | undefined) ?? f.internet.email(),
      event_type: type,
      failure_reason: type === 'login_failure' || type === 'mfa_failure' ? f.helpers.arrayElement(['bad_password', 'unknown_user', 'bad_code', 'locked']) : null,
      ip_address: f.internet.ipv4(),
      user_agent: f.internet.userAgent().slice(0, 500),
      occurred_at: iso(at),
      ...stamps(at),
    };
  },
  'log.application_errors': ({ faker: f, tenantId, pick }) => {
    const at = past(f);
    return {
      tenant_id: tenantId,
      id: f.string.uuid(),
      user_id: (pick('app.users')?.id as string | undefined) ?? null,
      request_id: f.string.uuid(),
      severity: f.helpers.arrayElement(['warning', 'error', 'critical']),
      error_type: f.helpers.arrayElement(['TimeoutError', 'ValidationError', 'StorageError', 'ModelUnavailable']),
      message: f.hacker.phrase(),
      stack_trace: `Error: ${f.hacker.phrase()}\n    at ${f.hacker.verb()} (src/${f.system.fileName()}:${f.number.int({ min: 1, max: 400 })}:${f.number.int({ min: 1, max: 80 })})`,
      context: { route: `/api/v1/${f.word.noun()}`, attempt: f.number.int({ min: 1, max: 3 }) },
      occurred_at: iso(at),
      ...stamps(at),
    };
  },
  'log.email_deliveries': ({ faker: f, tenantId, pick }) => {
    const at = past(f);
    const user = pick('app.users');
    const status = f.helpers.weightedArrayElement([
      { value: 'queued', weight: 1 },
      { value: 'sent', weight: 3 },
      { value: 'delivered', weight: 6 },
      { value: 'bounced', weight: 1 },
      { value: 'failed', weight: 1 },
    ]);
    return {
      tenant_id: tenantId,
      id: f.string.uuid(),
      user_id: (user?.id as string | undefined) ?? null,
      recipient_email: (user?.email as string | undefined) ?? f.internet.email(),
      template: f.helpers.arrayElement(['invitation', 'email_verification', 'password_reset', 'welcome', 'notification']),
      status,
      provider_message_id: status === 'queued' ? null : `<${f.string.alphanumeric(20)}@mail.example>`,
      error_message: status === 'bounced' || status === 'failed' ? f.helpers.arrayElement(['mailbox full', 'no such user', 'timeout']) : null,
      occurred_at: iso(at),
      ...stamps(at),
    };
  },
};

function tokenRow(ctx: FactoryContext, lifetime: number): Row {
  const { faker: f, tenantId } = ctx;
  const user = need(ctx, 'app.users');
  const created = past(f);
  const used = f.datatype.boolean({ probability: 0.4 });
  return {
    tenant_id: tenantId,
    id: f.string.uuid(),
    user_id: user.id ?? null,
    // Only the hash of a 256-bit token is stored.
    token_hash: sha256(f.string.alphanumeric(43)),
    expires_at: iso(addMs(created, lifetime)),
    used_at: used ? iso(addMs(created, f.number.int({ min: 1, max: lifetime - 1 }))) : null,
    ...stamps(created),
  };
}

export const factories: Record<string, RowFactory> = { ...globalFactories, ...tenantFactories };
