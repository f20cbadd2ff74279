/**
 * How a tenant actor enters a request, from what its policies read (through
 * the functions they call), in this order:
 * - a role per tenant: a policy compares a tenant-table column with
 *   current_user (the tenant row names its login role);
 * - with memberships, the principal: a JWT `sub` claim (the JSON claims, or the
 *   older per-claim settings), a session table read by a SECURITY DEFINER
 *   function (the setting holds the session's key), or a setting named like a
 *   user id;
 * - otherwise the tenant: a JWT claim named like the tenant column, or a plain
 *   setting (session-scoped when a function of the schema sets it with
 *   set_config(..., false));
 * plus a pre-request function: no argument, returns void, writes settings the
 * policies read, and no policy calls it. What it writes is not trusted (a
 * session can write the same settings): the probes forge it.
 */
import type { Catalog, Func, SettingRead } from '../../catalog/types.js';
import { escapeRegExp, stripLiterals } from '../../catalog/expressions.js';
import { TENANT_PLACEHOLDER } from '../../config/context.js';
import type { ProposedMemberships } from './memberships.js';
import type { ProposedTenancy } from './tenancy.js';
import { appFunction, policyFunctions, relationOf, singleKey, TENANT_COLUMN_NAMES, type AppliedPolicy } from './scope.js';

export const JWT_CLAIMS_SETTING = 'request.jwt.claims';
/** The older PostgREST way: one setting per top-level claim. */
export const PER_CLAIM_PREFIX = 'request.jwt.claim.';
const PRINCIPAL_CLAIMS = ['sub', 'user_id', 'uid'];

export type ProposedMechanism =
  | { sql: string }
  | { setting: { name: string; value?: string; scope?: 'session' } }
  | { jwt: { setting?: string; claim?: string; perClaim?: true } }
  | { session: { relation: string; principalColumn: string; setting: string; key?: string } }
  | { rolePerTenant: { column: string; memberOf: string } };
export type ProposedContext = ProposedMechanism & { preRequest?: string };

export interface ContextProposal {
  context: ProposedContext;
  as: 'principal' | 'tenant';
  /** Why this context, in a clause. */
  why: string;
  /** More about it, a comment line each. */
  notes: string[];
  questions: string[];
}

interface Found {
  mechanism: ProposedMechanism;
  as: 'principal' | 'tenant';
  why: string;
  notes?: string[];
  /** Settings this mechanism writes: not questions. */
  writes: (name: string) => boolean;
  questions?: string[];
}

export function proposeContext(catalog: Catalog, role: string, applied: readonly AppliedPolicy[], tenancy: ProposedTenancy, members: ProposedMemberships | null): ContextProposal {
  const settings = mergeByName(applied.flatMap((a) => a.policy.settings));
  const found: Found | null =
    rolePerTenant(catalog, role, applied, tenancy) ??
    (members ? principalJwt(settings) ?? sessionTable(catalog, applied, members) ?? principalSetting(settings) : null) ??
    tenantJwt(settings, tenancy.tenantColumn) ??
    tenantSetting(catalog, settings, tenancy.tenantColumn);
  const pre = preRequest(catalog, role, applied, settings);
  const notes: string[] = [...(found?.notes ?? [])];
  const questions: string[] = [...(found?.questions ?? [])];
  let context: ProposedContext;
  let why: string;
  if (found) {
    context = found.mechanism;
    why = found.why;
  } else {
    const all = settings.map((s) => s.name);
    questions.push(
      all.length > 0
        ? `its policies read ${all.join(', ')}, none named like a tenant: which one holds the tenant id?`
        : 'its policies read no setting: how does it enter a tenant (a role per tenant: context.rolePerTenant; other SQL: context.statements)? app.tenant_id below is a placeholder',
    );
    context = { sql: `select set_config('${all[0] ?? 'app.tenant_id'}', ${TENANT_PLACEHOLDER}, true)` };
    why = 'no tenant setting found';
  }
  if (pre) {
    context = { ...context, preRequest: pre.name };
    const them = pre.writes.length > 1 ? 'them' : 'it';
    notes.push(`${pre.name}() writes ${pre.writes.join(', ')} after the claims, as PostgREST's db-pre-request: not trusted (a session can write ${them} too), so the probes forge ${them}`);
  }
  const covered = (name: string) => found?.writes(name) === true || pre?.writes.includes(name) === true;
  const others = settings.map((s) => s.name).filter((n) => !covered(n));
  if (others.length > 0) {
    const them = others.length > 1 ? 'them' : 'it';
    questions.unshift(`its policies also read ${others.join(', ')}: if only a trusted layer sets ${them}, add ${them} to context.trustedSettings; if a session can set ${them}, that is a finding`);
  }
  return { context, as: found?.as ?? 'tenant', why, notes, questions };
}

