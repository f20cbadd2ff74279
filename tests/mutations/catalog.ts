/**
 * Mutations of the reference schema, one per class of RLS pitfall in
 * ../shared/README.md. Each plants one bug in a fresh copy of the migrated
 * schema; tests/mutations.test.ts checks that the gate catches it, through
 * the rule or probe that names it.
 */
import type { ResolvedConfig } from '../../src/config/schema.js';

export interface Mutation {
  id: string;
  /** Pitfall number(s) in ../shared/README.md. */
  pitfall: string;
  /** Statements run as the superuser on the fresh database. `$member` is the actor role of the member. */
  sql: string[];
  /** Rules or probes (finding `rule`) of which at least one must report an error. */
  expect: string[];
  /** Leaks data at run time: the probes alone (no lint) must catch it, through one of `probes`. */
  probes?: string[];
  /** The actor roles are cluster-wide: mutations of memberships act on a role of their own. */
  ownMemberRole?: boolean;
  config?: (c: ResolvedConfig) => ResolvedConfig;
}

const replacePolicy = (name: string, definition: string) => [`drop policy ${name} on app.documents`, `create policy ${name} on app.documents ${definition}`];
const replaceKeyPolicy = (name: string, definition: string) => [`drop policy ${name} on app.tenant_api_keys`, `create policy ${name} on app.tenant_api_keys ${definition}`];

