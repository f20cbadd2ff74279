/**
 * `tenantproof init`: a first tenantproof.config.ts for an existing project,
 * proposed from its catalog. The catalog comes from a database it connects
 * to (read only), or from its migrations applied to a scratch database
 * (graphile-migrate's folder, or plain *.sql files in name order). What the
 * catalog cannot decide is written as `// QUESTION:` comments next to a
 * working guess, so the file loads and runs as it is.
 *
 * How each guess is made:
 * - tenant column and table: the (table, column) pair most single-column
 *   foreign keys point at, counted per referencing table, doubled for the
 *   usual names (tenant_id, org_id, account_id, ...), plus the policies that
 *   name the column; a runner-up close behind becomes a question;
 * - actors: roles with a privilege in the scanned schemas or a policy that
 *   names them, without the objects' owners, superusers and the login roles
 *   that only SET ROLE to others; expect 'all' for BYPASSRLS, 'tenant' when a
 *   policy on tenant data applies to the role, else 'none';
 * - context: the settings those policies read (the catalog follows function
 *   calls): a JSON claim named like the tenant column gives a JWT context, a
 *   plain setting gives set_config; other settings become questions;
 * - global tables: scanned tables with no tenancy; access copied from today's
 *   grants, the reason left as a question.
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { sql, type Queryable } from '@databases/pg';
import { introspect } from '../catalog/introspect.js';
import type { Catalog, Policy, Relation, SettingRead } from '../catalog/types.js';
import { CONFIG_FILE_NAMES } from '../config/find.js';
import { validateConfig } from '../config/load.js';
import { formatConfigIssues } from '../config/issues.js';
import type { AccessLevel, Expectation, ResolvedConfig } from '../config/schema.js';
import { TENANT_PLACEHOLDER } from '../config/context.js';
import { DEFAULT_MAJOR, type PgMajor } from '../db/embedded/binaries.js';
import { openPool } from '../db/pool.js';
import { acquireServer, redactUrl, withDatabase } from '../db/server.js';
import { readEnv } from '../env.js';
import { TenantproofError } from '../errors.js';
import { countBySeverity } from '../findings/findings.js';
import { lint } from '../lint/lint.js';
import { loadGmrc } from '../migrate/settings.js';
import { writeFileAtomic } from '../report/json.js';
import { folderSource } from '../migrate/folder-source.js';
import { graphileSource } from '../migrate/graphile-source.js';
import { dropDatabase, maintenanceUrl } from '../migrate/root.js';
import { findGmrcRoot, hasSqlFiles } from '../project.js';

/** Column names that usually hold the tenant, best first. */
export const TENANT_COLUMN_NAMES = ['tenant_id', 'org_id', 'organization_id', 'organisation_id', 'account_id', 'workspace_id', 'team_id', 'company_id', 'customer_id', 'client_id', 'project_id'];
/** Schemas of tools, not of the application. */
const TOOL_SCHEMAS = ['graphile_migrate', 'graphile_worker', 'postgraphile_watch', 'supabase_migrations', 'supabase_functions', 'extensions', 'realtime', 'storage', 'vault', 'pgsodium', 'pgbouncer'];
const SUPABASE_ACTORS: Record<string, Expectation | undefined> = { anon: 'none', authenticated: 'tenant', service_role: 'all' };

export interface ProposedActor {
  name: string;
  role: string;
  expect: Expectation;
  context?: { sql: string } | { jwt: { setting?: string; claim: string } };
  /** Why this role and this expectation: a comment above the actor. */
  why: string;
  questions: string[];
}

export interface ProposedGlobalTable {
  relation: string;
  defaultAccess: AccessLevel;
  access: Record<string, AccessLevel>;
  questions: string[];
}

export interface ConfigProposal {
  tenancy: { tenantTable: string | null; tenantColumn: string; tenantKey: string | null; excludeSchemas: string[]; why: string; questions: string[] };
  actors: ProposedActor[];
  globalTables: ProposedGlobalTable[];
  questions: string[];
}