function mergeByName(reads: readonly SettingRead[]): SettingRead[] {
  const byName = new Map<string, SettingRead>();
  for (const s of reads) {
    const prev = byName.get(s.name);
    const claims = [...(prev?.claims ?? [])];
    for (const c of s.claims) if (!claims.some((x) => x.join('.') === c.join('.'))) claims.push(c);
    byName.set(s.name, { ...(prev ?? s), via: prev?.via ?? s.via, claims });
  }
  return [...byName.values()].sort((a, b) => a.name.localeCompare(b.name));
}

const isPerClaim = (name: string) => name.startsWith(PER_CLAIM_PREFIX);
const tenantish = (name: string, column: string) => {
  const base = name.toLowerCase().split('.').at(-1)!;
  return base === column || TENANT_COLUMN_NAMES.includes(base) || /tenant|org|account|workspace/.test(base);
};

// ---------------------------------------------------------------------------
// A role per tenant.

const IDENT = String.raw`(?:[A-Za-z_][\w$]*\.)?"?([A-Za-z_][\w$]*)"?`;
const SESSION_ROLE = String.raw`\b(?:current_user|session_user|current_role)\b`;
const CAST = String.raw`(?:\s*::\s*[\w ]+?)?`;
const COMPARED_TO_ROLE = [
  new RegExp(String.raw`${IDENT}\s*\)?${CAST}\s*=\s*\(?\s*${SESSION_ROLE}`, 'gi'),
  new RegExp(String.raw`${SESSION_ROLE}\s*\)?${CAST}\s*=\s*\(?\s*${IDENT}`, 'gi'),
];

function rolePerTenant(catalog: Catalog, role: string, applied: readonly AppliedPolicy[], tenancy: ProposedTenancy): Found | null {
  const table = tenancy.tenantTable ? relationOf(catalog, tenancy.tenantTable) : undefined;
  if (!table) return null;
  for (const { policy } of applied.filter((a) => a.policy.readsCurrentUser)) {
    const bodies = policyFunctions(catalog, [policy]).map((f) => ({ text: f.body ?? '', reads: f.relationsReferenced.includes(table.qualifiedName) }));
    const texts = [{ text: `${policy.using ?? ''}\n${policy.withCheck ?? ''}`, reads: policy.relations.includes(table.qualifiedName) }, ...bodies];
    for (const { text, reads } of texts) {
      if (!reads) continue;
      const stripped = stripLiterals(text);
      const column = COMPARED_TO_ROLE.flatMap((re) => [...stripped.matchAll(re)].map((m) => m[1]!.toLowerCase())).find((c) => table.columns.some((col) => col.name === c));
      if (!column) continue;
      return {
        mechanism: { rolePerTenant: { column, memberOf: role } },
        as: 'tenant',
        why: `a login role per tenant, named by ${table.qualifiedName}.${column} (policy ${policy.name} on ${policy.relation} compares it with current_user)`,
        notes: [`worlds create each tenant's role, a member of ${role}, and store its name in ${table.qualifiedName}.${column}`],
        writes: () => false,
      };
    }
  }
  return null;
}