export const MUTATIONS: Mutation[] = [
  { id: 'rls-disabled', pitfall: '1', sql: ['alter table app.documents disable row level security'], expect: ['policy-without-rls', 'rls-not-enabled'], probes: ['probe-read'] },
  // FORCE matters when an actor acts as the owner: here the actor's own role owns the table (the app role ran
  // the migrations). Without any path to the owner, ENABLE-not-FORCE is only info (see CORRECT_VARIANTS).
  {
    id: 'no-force',
    pitfall: '2',
    ownMemberRole: true,
    sql: ['alter table app.documents owner to $member', 'alter table app.documents no force row level security'],
    expect: ['rls-not-forced'],
    probes: ['probe-read'],
  },
  {
    id: 'bypassrls-role-reachable',
    pitfall: '3',
    ownMemberRole: true,
    sql: ['create role $member_bypass nologin bypassrls', 'grant usage on schema app to $member_bypass', 'grant select on all tables in schema app to $member_bypass', 'grant $member_bypass to $member'],
    expect: ['actor-bypasses-rls'],
    probes: ['probe-read-escalated'],
  },
  { id: 'member-of-owner', pitfall: '3', ownMemberRole: true, sql: ['grant tp_owner to $member'], expect: ['actor-member-of-owner'] },
  {
    id: 'security-definer-returns-tenant-rows',
    pitfall: '4',
    sql: [
      "create function app.all_documents() returns setof app.documents language sql stable security definer set search_path = pg_catalog as 'select * from app.documents'",
      'grant execute on function app.all_documents() to tp_member',
    ],
    // The lint only asks for a review (info); the call probe is what fails the gate.
    expect: ['security-definer-exposed', 'probe-call'],
    probes: ['probe-call'],
  },
  {
    id: 'security-definer-takes-tenant-argument',
    pitfall: '4',
    sql: [
      "create function app.documents_of(t uuid) returns setof app.documents language sql stable security definer set search_path = pg_catalog as 'select * from app.documents where tenant_id = t'",
      'grant execute on function app.documents_of(uuid) to tp_member',
    ],
    expect: ['security-definer-exposed', 'probe-call-other-tenant'],
    probes: ['probe-call-other-tenant'],
  },
  { id: 'mutable-search-path', pitfall: '4', sql: ['alter function app.audit_row() reset search_path'], expect: ['function-mutable-search-path'] },
  {
    id: 'view-without-security-invoker',
    pitfall: '5',
    sql: ['create view app.documents_overview as select tenant_id, id, title from app.documents', 'grant select on app.documents_overview to tp_member'],
    expect: ['view-not-security-invoker'],
    probes: ['probe-read'],
  },
  {
    id: 'materialized-view',
    pitfall: '5',
    sql: ['create materialized view app.documents_summary as select tenant_id, id from app.documents', 'grant select on app.documents_summary to tp_member'],
    expect: ['matview-exposes-tenant-data'],
    probes: ['probe-read'],
  },
  { id: 'extra-using-true', pitfall: '6', sql: ['create policy documents_everyone on app.documents for select to tp_member using (true)'], expect: ['policy-always-true', 'permissive-widening'], probes: ['probe-read'] },
  { id: 'stray-or-true', pitfall: '6', sql: replacePolicy('documents_select', 'for select to tp_member, tp_admin using (tenant_id = app.current_tenant_id() or true)'), expect: ['policy-always-true'], probes: ['probe-read'] },
  {
    id: 'policy-without-to-clause',
    pitfall: '6',
    sql: replacePolicy('documents_select', 'for select using (true)'),
    expect: ['policy-always-true', 'policy-to-public'],
    probes: ['probe-read'],
  },
  { id: 'fail-open-null', pitfall: '7', sql: replacePolicy('documents_select', 'for select to tp_member, tp_admin using (app.current_tenant_id() is null or tenant_id = app.current_tenant_id())'), expect: ['fail-open-null-check'], probes: ['probe-read-unset'] },
  {
    id: 'fail-open-coalesce',
    pitfall: '8',
    sql: replacePolicy('documents_select', 'for select to tp_member, tp_admin using (tenant_id = coalesce(app.current_tenant_id(), tenant_id))'),
    expect: ['fail-open-null-check', 'probe-read-unset'],
    probes: ['probe-read-unset'],
  },
  { id: 'insert-check-true', pitfall: '9', sql: replacePolicy('documents_insert', 'for insert to tp_member, tp_admin with check (true)'), expect: ['policy-always-true'], probes: ['probe-insert'] },
  // On documents the composite foreign key to users already stops both (the moved row's user is in the
  // old tenant): the API keys, with no child key, show what the policy alone allows.
  {
    id: 'update-check-true',
    pitfall: '10',
    sql: replaceKeyPolicy('tenant_api_keys_update', 'for update to tp_admin using (tenant_id = app.current_tenant_id()) with check (true)'),
    expect: ['policy-always-true'],
    probes: ['probe-move'],
  },
  {
    id: 'update-using-true',
    pitfall: '10',
    sql: replaceKeyPolicy('tenant_api_keys_update', 'for update to tp_admin using (true) with check (tenant_id = app.current_tenant_id())'),
    expect: ['policy-always-true'],
    probes: ['probe-steal'],
  },
  { id: 'delete-using-true', pitfall: '6', sql: replacePolicy('documents_delete', 'for delete to tp_member, tp_admin using (true)'), expect: ['policy-always-true'], probes: ['probe-delete'] },
  {
    id: 'permissive-is-public',
    pitfall: '11',
    sql: ['alter table app.documents add column is_public boolean not null default false', 'create policy documents_public on app.documents for select to tp_member using (is_public)'],
    expect: ['permissive-widening'],
    probes: ['probe-read'],
  },
  {
    id: 'plain-foreign-key',
    pitfall: '12',
    sql: [
      'alter table app.documents drop constraint documents_tenant_id_user_id_fkey',
      'alter table app.users add constraint users_id_key unique (id)',
      'alter table app.documents add constraint documents_user_id_fkey foreign key (user_id) references app.users (id)',
    ],
    expect: ['fk-omits-tenant-column'],
    probes: ['probe-reference'],
  },
  {
    id: 'trusts-role-setting',
    pitfall: '18',
    sql: ["create policy documents_admin on app.documents for select to tp_member using (current_setting('app.role', true) = 'admin')"],
    expect: ['policy-trusts-forgeable-setting'],
    probes: ['probe-read-forged'],
  },
  {
    id: 'subquery-on-table-without-rls',
    pitfall: '19',
    sql: [
      'create table app.memberships (tenant_id uuid not null references app.tenants (id), id uuid primary key default gen_random_uuid(), user_id uuid)',
      'grant select on app.memberships to tp_member',
      'create policy documents_via_membership on app.documents for select to tp_member using (tenant_id in (select m.tenant_id from app.memberships m))',
    ],
    expect: ['policy-subquery-without-rls', 'rls-not-enabled'],
    probes: ['probe-read'],
  },
  {
    id: 'nullable-tenant-column',
    pitfall: '20',
    sql: [
      'create table app.comments (id uuid primary key default gen_random_uuid(), tenant_id uuid references app.tenants (id), body text)',
      'alter table app.comments enable row level security',
      'alter table app.comments force row level security',
      'create policy comments_select on app.comments for select to tp_member using (tenant_id = app.current_tenant_id())',
      'grant select on app.comments to tp_member',
    ],
    expect: ['nullable-tenant-column'],
  },
  {
    id: 'partition-without-rls',
    pitfall: '21',
    sql: [
      'create table app.events (tenant_id uuid not null references app.tenants (id), id uuid not null default gen_random_uuid(), happened_on date not null, primary key (tenant_id, id, happened_on)) partition by range (happened_on)',
      "create table app.events_all partition of app.events for values from ('2000-01-01') to ('2100-01-01')",
      'alter table app.events enable row level security',
      'alter table app.events force row level security',
      'create policy events_select on app.events for select to tp_member using (tenant_id = app.current_tenant_id())',
      'grant select on app.events, app.events_all to tp_member',
    ],
    expect: ['partition-without-rls'],
    probes: ['probe-read'],
  },
  {
    id: 'new-table-without-rls',
    pitfall: '1',
    sql: ['create table app.notes (tenant_id uuid not null references app.tenants (id), id uuid primary key default gen_random_uuid(), body text)', 'grant select, insert, update, delete on app.notes to tp_member'],
    expect: ['rls-not-enabled'],
    probes: ['probe-read'],
  },
  { id: 'leakproof-function', pitfall: '16', sql: ["create function app.same_tenant(a uuid, b uuid) returns boolean language sql immutable leakproof as 'select a = b'"], expect: ['leakproof-function'] },
  {
    id: 'anonymous-reads-tenant-data',
    pitfall: '6',
    sql: ['grant select on app.documents to tp_anon', 'create policy documents_anon on app.documents for select to tp_anon using (true)'],
    expect: ['none-actor-reaches-tenant-data', 'policy-always-true'],
    probes: ['probe-read'],
  },
  // Issue 13's false negatives: leaks the old engine could have seen and did not.
  {
    id: 'delete-masked-by-foreign-key',
    pitfall: '6',
    sql: [
      'create table app.document_locks (tenant_id uuid not null references app.tenants (id), id uuid not null default gen_random_uuid(), document_id uuid not null, primary key (tenant_id, id), foreign key (tenant_id, document_id) references app.documents (tenant_id, id) on delete restrict)',
      'alter table app.document_locks enable row level security',
      'alter table app.document_locks force row level security',
      'create policy document_locks_all on app.document_locks for all to tp_member, tp_admin using (tenant_id = app.current_tenant_id()) with check (tenant_id = app.current_tenant_id())',
      'grant select, insert on app.document_locks to tp_member, tp_admin',
      ...replacePolicy('documents_delete', 'for delete to tp_member, tp_admin using (true)'),
    ],
    expect: ['policy-always-true'],
    probes: ['probe-delete'],
  },
  {
    id: 'trusts-json-setting',
    pitfall: '18',
    sql: ["create policy documents_groups on app.documents for select to tp_member using (coalesce(nullif(current_setting('app.groups', true), '')::jsonb ? tenant_id::text, false))"],
    expect: ['policy-trusts-forgeable-setting'],
    probes: ['probe-read-forged'],
  },
  {
    id: 'function-returns-json-of-any-tenant',
    pitfall: '4',
    sql: [
      "create function app.documents_json(t uuid) returns json language sql stable security definer set search_path = pg_catalog as 'select coalesce(json_agg(json_build_object(''id'', d.id, ''title'', d.title)), ''[]''::json) from app.documents d where d.tenant_id = t'",
      'grant execute on function app.documents_json(uuid) to tp_member',
    ],
    expect: ['probe-call-other-tenant'],
    probes: ['probe-call-other-tenant'],
  },
  {
    id: 'tenant-table-update-using-true',
    pitfall: '10',
    sql: ['drop policy tenants_update on app.tenants', 'create policy tenants_update on app.tenants for update to tp_admin using (true) with check (true)'],
    expect: ['policy-always-true'],
    probes: ['probe-update'],
  },
  {
    id: 'empty-tenant-matches-every-row',
    pitfall: '7',
    sql: replacePolicy('documents_select', "for select to tp_member, tp_admin using (tenant_id::text like coalesce(current_setting('app.tenant_id', true), '') || '%')"),
    expect: ['probe-read-empty', 'probe-read-unset', 'fail-open-null-check'],
    probes: ['probe-read-empty'],
  },
  {
    id: 'malformed-tenant-matches-every-row',
    pitfall: '7',
    sql: replacePolicy('documents_select', "for select to tp_member, tp_admin using (case when current_setting('app.tenant_id', true) ~ '^[0-9a-f-]{36}$' then tenant_id = current_setting('app.tenant_id', true)::uuid else true end)"),
    expect: ['probe-read-malformed', 'probe-read-unset', 'policy-always-true', 'fail-open-null-check'],
    probes: ['probe-read-malformed'],
  },
  {
    id: 'insert-check-true-and-readable',
    pitfall: '9',
    sql: [...replacePolicy('documents_insert', 'for insert to tp_member, tp_admin with check (true)'), 'create policy documents_everyone on app.documents for select to tp_member using (true)'],
    expect: ['policy-always-true'],
    probes: ['probe-insert-returning'],
  },
  {
    id: 'upsert-overwrites-another-tenant',
    pitfall: '13',
    sql: [
      'alter table app.tenant_api_keys add constraint tenant_api_keys_key_prefix_key unique (key_prefix)',
      ...replaceKeyPolicy('tenant_api_keys_update', 'for update to tp_admin using (true) with check (true)'),
      'create policy tenant_api_keys_everyone on app.tenant_api_keys for select to tp_admin using (true)',
    ],
    expect: ['policy-always-true', 'unique-omits-tenant-column'],
    probes: ['probe-upsert'],
  },
  {
    id: 'session-level-context',
    pitfall: '22',
    sql: [],
    config: (c) => ({
      ...c,
      actors: c.actors.map((a) => (a.name === 'member' ? { ...a, context: { sql: "select set_config('app.tenant_id', $tenant, false)", trustedSettings: [] } } : a)),
    }),
    expect: ['session-level-context'],
    probes: ['probe-pooled-context'],
  },
];

