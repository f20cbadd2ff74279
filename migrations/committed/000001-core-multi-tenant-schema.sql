--! Previous: -
--! Hash: sha1:8cbe62a19b7d6b7003d4577690a55ca9a3344e33
--! Message: core multi-tenant schema

-- Core multi-tenant schema (stories 000 and 001), built the way it should be:
-- FORCE row level security, a fail-closed tenant context, composite foreign
-- keys that carry the tenant column, and an append-only audit trail.

create schema app;
comment on schema app is 'Tenant data of the reference application.';
revoke all on schema app from public;
grant usage on schema app to tp_member, tp_admin, tp_anon, tp_platform;

-- Functions are executable by PUBLIC unless revoked; new ones here start closed.
alter default privileges in schema app revoke execute on functions from public;

-------------------------------------------------------------------------------
-- Tenant context
-------------------------------------------------------------------------------

-- The tenant of the current transaction. Unset or empty gives NULL, which
-- matches no row (tenant_id = NULL is never true); a malformed value raises.
-- Never "NULL means all": that is the fail-open pattern.
create function app.current_tenant_id() returns uuid
  language sql stable parallel safe
  as $$ select nullif(current_setting('app.tenant_id', true), '')::uuid $$;
comment on function app.current_tenant_id() is
  'Tenant of the current transaction, from the transaction-local setting app.tenant_id.';
grant execute on function app.current_tenant_id() to tp_member, tp_admin, tp_anon, tp_platform;

-- Who did it, for the audit trail only (never for access decisions: any
-- session can set any custom setting). A malformed value is recorded as NULL.
create function app.current_actor_id() returns uuid
  language sql stable parallel safe
  as $$
    select case when s ~ '^[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$' then s::uuid end
    from (select current_setting('app.user_id', true) as s) t
  $$;

create function app.touch_updated_at() returns trigger
  language plpgsql
  set search_path = pg_catalog, pg_temp
  as $$
  begin
    new.updated_at := now();
    return new;
  end
  $$;

-------------------------------------------------------------------------------
-- Tables
-------------------------------------------------------------------------------

create table app.tenants (
  id                uuid primary key default gen_random_uuid(),
  name              text not null check (length(btrim(name)) between 1 and 200),
  domain            text not null unique
                    check (domain ~ '^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)+$'),
  subscription_tier text not null default 'free'
                    check (subscription_tier in ('free', 'starter', 'professional', 'enterprise')),
  created_at        timestamptz not null default now(),
  updated_at        timestamptz not null default now()
);
comment on table app.tenants is 'One row per customer organisation. Tenants are retired, not deleted: their audit history is kept.';

create table app.users (
  tenant_id     uuid not null references app.tenants (id) on delete cascade,
  id            uuid not null default gen_random_uuid(),
  email         text not null check (length(email) <= 254 and email ~ '^[^@[:space:]]+@[^@[:space:]]+\.[^@[:space:]]+$'),
  role          text not null default 'user' check (role in ('sysadmin', 'admin', 'user')),
  password_hash text not null check (length(password_hash) between 20 and 255),
  totp_secret   text check (totp_secret ~ '^[A-Z2-7]{16,128}$'),
  is_active     boolean not null default true,
  created_at    timestamptz not null default now(),
  updated_at    timestamptz not null default now(),
  primary key (tenant_id, id)
);
-- E-mail is unique per tenant, whatever its case.
create unique index users_tenant_email_key on app.users (tenant_id, lower(email));

create table app.documents (
  tenant_id     uuid not null references app.tenants (id) on delete cascade,
  id            uuid not null default gen_random_uuid(),
  user_id       uuid not null,
  title         text not null check (length(btrim(title)) between 1 and 500),
  content_hash  text not null check (content_hash ~ '^[0-9a-f]{64}$'),
  metadata      jsonb not null default '{}' check (jsonb_typeof(metadata) = 'object'),
  created_at    timestamptz not null default now(),
  updated_at    timestamptz not null default now(),
  primary key (tenant_id, id),
  unique (tenant_id, content_hash),
  foreign key (tenant_id, user_id) references app.users (tenant_id, id) on delete cascade
);
create index documents_tenant_user_idx on app.documents (tenant_id, user_id);