// ---------------------------------------------------------------------------
// The principal.

function principalJwt(settings: readonly SettingRead[]): Found | null {
  const json = settings.find((s) => s.claims.some((c) => c.length === 1 && PRINCIPAL_CLAIMS.includes(c[0]!)));
  if (json) {
    const claim = json.claims.find((c) => c.length === 1 && PRINCIPAL_CLAIMS.includes(c[0]!))!.join('.');
    const other = [...new Set(json.claims.map((c) => c.join('.')).filter((c) => c !== claim && c !== 'role' && c !== 'exp'))];
    const fallback = settings.some((s) => isPerClaim(s.name)) && json.name === JWT_CLAIMS_SETTING;
    return {
      mechanism: { jwt: json.name === JWT_CLAIMS_SETTING ? {} : { setting: json.name } },
      as: 'principal',
      why: `the user is the claim ${claim} of ${json.name} (JWT claims: sub = $principal, role = $role, exp = in an hour)`,
      notes: fallback ? [`${PER_CLAIM_PREFIX}* (the older per-claim settings) are read only as a fallback: not written, so the probes forge them`] : [],
      writes: (n) => n === json.name || (fallback && isPerClaim(n)),
      questions: [
        ...(claim !== 'sub' ? [`the user id is read from the claim ${claim}, not sub: set context.jwt.claims { ${claim}: '$principal' } if your API layer signs it so`] : []),
        ...(other.length > 0 ? [`its policies also read the claims ${other.join(', ')} of ${json.name}: set them in context.jwt.claims if your API layer signs them`] : []),
      ],
    };
  }
  const perClaim = settings.find((s) => s.name === `${PER_CLAIM_PREFIX}sub`);
  if (!perClaim) return null;
  return {
    mechanism: { jwt: { perClaim: true } },
    as: 'principal',
    why: `the user is ${perClaim.name}, one setting per claim as older PostgREST versions write them (perClaim; sub = $principal, role = $role, exp = in an hour)`,
    writes: (n) => n === JWT_CLAIMS_SETTING || isPerClaim(n),
  };
}

/** A SECURITY DEFINER function the policies call reads a table of sessions (a NOT NULL key to the principals) by a setting. */
function sessionTable(catalog: Catalog, applied: readonly AppliedPolicy[], members: ProposedMemberships): Found | null {
  const functions = policyFunctions(catalog, applied.map((a) => a.policy)).filter((f) => f.securityDefiner);
  for (const f of functions) {
    for (const name of f.relationsReferenced) {
      const table = relationOf(catalog, name);
      if (!table || table.tenancy || name === members.memberships.relation || name === members.principals.relation) continue;
      const fk = table.foreignKeys.find((k) => k.columns.length === 1 && k.notNull && k.references === members.principals.relation);
      if (!fk) continue;
      const candidates = f.settings.filter((s) => s.claims.length === 0);
      const setting = candidates.find((s) => /session/i.test(s.name)) ?? (candidates.length === 1 ? candidates[0] : undefined);
      if (!setting) continue;
      const key = singleKey(table);
      return {
        mechanism: { session: { relation: table.qualifiedName, principalColumn: fk.columns[0]!, setting: setting.name } },
        as: 'principal',
        why: `the user comes from a session table: ${f.schema}.${f.name}() (SECURITY DEFINER) looks up ${table.qualifiedName} by ${setting.name}`,
        notes: [`worlds write a session per user in ${table.qualifiedName} and set ${setting.name} to its key`],
        writes: (n) => n === setting.name,
        questions: key ? [] : [`${table.qualifiedName} has no single-column primary key: set context.session.key to the column ${setting.name} holds`],
      };
    }
  }
  return null;
}