// ---------------------------------------------------------------------------
// Tenancy.

interface TenantCandidate {
  table: string;
  column: string;
  key: string;
  referencing: number;
  policies: number;
  score: number;
}

const inScope = (r: Relation) => !r.extension && !TOOL_SCHEMAS.includes(r.schema);

/** Candidates for (tenant table, tenant column), best first. */
export function tenantCandidates(catalog: Catalog): TenantCandidate[] {
  const pairs = new Map<string, { table: string; column: string; key: string; from: Set<string> }>();
  for (const r of catalog.relations.filter(inScope)) {
    for (const fk of r.foreignKeys) {
      if (fk.columns.length !== 1 || fk.references === r.qualifiedName || fk.inherited) continue;
      const k = `${fk.references}|${fk.columns[0]}`;
      const entry = pairs.get(k) ?? { table: fk.references, column: fk.columns[0]!, key: fk.referencedColumns[0]!, from: new Set<string>() };
      entry.from.add(r.partitionOf ?? r.qualifiedName);
      pairs.set(k, entry);
    }
  }
  const policies = catalog.relations.filter(inScope).flatMap((r) => r.policies);
  const mentions = (column: string) => {
    const word = new RegExp(`(^|[^A-Za-z0-9_])${column}([^A-Za-z0-9_]|$)`);
    return policies.filter((p) => word.test(`${p.using ?? ''} ${p.withCheck ?? ''}`)).length;
  };
  const out: TenantCandidate[] = [...pairs.values()].map((p) => {
    const known = TENANT_COLUMN_NAMES.includes(p.column) ? 2 : 1;
    const policyCount = mentions(p.column);
    return { table: p.table, column: p.column, key: p.key, referencing: p.from.size, policies: policyCount, score: p.from.size * known + policyCount };
  });
  return out.sort((a, b) => b.score - a.score || TENANT_COLUMN_NAMES.indexOf(a.column) - TENANT_COLUMN_NAMES.indexOf(b.column) || a.table.localeCompare(b.table));
}

/** Tool schemas present in the database: never scanned. */
export const toolSchemas = (catalog: Catalog) => catalog.scannedSchemas.filter((s) => TOOL_SCHEMAS.includes(s));

function proposeTenancy(catalog: Catalog, excludeSchemas: string[]): ConfigProposal['tenancy'] {
  const [best, second] = tenantCandidates(catalog);
  const questions: string[] = [];
  if (!best) {
    // No foreign keys to vote with: the usual column name found in the most tables, no tenant table.
    const counts = TENANT_COLUMN_NAMES.map((c) => ({ c, n: catalog.relations.filter((r) => inScope(r) && r.columns.some((col) => col.name === c)).length })).sort((a, b) => b.n - a.n);
    const column = counts[0]!.n > 0 ? counts[0]!.c : 'tenant_id';
    questions.push(`no foreign key points at a tenant table, so none was found: set tenantTable to the table with one row per tenant (the probes need it)`);
    if (counts[0]!.n === 0) questions.push('no column named like a tenant column (tenant_id, org_id, account_id, ...) was found: which column names the tenant?');
    return { tenantTable: null, tenantColumn: column, tenantKey: null, excludeSchemas, why: `${column} is the usual tenant column name found in the most tables`, questions };
  }
  if (second && second.score >= best.score * 0.6 && second.column !== best.column) {
    questions.push(`${second.table} (${second.column}, referenced from ${second.referencing} tables) is a close second: is it the tenant instead?`);
  }
  const pk = catalog.relations.find((r) => r.qualifiedName === best.table)?.primaryKey;
  const keyIsPk = pk?.columns.length === 1 && pk.columns[0] === best.key;
  return {
    tenantTable: best.table,
    tenantColumn: best.column,
    tenantKey: keyIsPk ? null : best.key,
    excludeSchemas,
    why: `${best.table} is referenced by ${best.column} from ${best.referencing} tables${best.policies > 0 ? `, and ${best.policies} policies compare ${best.column}` : ''}`,
    questions,
  };
}