create table app.tenant_api_keys (
  tenant_id     uuid not null references app.tenants (id) on delete cascade,
  id            uuid not null default gen_random_uuid(),
  name          text not null check (length(btrim(name)) between 1 and 100),
  -- The visible part of the key (shown in lists); the secret is only ever stored hashed.
  key_prefix    text not null check (key_prefix ~ '^[A-Za-z0-9_]{6,16}$'),
  key_hash      text not null check (key_hash ~ '^[0-9a-f]{64}$'),
  permissions   text[] not null default array['read']
                check (cardinality(permissions) >= 1 and permissions <@ array['read', 'write', 'admin']),
  expires_at    timestamptz,
  last_used_at  timestamptz,
  created_at    timestamptz not null default now(),
  updated_at    timestamptz not null default now(),
  primary key (tenant_id, id),
  unique (tenant_id, key_hash),
  unique (tenant_id, key_prefix)
);

create table app.templates (
  id                    uuid primary key default gen_random_uuid(),
  name                  text not null unique check (length(btrim(name)) between 1 and 200),
  description           text,
  compliance_checklist  jsonb not null default '[]' check (jsonb_typeof(compliance_checklist) = 'array'),
  default_configuration jsonb not null default '{}' check (jsonb_typeof(default_configuration) = 'object'),
  created_at            timestamptz not null default now(),
  updated_at            timestamptz not null default now()
);
comment on table app.templates is 'Global configuration templates: readable by every actor, writable by none.';

create table app.tenant_configs (
  tenant_id     uuid not null references app.tenants (id) on delete cascade,
  id            uuid not null default gen_random_uuid(),
  template_id   uuid references app.templates (id) on delete set null,
  settings      jsonb not null default '{}' check (jsonb_typeof(settings) = 'object'),
  created_at    timestamptz not null default now(),
  updated_at    timestamptz not null default now(),
  primary key (tenant_id, id),
  -- One configuration per tenant.
  unique (tenant_id)
);
create index tenant_configs_tenant_template_idx on app.tenant_configs (tenant_id, template_id);

create table app.audit_logs (
  tenant_id     uuid not null references app.tenants (id) on delete restrict,
  id            uuid not null default gen_random_uuid(),
  -- No foreign key: the trail outlives the user it names.
  actor_user_id uuid,
  action        text not null check (action in ('insert', 'update', 'delete')),
  resource_type text not null,
  resource_id   text,
  old_values    jsonb,
  new_values    jsonb,
  ip_address    inet,
  user_agent    text,
  session_id    text,
  occurred_at   timestamptz not null default now(),
  primary key (tenant_id, id)
);
create index audit_logs_tenant_time_idx on app.audit_logs (tenant_id, occurred_at);
create index audit_logs_tenant_actor_idx on app.audit_logs (tenant_id, actor_user_id);
create index audit_logs_tenant_resource_idx on app.audit_logs (tenant_id, resource_type, resource_id);

-------------------------------------------------------------------------------
-- Audit trail: written by a trigger as the owner, append-only for everyone else
-------------------------------------------------------------------------------

-- SECURITY DEFINER so that actors need no INSERT privilege on the trail (they
-- could forge entries otherwise). Trigger arguments name columns that hold
-- secrets: they never reach the trail.
create function app.audit_row() returns trigger
  language plpgsql security definer
  set search_path = pg_catalog, pg_temp
  as $$
  declare
    secret_columns text[] := coalesce(tg_argv::text[], '{}');
    old_row jsonb := case when tg_op in ('UPDATE', 'DELETE') then to_jsonb(old) - secret_columns end;
    new_row jsonb := case when tg_op in ('INSERT', 'UPDATE') then to_jsonb(new) - secret_columns end;
    row_tenant uuid := coalesce(new_row, old_row) ->> 'tenant_id';
    row_id text := coalesce(new_row, old_row) ->> 'id';
  begin
    insert into app.audit_logs
      (tenant_id, actor_user_id, action, resource_type, resource_id, old_values, new_values,
       ip_address, user_agent, session_id)
    values
      (row_tenant, app.current_actor_id(), lower(tg_op), tg_table_schema || '.' || tg_table_name, row_id,
       old_row, new_row,
       case when current_setting('app.client_ip', true) ~ '^[0-9a-fA-F:.]{2,45}$'
            then current_setting('app.client_ip', true)::inet end,
       left(nullif(current_setting('app.user_agent', true), ''), 500),
       left(nullif(current_setting('app.session_id', true), ''), 200));
    return null;
  end
  $$;