function principalSetting(settings: readonly SettingRead[]): Found | null {
  const s = settings.find((x) => x.claims.length === 0 && !isPerClaim(x.name) && /(user|principal|person)(_?id)?$/i.test(x.name.split('.').at(-1)!));
  if (!s) return null;
  return { mechanism: { setting: { name: s.name, value: '$principal' } }, as: 'principal', why: `the user id is ${s.name}`, writes: (n) => n === s.name };
}

// ---------------------------------------------------------------------------
// The tenant.

function tenantJwt(settings: readonly SettingRead[], column: string): Found | null {
  for (const s of settings) {
    const claim = s.claims.map((c) => c.join('.')).find((c) => tenantish(c, column));
    if (!claim) continue;
    const other = [...new Set(s.claims.map((c) => c.join('.')).filter((c) => c !== claim))];
    return {
      mechanism: { jwt: s.name === JWT_CLAIMS_SETTING ? { claim } : { setting: s.name, claim } },
      as: 'tenant',
      why: `its policies read the claim ${claim} of ${s.name}`,
      writes: (n) => n === s.name,
      questions: other.length > 0 ? [`its policies also read the claims ${other.join(', ')} of ${s.name}: set them in context.jwt.claims if your API layer signs them`] : [],
    };
  }
  return null;
}

function tenantSetting(catalog: Catalog, settings: readonly SettingRead[], column: string): Found | null {
  const plain = settings.filter((s) => s.claims.length === 0 && tenantish(s.name, column));
  const first = plain[0];
  if (!first) return null;
  const questions = plain.length > 1 ? [`its policies read several tenant-like settings (${plain.map((s) => s.name).join(', ')}): ${first.name} was chosen`] : [];
  const setter = sessionSetter(catalog, first.name);
  if (setter) {
    return {
      mechanism: { setting: { name: first.name, scope: 'session' } },
      as: 'tenant',
      why: `its policies read ${first.name}, which ${setter.schema}.${setter.name}() sets for the whole session (set_config(..., false)), as a pool's checkout hook does`,
      writes: (n) => n === first.name,
      questions,
    };
  }
  return { mechanism: { sql: `select set_config('${first.name}', ${TENANT_PLACEHOLDER}, true)` }, as: 'tenant', why: `its policies read ${first.name}`, writes: (n) => n === first.name, questions };
}

/** A function of the schema that writes the setting for the whole session: set_config('name', ..., false). */
function sessionSetter(catalog: Catalog, name: string): Func | undefined {
  const call = new RegExp(String.raw`set_config\s*\(\s*'${escapeRegExp(name)}'\s*,(?:[^()]|\([^()]*\))*,\s*false\s*\)`, 'i');
  return catalog.functions.find((f) => appFunction(f) && f.body !== null && call.test(f.body));
}

// ---------------------------------------------------------------------------
// The pre-request function.

const WRITTEN = /set_config\s*\(\s*'((?:[^']|'')+)'/gi;

function preRequest(catalog: Catalog, role: string, applied: readonly AppliedPolicy[], settings: readonly SettingRead[]): { name: string; writes: string[] } | null {
  const read = new Set(settings.map((s) => s.name));
  const called = new Set(policyFunctions(catalog, applied.map((a) => a.policy)).map((f) => f.signature));
  const found = catalog.functions
    .filter((f) => appFunction(f) && f.kind === 'function' && !f.isTrigger && f.argTypes.length === 0 && f.returnType === 'void' && !called.has(f.signature))
    .filter((f) => f.publicExecute || f.executableBy.includes(role))
    .map((f) => ({ name: `${f.schema}.${f.name}`, writes: [...new Set([...(f.body ?? '').matchAll(WRITTEN)].map((m) => m[1]!.replaceAll("''", "'").toLowerCase()))].filter((s) => read.has(s)).sort() }))
    .filter((f) => f.writes.length > 0);
  return found.length === 1 ? found[0]! : null;
}