/** Side channels: reported as warnings (they reveal existence or volume, not rows); the gate itself passes. */
export const WARNING_MUTATIONS: Mutation[] = [
  { id: 'unique-without-tenant', pitfall: '13', sql: ['alter table app.documents add constraint documents_title_key unique (title)'], expect: ['unique-omits-tenant-column'], probes: ['probe-duplicate-key'] },
  { id: 'shared-sequence', pitfall: '14', sql: ['create sequence app.document_numbers', "alter table app.documents add column number bigint not null default nextval('app.document_numbers')"], expect: ['shared-sequence'] },
  { id: 'default-privileges', pitfall: '20', sql: ['alter default privileges for role tp_owner in schema app grant select on tables to tp_member'], expect: ['default-privileges-to-actor'] },
];

/**
 * Correct designs that the lint used to flag (issue 13's false alarms), each a small change of the
 * reference schema: the gate (lint and probes) must give no error, while the rules named in
 * `reported` still show it below error (a reviewer sees it) and the probes in `proven` held on
 * app.documents (the design was exercised, not skipped).
 */
export interface CorrectVariant {
  id: string;
  /** Why the design is correct. */
  why: string;
  sql: string[];
  /** Rules that report the design as info or warning, never as an error. */
  reported: string[];
  /** Rules that must not report it at all. */
  silent: string[];
  /** Probes whose cells on app.documents must pass. */
  proven: string[];
}