// ---------------------------------------------------------------------------
// Actors.

/** Roles with a privilege in the scanned schemas or named by a policy: who uses this database. */
function usingRoles(catalog: Catalog): Set<string> {
  const out = new Set<string>();
  for (const r of catalog.relations.filter(inScope)) {
    // What PUBLIC may do every role may do: it tells nothing about who uses the database.
    const pub = new Set(r.publicPrivileges.map((x) => x.toLowerCase()));
    for (const p of r.privileges) if ((['select', 'insert', 'update', 'delete'] as const).some((k) => p[k] && !pub.has(k))) out.add(p.role);
    for (const pol of r.policies) for (const role of pol.roles) out.add(role);
  }
  for (const f of catalog.functions) if (f.inScope && !f.extension && !f.publicExecute) for (const role of f.executableBy) out.add(role);
  // Schema USAGE is no signal: PUBLIC has it on schema public in every database, and alone it reads nothing.
  out.delete('PUBLIC');
  return out;
}

/** Policies on tenant data that apply to `role`, directly or through a role it inherits. */
function tenantPolicies(catalog: Catalog, role: string): Array<{ relation: Relation; policy: Policy }> {
  const inherits = new Set([role, ...(catalog.actors.find((a) => a.role === role)?.reaches.filter((x) => x.inheritsPrivileges).map((x) => x.role) ?? [])]);
  return catalog.relations
    .filter((r) => inScope(r) && r.tenancy)
    .flatMap((relation) => relation.policies.filter((p) => p.appliesToPublic || p.roles.some((x) => inherits.has(x))).map((policy) => ({ relation, policy })));
}

const tenantish = (name: string, column: string) => {
  const base = name.toLowerCase().split('.').at(-1)!;
  return base === column || TENANT_COLUMN_NAMES.includes(base) || /tenant|org|account|workspace/.test(base);
};

/** How the role enters a tenant, from the settings its policies read. */
function proposeContext(settings: SettingRead[], column: string): { context: ProposedActor['context']; why: string; questions: string[] } {
  const questions: string[] = [];
  const byName = new Map<string, SettingRead>();
  for (const s of settings) {
    const prev = byName.get(s.name);
    byName.set(s.name, { ...s, claims: [...(prev?.claims ?? []), ...s.claims] });
  }
  const all = [...byName.values()];
  const claims = all.flatMap((s) => s.claims.map((c) => ({ setting: s.name, claim: c.join('.') })));
  const jwt = claims.find((c) => tenantish(c.claim, column));
  const plain = all.filter((s) => s.claims.length === 0 && tenantish(s.name, column));
  const others = all.filter((s) => s.name !== jwt?.setting && s.name !== plain[0]?.name).map((s) => s.name);
  if (others.length > 0) {
    questions.push(`its policies also read ${others.join(', ')}: if only a trusted layer sets ${others.length > 1 ? 'them' : 'it'}, add ${others.length > 1 ? 'them' : 'it'} to context.trustedSettings; if a session can set ${others.length > 1 ? 'them' : 'it'}, that is a finding`);
  }
  if (jwt) {
    const otherClaims = claims.filter((c) => c.setting === jwt.setting && c.claim !== jwt.claim).map((c) => c.claim);
    if (otherClaims.length > 0) questions.push(`its policies also read the claims ${[...new Set(otherClaims)].join(', ')} of ${jwt.setting}: set them in context.jwt.claims if your API layer signs them`);
    return {
      context: { jwt: jwt.setting === 'request.jwt.claims' ? { claim: jwt.claim } : { setting: jwt.setting, claim: jwt.claim } },
      why: `its policies read the claim ${jwt.claim} of ${jwt.setting}`,
      questions,
    };
  }
  if (plain[0]) {
    if (plain.length > 1) questions.push(`its policies read several tenant-like settings (${plain.map((s) => s.name).join(', ')}): ${plain[0].name} was chosen`);
    return { context: { sql: `select set_config('${plain[0].name}', ${TENANT_PLACEHOLDER}, true)` }, why: `its policies read ${plain[0].name}`, questions };
  }
  questions.push(
    all.length > 0
      ? `its policies read ${all.map((s) => s.name).join(', ')}, none named like a tenant: which one holds the tenant id?`
      : 'its policies read no setting: how does it enter a tenant (a role per tenant: context.roleTemplate; other SQL: context.statements)? app.tenant_id below is a placeholder',
  );
  const guess = all[0]?.name ?? 'app.tenant_id';
  return { context: { sql: `select set_config('${guess}', ${TENANT_PLACEHOLDER}, true)` }, why: 'no tenant setting found', questions };
}