create function app.forbid_change() returns trigger
  language plpgsql
  set search_path = pg_catalog, pg_temp
  as $$
  begin
    raise exception '% is append-only: % is not allowed', tg_table_schema || '.' || tg_table_name, lower(tg_op)
      using errcode = 'insufficient_privilege';
  end
  $$;

create trigger audit_logs_append_only before update or delete on app.audit_logs
  for each row execute function app.forbid_change();
create trigger audit_logs_no_truncate before truncate on app.audit_logs
  for each statement execute function app.forbid_change();

-------------------------------------------------------------------------------
-- Triggers on every table
-------------------------------------------------------------------------------

create trigger touch_updated_at before update on app.tenants for each row execute function app.touch_updated_at();
create trigger touch_updated_at before update on app.users for each row execute function app.touch_updated_at();
create trigger touch_updated_at before update on app.documents for each row execute function app.touch_updated_at();
create trigger touch_updated_at before update on app.tenant_api_keys for each row execute function app.touch_updated_at();
create trigger touch_updated_at before update on app.templates for each row execute function app.touch_updated_at();
create trigger touch_updated_at before update on app.tenant_configs for each row execute function app.touch_updated_at();

create trigger audit after insert or update or delete on app.users
  for each row execute function app.audit_row('password_hash', 'totp_secret');
create trigger audit after insert or update or delete on app.documents
  for each row execute function app.audit_row();
create trigger audit after insert or update or delete on app.tenant_api_keys
  for each row execute function app.audit_row('key_hash');
create trigger audit after insert or update or delete on app.tenant_configs
  for each row execute function app.audit_row();

-------------------------------------------------------------------------------
-- Row level security: ENABLE and FORCE everywhere, explicit roles, both clauses
-------------------------------------------------------------------------------

alter table app.tenants enable row level security;
alter table app.tenants force row level security;
create policy tenants_select on app.tenants for select to tp_member, tp_admin
  using (id = app.current_tenant_id());
create policy tenants_update on app.tenants for update to tp_admin
  using (id = app.current_tenant_id()) with check (id = app.current_tenant_id());

alter table app.users enable row level security;
alter table app.users force row level security;
create policy users_select on app.users for select to tp_member, tp_admin
  using (tenant_id = app.current_tenant_id());
create policy users_insert on app.users for insert to tp_admin
  with check (tenant_id = app.current_tenant_id());
create policy users_update on app.users for update to tp_admin
  using (tenant_id = app.current_tenant_id()) with check (tenant_id = app.current_tenant_id());
create policy users_delete on app.users for delete to tp_admin
  using (tenant_id = app.current_tenant_id());

alter table app.documents enable row level security;
alter table app.documents force row level security;
create policy documents_select on app.documents for select to tp_member, tp_admin
  using (tenant_id = app.current_tenant_id());
create policy documents_insert on app.documents for insert to tp_member, tp_admin
  with check (tenant_id = app.current_tenant_id());
create policy documents_update on app.documents for update to tp_member, tp_admin
  using (tenant_id = app.current_tenant_id()) with check (tenant_id = app.current_tenant_id());
create policy documents_delete on app.documents for delete to tp_member, tp_admin
  using (tenant_id = app.current_tenant_id());

alter table app.tenant_api_keys enable row level security;
alter table app.tenant_api_keys force row level security;
create policy tenant_api_keys_select on app.tenant_api_keys for select to tp_admin
  using (tenant_id = app.current_tenant_id());
create policy tenant_api_keys_insert on app.tenant_api_keys for insert to tp_admin
  with check (tenant_id = app.current_tenant_id());
create policy tenant_api_keys_update on app.tenant_api_keys for update to tp_admin
  using (tenant_id = app.current_tenant_id()) with check (tenant_id = app.current_tenant_id());