export const CORRECT_VARIANTS: CorrectVariant[] = [
  {
    id: 'superuser-owner-without-force',
    why: 'FORCE binds no superuser, and no actor or login can become the owner',
    sql: ['alter table app.documents owner to current_user', 'alter table app.documents no force row level security'],
    reported: ['rls-not-forced'],
    silent: ['actor-member-of-owner', 'actor-bypasses-rls'],
    proven: ['read', 'insert', 'update', 'move'],
  },
  {
    id: 'for-all-without-with-check',
    why: 'PostgreSQL checks new rows of an ALL policy with its USING expression',
    sql: [
      'drop policy documents_insert on app.documents',
      'drop policy documents_update on app.documents',
      'drop policy documents_delete on app.documents',
      'create policy documents_write on app.documents for all to tp_member, tp_admin using (tenant_id = app.current_tenant_id())',
    ],
    reported: [],
    silent: ['write-without-check'],
    proven: ['insert', 'insert-returning', 'update', 'move', 'delete'],
  },
  {
    id: 'security-definer-checks-tenant',
    why: "the function runs as a superuser but returns only the caller's tenant's rows",
    sql: [
      'create function app.document_titles(wanted uuid) returns table (tenant_id uuid, id uuid, title text) language sql stable security definer set search_path = pg_catalog, pg_temp as $$ select d.tenant_id, d.id, d.title from app.documents d where d.tenant_id = wanted and wanted = app.current_tenant_id() $$',
      'grant execute on function app.document_titles(uuid) to tp_member',
    ],
    reported: ['security-definer-exposed'],
    silent: [],
    proven: ['read'],
  },
];