/** A short actor name: the role without the prefix its siblings share (tp_member -> member). */
function actorNames(roles: string[]): Map<string, string> {
  const prefix = (() => {
    if (roles.length < 2) return '';
    const first = /^([a-z0-9]+_)/i.exec(roles[0]!)?.[1];
    return first && roles.every((r) => r.startsWith(first) && r.length > first.length) ? first : '';
  })();
  const out = new Map<string, string>();
  const used = new Set<string>();
  for (const role of roles) {
    let name = role.slice(prefix.length).replace(/[^A-Za-z0-9_-]/g, '_');
    if (!/^[A-Za-z]/.test(name)) name = `actor_${name}`;
    let unique = name;
    for (let i = 2; used.has(unique); i++) unique = `${name}${i}`;
    used.add(unique);
    out.set(role, unique);
  }
  return out;
}

function proposeActors(catalog: Catalog, column: string): { actors: ProposedActor[]; questions: string[] } {
  const roles = new Map(catalog.roles.map((r) => [r.name, r]));
  const owners = new Set([...catalog.relations.filter(inScope).map((r) => r.owner), ...catalog.schemas.map((s) => s.owner), ...catalog.functions.filter((f) => f.inScope).map((f) => f.owner)]);
  const used = usingRoles(catalog);
  const named = new Set(catalog.relations.filter(inScope).flatMap((r) => r.policies.flatMap((p) => p.roles)));
  const loginMembers = (role: string) => catalog.roles.filter((r) => r.login && r.memberOf.some((m) => m.role === role)).map((r) => r.name);
  const candidates = [...used]
    .filter((name) => {
      const r = roles.get(name);
      if (!r || r.superuser || owners.has(name)) return false;
      // A login role that is a member of other candidates is the application's gateway, not an actor (unless a policy names it).
      if (r.login && r.memberOf.some((m) => used.has(m.role)) && !named.has(name)) return false;
      return true;
    })
    .sort((a, b) => order(a) - order(b) || a.localeCompare(b));
  const names = actorNames(candidates);
  const questions: string[] = [];
  if (candidates.length === 0) questions.push('no role other than the owner uses these schemas: add the roles your application connects as');
  const actors = candidates.map((role): ProposedActor => {
    const r = roles.get(role)!;
    const gateway = loginMembers(role);
    const via = gateway.length > 0 ? `granted to login role ${gateway.join(', ')}` : r.login ? 'a login role' : 'no login role is granted it';
    const pols = tenantPolicies(catalog, role);
    const qs: string[] = [];
    if (gateway.length === 0 && !r.login) qs.push('no login role can become this role: is it used at all?');
    const base = SUPABASE_ACTORS[role];
    if (r.bypassRls) return { name: names.get(role)!, role, expect: 'all', why: `${role}: BYPASSRLS, ${via}`, questions: qs };
    if (pols.length > 0) {
      const ctx = proposeContext(pols.flatMap((p) => p.policy.settings), column);
      const tables = new Set(pols.map((p) => p.relation.qualifiedName)).size;
      return { name: names.get(role)!, role, expect: 'tenant', context: ctx.context, why: `${role}: ${via}; policies on ${tables} tenant tables apply to it; ${ctx.why}`, questions: [...qs, ...ctx.questions] };
    }
    const readable = catalog.relations.filter((x) => inScope(x) && x.tenancy && x.privileges.some((p) => p.role === role && p.select)).length;
    if (readable > 0) qs.push(`it may SELECT ${readable} tenant tables, but no policy on them applies to it: 'none' assumed (it should see no tenant row); if it is a tenant's user, give it policies and expect 'tenant'`);
    if (base && base !== 'none') qs.push(`named like Supabase's ${role}, which usually expects '${base}'`);
    return { name: names.get(role)!, role, expect: 'none', why: `${role}: ${via}; no policy on tenant data applies to it`, questions: qs };
  });
  return { actors, questions };

  function order(role: string): number {
    const r = roles.get(role);
    if (r?.bypassRls) return 2;
    return tenantPolicies(catalog, role).length > 0 ? 0 : 1;
  }
}