create policy tenant_api_keys_delete on app.tenant_api_keys for delete to tp_admin
  using (tenant_id = app.current_tenant_id());

alter table app.tenant_configs enable row level security;
alter table app.tenant_configs force row level security;
create policy tenant_configs_select on app.tenant_configs for select to tp_member, tp_admin
  using (tenant_id = app.current_tenant_id());
create policy tenant_configs_insert on app.tenant_configs for insert to tp_admin
  with check (tenant_id = app.current_tenant_id());
create policy tenant_configs_update on app.tenant_configs for update to tp_admin
  using (tenant_id = app.current_tenant_id()) with check (tenant_id = app.current_tenant_id());

alter table app.audit_logs enable row level security;
alter table app.audit_logs force row level security;
create policy audit_logs_select on app.audit_logs for select to tp_member, tp_admin
  using (tenant_id = app.current_tenant_id());
-- Only the audit trigger (running as the owner) writes the trail.
create policy audit_logs_insert_by_trigger on app.audit_logs for insert to tp_owner
  with check (tenant_id is not null);

-------------------------------------------------------------------------------
-- Privileges: nothing by default, each actor what it needs
-------------------------------------------------------------------------------

grant select on app.templates to tp_member, tp_admin, tp_anon, tp_platform;

grant select on app.tenants, app.users, app.documents, app.tenant_configs, app.audit_logs to tp_member;
grant insert, update, delete on app.documents to tp_member;

grant select on app.tenants, app.users, app.documents, app.tenant_api_keys, app.tenant_configs, app.audit_logs to tp_admin;
grant update on app.tenants to tp_admin;
grant insert, update, delete on app.users, app.documents, app.tenant_api_keys to tp_admin;
grant insert, update on app.tenant_configs to tp_admin;

-- Platform operators see and manage every tenant through BYPASSRLS; the trail stays append-only.
grant select, insert, update, delete on app.tenants, app.users, app.documents, app.tenant_api_keys, app.tenant_configs to tp_platform;
grant select on app.audit_logs to tp_platform;
grant insert, update, delete on app.templates to tp_platform;

-------------------------------------------------------------------------------
-- Seed: the global Fintech template
-------------------------------------------------------------------------------

insert into app.templates (name, description, compliance_checklist, default_configuration) values (
  'Fintech Template',
  'Starting configuration for payment and lending products handling cardholder data.',
  '[
    {"id": "pci-1",  "requirement": "Install and maintain network security controls", "standard": "PCI DSS 4.0", "section": "1"},
    {"id": "pci-2",  "requirement": "Apply secure configurations to all system components", "standard": "PCI DSS 4.0", "section": "2"},
    {"id": "pci-3",  "requirement": "Protect stored account data", "standard": "PCI DSS 4.0", "section": "3"},
    {"id": "pci-4",  "requirement": "Protect cardholder data with strong cryptography during transmission", "standard": "PCI DSS 4.0", "section": "4"},
    {"id": "pci-5",  "requirement": "Protect all systems and networks from malicious software", "standard": "PCI DSS 4.0", "section": "5"},
    {"id": "pci-6",  "requirement": "Develop and maintain secure systems and software", "standard": "PCI DSS 4.0", "section": "6"},
    {"id": "pci-7",  "requirement": "Restrict access to system components and cardholder data by business need to know", "standard": "PCI DSS 4.0", "section": "7"},
    {"id": "pci-8",  "requirement": "Identify users and authenticate access to system components", "standard": "PCI DSS 4.0", "section": "8"},
    {"id": "pci-9",  "requirement": "Restrict physical access to cardholder data", "standard": "PCI DSS 4.0", "section": "9"},
    {"id": "pci-10", "requirement": "Log and monitor all access to system components and cardholder data", "standard": "PCI DSS 4.0", "section": "10"},
    {"id": "pci-11", "requirement": "Test security of systems and networks regularly", "standard": "PCI DSS 4.0", "section": "11"},
    {"id": "pci-12", "requirement": "Support information security with organizational policies and programs", "standard": "PCI DSS 4.0", "section": "12"}
  ]',
  '{"mfa_required": true, "session_timeout_minutes": 15, "password_min_length": 12, "audit_retention_days": 2555, "data_residency": "au"}'
);