function proposeGlobalTables(catalog: Catalog, tenantTable: string | null, actors: ProposedActor[]): ProposedGlobalTable[] {
  const out: ProposedGlobalTable[] = [];
  for (const r of catalog.relations) {
    if (!inScope(r) || r.tenancy || r.qualifiedName === tenantTable || (r.kind !== 'table' && r.kind !== 'partitioned-table') || r.partitionOf) continue;
    const levels = new Map<string, AccessLevel>();
    for (const a of actors) {
      const p = r.privileges.find((x) => x.role === a.role);
      levels.set(a.name, a.expect === 'all' && !p ? 'none' : p && (p.insert || p.update || p.delete) ? 'write' : p?.select ? 'read' : 'none');
    }
    const counts = new Map<AccessLevel, number>();
    for (const l of levels.values()) counts.set(l, (counts.get(l) ?? 0) + 1);
    const defaultAccess = ([...counts.entries()].sort((a, b) => b[1] - a[1])[0]?.[0] ?? 'read') as AccessLevel;
    const access = Object.fromEntries([...levels.entries()].filter(([, l]) => l !== defaultAccess));
    out.push({
      relation: r.qualifiedName,
      defaultAccess,
      access,
      questions: [`shared by every tenant on purpose? ${r.qualifiedName} has no ${catalog.tenancy.tenantColumn} and no key to a tenant row (access copies today's grants; say why in reason)`],
    });
  }
  return out;
}

/**
 * The whole proposal from one catalog, introspected with every role as an
 * actor role and the tool schemas already left out (see catalogOf).
 */
export function proposeConfig(catalog: Catalog, o: { excludeSchemas?: string[] } = {}): ConfigProposal {
  const tenancy = proposeTenancy(catalog, o.excludeSchemas ?? toolSchemas(catalog));
  const { actors, questions } = proposeActors(catalog, tenancy.tenantColumn);
  return { tenancy, actors, globalTables: proposeGlobalTables(catalog, tenancy.tenantTable, actors), questions };
}

/** The proposal as plain config data (what loadConfig validates). */
export function proposalToConfig(p: ConfigProposal): Record<string, unknown> {
  return {
    tenancy: {
      ...(p.tenancy.tenantTable ? { tenantTable: p.tenancy.tenantTable } : {}),
      tenantColumn: p.tenancy.tenantColumn,
      ...(p.tenancy.tenantKey ? { tenantKey: p.tenancy.tenantKey } : {}),
      ...(p.tenancy.excludeSchemas.length > 0 ? { excludeSchemas: p.tenancy.excludeSchemas } : {}),
    },
    actors: p.actors.map((a) => ({ name: a.name, role: a.role, expect: a.expect, ...(a.context ? { context: a.context } : {}) })),
    globalTables: p.globalTables.map((g) => ({
      relation: g.relation,
      reason: 'shared by every tenant (proposed by tenantproof init)',
      defaultAccess: g.defaultAccess,
      ...(Object.keys(g.access).length > 0 ? { access: g.access } : {}),
    })),
  };
}

// ---------------------------------------------------------------------------
// Rendering.

// Single quotes, or double quotes for SQL (which is full of single quotes).
const lit = (s: string) => (s.includes("'") && !s.includes('"') ? JSON.stringify(s) : `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`);
const key = (k: string) => (/^[A-Za-z_$][\w$]*$/.test(k) ? k : lit(k));
function value(v: unknown): string {
  if (typeof v === 'string') return lit(v);
  if (Array.isArray(v)) return `[${v.map(value).join(', ')}]`;
  if (v !== null && typeof v === 'object') return `{ ${Object.entries(v).map(([k, x]) => `${key(k)}: ${value(x)}`).join(', ')} }`;
  return String(v);
}
const comment = (indent: string, text: string) => `${indent}// ${text}`;
const questionLines = (indent: string, qs: readonly string[]) => qs.map((q) => comment(indent, `QUESTION: ${q}`));

/** The config file: plain data, each guess with its reason, each open point as `// QUESTION:`. */
export function renderConfig(p: ConfigProposal, source: string): string {
  const c = proposalToConfig(p) as { tenancy: Record<string, unknown>; actors: Array<Record<string, unknown>>; globalTables: Array<Record<string, unknown>> };
  const lines: string[] = [
    `// tenantproof.config.ts, proposed by \`tenantproof init\` from ${source}.`,
    '// Every guess says why; answer each QUESTION (then delete it) and run `tenantproof gate`.',
    '// Plain data, no import: tenantproof validates it when it loads it and names every mistake with its fix.',
    ...questionLines('', p.questions),
    '',
    'export default {',
    '  tenancy: {',
    comment('    ', p.tenancy.why),
    ...questionLines('    ', p.tenancy.questions),
    ...Object.entries(c.tenancy).map(([k, v]) => `    ${key(k)}: ${value(v)},`),
    '  },',
    '  actors: [',
  ];
  p.actors.forEach((a, i) => {
    lines.push(comment('    ', a.why), ...questionLines('    ', a.questions), `    ${value(c.actors[i])},`);
  });
  lines.push('  ],');
  lines.push('  globalTables: [');
  p.globalTables.forEach((g, i) => {
    lines.push(...questionLines('    ', g.questions), `    ${value(c.globalTables[i])},`);
  });
  lines.push('  ],', '};', '');
  return lines.join('\n');
}

// ---------------------------------------------------------------------------
// The command.

export interface InitOptions {
  cwd?: string | undefined;
  /** Read this database's catalog; nothing in it is changed. */
  databaseUrl?: string | undefined;
  /** A migrations folder to apply to a scratch database (default: the project's graphile-migrate folder). */
  migrations?: string | undefined;
  /** Where the config goes (default: tenantproof.config.ts in the project root, else the current folder). */
  out?: string | undefined;
  force?: boolean | undefined;
  /** Propose, write nothing. */
  dryRun?: boolean | undefined;
  env?: NodeJS.ProcessEnv | undefined;
  major?: PgMajor | undefined;
  engine?: 'embedded' | 'docker' | undefined;
  log?: ((line: string) => void) | undefined;
}

export interface InitResult {
  proposal: ConfigProposal;
  /** The config file's text. */
  text: string;
  /** Where it was written, or null with dryRun. */
  file: string | null;
  source: string;
  /** Static lint of the catalog with the proposal: a first look, before the gate. */
  lint: { error: number; warning: number; info: number };
  questions: number;
}

export async function init(o: InitOptions = {}): Promise<InitResult> {
  const cwd = path.resolve(o.cwd ?? process.cwd());
  const root = findGmrcRoot(cwd) ?? cwd;
  const log = o.log ?? (() => {});
  const file = path.resolve(cwd, o.out ?? path.join(root, 'tenantproof.config.ts'));
  if (!o.dryRun && !o.force) {
    const existing = [file, ...CONFIG_FILE_NAMES.map((n) => path.join(path.dirname(file), n))].find((f) => existsSync(f));
    if (existing) {
      throw new TenantproofError(
        'config-exists',
        `${path.relative(cwd, existing) || existing} already exists; init never overwrites a config`,
        'pass --force to replace it, --out FILE to write the proposal elsewhere, or --dry-run to print it',
      );
    }
  }

  const { catalog, excludeSchemas, source, recorded } = await readCatalog(o, cwd, root, path.dirname(file), log);
  const proposal = proposeConfig(catalog, { excludeSchemas });
  const data = { ...proposalToConfig(proposal), migrations: recorded };
  const checked = validateConfig(data, 'the proposal');
  // A proposal that does not validate is our bug, not the user's: say so loudly.
  if (!checked.ok) throw new Error(`init produced an invalid config:\n${formatConfigIssues(checked.issues, 'the proposal')}`);
  const text = recordSource(renderConfig(proposal, source), recorded);
  const lintCounts = countBySeverity(lint(asSeenBy(catalog, checked.config), checked.config));
  if (!o.dryRun) writeFileAtomic(file, text);
  const questions = (text.match(/\/\/ QUESTION:/g) ?? []).length;
  return { proposal, text, file: o.dryRun ? null : file, source, lint: lintCounts, questions };

  // The catalog was read with every role as an actor role; the lint wants the proposal's view of it.
  function asSeenBy(c: Catalog, config: ResolvedConfig): Catalog {
    const wanted = new Set(config.actors.map((a) => a.role));
    const global = new Set(config.globalTables.map((g) => g.relation));
    return {
      ...c,
      actors: c.actors.filter((a) => wanted.has(a.role)),
      relations: c.relations.map((r) => ({ ...r, privileges: r.privileges.filter((p) => wanted.has(p.role)), tenancy: global.has(r.qualifiedName) ? null : r.tenancy })),
      tenancy: { ...c.tenancy, globalRelations: [...global].sort() },
    };
  }
}

/** Every role but the predefined ones and superusers: candidates until proposeActors decides. */
async function allRoles(db: Queryable): Promise<string[]> {
  const rows = await db.query(sql`select rolname from pg_roles where rolname !~ '^pg_' and not rolsuper order by rolname`);
  return rows.map((r) => r.rolname as string);
}

/**
 * Two readings: the first finds the tenant column among every role's view,
 * the second computes tenancy with it (so tenant relations, and therefore
 * tenant policies and global tables, are known).
 */
export async function catalogOf(db: Queryable): Promise<{ catalog: Catalog; excludeSchemas: string[] }> {
  const actorRoles = await allRoles(db);
  const first = await introspect(db, { actorRoles });
  const excludeSchemas = toolSchemas(first);
  const tenancy = proposeTenancy(first, excludeSchemas);
  const catalog = await introspect(db, {
    actorRoles,
    tenantColumns: [tenancy.tenantColumn],
    ...(tenancy.tenantTable ? { tenantTable: tenancy.tenantTable } : {}),
    ...(tenancy.tenantKey ? { tenantKey: tenancy.tenantKey } : {}),
    excludeSchemas,
  });
  return { catalog, excludeSchemas };
}

/** The migration source init read, as the config records it (paths relative to the config file). */
export type RecordedSource = { source: 'graphile-migrate' } | { source: 'folder'; dir: string } | { source: 'none' };

/**
 * The catalog to propose from: a database read as it is (source none), or a
 * scratch database built by the project's migration source: --migrations
 * DIR (the .gmrc's folder means graphile-migrate, any other a plain folder),
 * else the .gmrc project's, else a migrations/ folder of *.sql files.
 */
async function readCatalog(o: InitOptions, cwd: string, root: string, configDir: string, log: (line: string) => void): Promise<{ catalog: Catalog; excludeSchemas: string[]; source: string; recorded: RecordedSource }> {
  if (o.databaseUrl) {
    const db = await openPool({ connectionString: o.databaseUrl, poolSize: 2, warm: 1 });
    try {
      log(`reading the catalog of ${redactUrl(o.databaseUrl)}`);
      return { ...(await catalogOf(db)), source: redactUrl(o.databaseUrl), recorded: { source: 'none' } };
    } finally {
      await db.dispose();
    }
  }
  const gmrcRoot = findGmrcRoot(cwd);
  const gmrcFolder = gmrcRoot ? path.resolve(gmrcRoot, loadGmrc(gmrcRoot).migrationsFolder ?? './migrations') : null;
  const defaultFolder = path.join(root, 'migrations');
  const folder = o.migrations ? path.resolve(cwd, o.migrations) : (gmrcFolder ?? (hasSqlFiles(defaultFolder) ? defaultFolder : null));
  if (!folder) {
    throw new TenantproofError('init-no-source', `no .gmrc in ${cwd} or above, and no --database-url or --migrations`, 'pass --database-url URL to read a database, or --migrations DIR to apply a folder of .sql files to a scratch database (a migrations/ folder of .sql files is found by itself)');
  }
  if (!existsSync(folder)) throw new TenantproofError('init-no-source', `the migrations folder ${folder} does not exist`, 'pass --migrations with an existing folder');
  const rel = path.relative(cwd, folder) || '.';
  const graphile = folder === gmrcFolder;
  const source = graphile ? graphileSource(folder, `${rel}/`) : folderSource(folder, `${rel}/`);
  if (!graphile && source.files().length === 0) throw new TenantproofError('init-no-source', `${folder} holds no .sql file`, 'pass --migrations with the folder of your .sql migrations');
  const recorded: RecordedSource = graphile ? { source: 'graphile-migrate' } : { source: 'folder', dir: path.relative(configDir, folder).split(path.sep).join('/') || '.' };
  const env = readEnv(o.env ?? process.env);
  const server = await acquireServer({ projectRoot: root, databaseUrl: env.DATABASE_URL, engine: o.engine ?? env.TENANTPROOF_ENGINE, major: o.major ?? env.TENANTPROOF_PG_MAJOR ?? DEFAULT_MAJOR, instance: 'dev' });
  const scratch = `tenantproof_init_${randomBytes(4).toString('hex')}`;
  const rootUrl = await maintenanceUrl(server.url).catch(async (e: unknown) => {
    await server.release();
    throw e;
  });
  try {
    log(`server: ${server.description}; scratch database ${scratch}`);
    log(graphile ? `applying ${rel} (graphile-migrate: committed migrations and current.sql)` : `applying ${source.files().length} file(s) from ${rel} in name order`);
    await source.build({ projectRoot: root, serverUrl: server.url, database: scratch, log });
    const db = await openPool({ connectionString: withDatabase(server.url, scratch), poolSize: 2, warm: 1 });
    try {
      return { ...(await catalogOf(db)), source: `the migrations in ${rel}${graphile ? ' (graphile-migrate, with current.sql)' : ''}`, recorded };
    } finally {
      await db.dispose();
    }
  } finally {
    for (const d of [scratch, `${scratch}_shadow`]) await dropDatabase(rootUrl, d).catch(() => {});
    await server.release();
  }
}

/** The recorded source as the config's `migrations` key, right after `export default {`. */
export function recordSource(text: string, recorded: RecordedSource): string {
  const why =
    recorded.source === 'none'
      ? '// Read from a database: tenantproof gate and watch check the database DATABASE_URL names, as it is.'
      : recorded.source === 'graphile-migrate'
        ? '// The schema comes from graphile-migrate (.gmrc): the gate builds a fresh database from it.'
        : '// The schema comes from these .sql files, run in name order: the gate builds a fresh database from them.';
  const entry = recorded.source === 'folder' ? `{ source: 'folder', dir: '${recorded.dir.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}' }` : `{ source: '${recorded.source}' }`;
  return text.replace(/^export default \{\n/m, (m) => `${m}  ${why}\n  migrations: ${entry},\n`);
}
