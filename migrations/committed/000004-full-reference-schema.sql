--! Previous: sha1:7e9ad6fb135e46d12b1fb660df1f0a9018040d6e
--! Hash: sha1:0f93b3fe304811963cd13aec26f6be4247694733
--! Message: full reference schema

-- The full reference schema (issue 5; stories 002, 003 and 004), built on the
-- core migration's conventions: tenant_id on every tenant table, primary key
-- (tenant_id, id), foreign keys that carry the tenant column, indexes led by
-- tenant_id, ENABLE + FORCE row level security with one policy per command and
-- an explicit TO list, grants per actor, created_at/updated_at maintained by
-- app.touch_updated_at(), and app.audit_row() on every tenant table except the
-- append-only logs (their rows never change: auditing them would only copy
-- each row into app.audit_logs).
--
-- Idempotent (graphile-migrate re-runs it on every save): everything it
-- creates is dropped first.

-------------------------------------------------------------------------------
-- (sql/validators.sql is committed as migration 000002-identifier-validators.sql.)
-------------------------------------------------------------------------------

drop table if exists
  app.user_agent_permissions, app.clients,
  app.password_reset_tokens, app.email_verification_tokens, app.user_invitations,
  app.user_companies, app.companies,
  app.photo_tags, app.tags, app.detections, app.photos, app.projects
  cascade;
drop schema if exists cache cascade;
drop schema if exists log cascade;
drop schema if exists config cascade;
drop schema if exists ref cascade;
drop function if exists app.secure_partition(regclass) cascade;
drop function if exists app.create_detections_partition(date) cascade;
drop function if exists app.forbid_token_reuse() cascade;

-------------------------------------------------------------------------------
-- The audit trail names the table a row belongs to: for a partition, its
-- partitioned table (row triggers fire with the partition as TG_TABLE_NAME).
-- Otherwise identical to 000001's.
-------------------------------------------------------------------------------
create or replace function app.audit_row() returns trigger
  language plpgsql security definer
  set search_path = pg_catalog, pg_temp
  as $$
  declare
    secret_columns text[] := coalesce(tg_argv::text[], '{}');
    old_row jsonb := case when tg_op in ('UPDATE', 'DELETE') then to_jsonb(old) - secret_columns end;
    new_row jsonb := case when tg_op in ('INSERT', 'UPDATE') then to_jsonb(new) - secret_columns end;
    row_tenant uuid := coalesce(new_row, old_row) ->> 'tenant_id';
    row_id text := coalesce(new_row, old_row) ->> 'id';
    resource text := (select n.nspname || '.' || c.relname
                      from pg_class c join pg_namespace n on n.oid = c.relnamespace
                      where c.oid = coalesce(pg_partition_root(tg_relid), tg_relid));
  begin
    insert into app.audit_logs
      (tenant_id, actor_user_id, action, resource_type, resource_id, old_values, new_values,
       ip_address, user_agent, session_id)
    values
      (row_tenant, app.current_actor_id(), lower(tg_op), resource, row_id,
       old_row, new_row,
       case when current_setting('app.client_ip', true) ~ '^[0-9a-fA-F:.]{2,45}$'
            then current_setting('app.client_ip', true)::inet end,
       left(nullif(current_setting('app.user_agent', true), ''), 500),
       left(nullif(current_setting('app.session_id', true), ''), 200));
    return null;
  end
  $$;

-------------------------------------------------------------------------------
-- Helpers (run by the owner in migrations; no actor may execute them)
-------------------------------------------------------------------------------

-- A partition queried directly does not apply its parent's policies: give it
-- the parent's RLS flags, policies and grants, copied from the catalog so that
-- they cannot drift from the parent's.
create function app.secure_partition(part regclass) returns void
  language plpgsql
  set search_path = pg_catalog, pg_temp
  as $$
  declare
    parent regclass := (select inhparent from pg_inherits where inhrelid = part);
    p record;
    g record;
  begin
    if parent is null then
      raise exception '% is not a partition', part;
    end if;
    execute format('alter table %s enable row level security', part);
    execute format('alter table %s force row level security', part);
    for p in
      select pol.polname,
             case pol.polcmd when 'r' then 'select' when 'a' then 'insert' when 'w' then 'update'
                             when 'd' then 'delete' else 'all' end as cmd,
             case when pol.polpermissive then 'permissive' else 'restrictive' end as kind,
             (select string_agg(case when r.oid = 0 then 'public' else quote_ident(ro.rolname) end, ', ')
                from unnest(pol.polroles) as r(oid) left join pg_roles ro on ro.oid = r.oid) as roles,
             pg_get_expr(pol.polqual, pol.polrelid) as qual,
             pg_get_expr(pol.polwithcheck, pol.polrelid) as check_expr
      from pg_policy pol
      where pol.polrelid = parent
    loop
      execute format('drop policy if exists %I on %s', p.polname, part);
      execute format('create policy %I on %s as %s for %s to %s %s %s', p.polname, part, p.kind, p.cmd, p.roles,
        coalesce('using (' || p.qual || ')', ''), coalesce('with check (' || p.check_expr || ')', ''));
    end loop;
    for g in
      select a.privilege_type, a.grantee
      from pg_class c, aclexplode(c.relacl) a
      where c.oid = parent and a.grantee <> c.relowner
    loop
      execute format('grant %s on %s to %s', g.privilege_type, part,
        case when g.grantee = 0 then 'public' else quote_ident((select rolname from pg_roles where oid = g.grantee)) end);
    end loop;
  end
  $$;
revoke execute on function app.secure_partition(regclass) from public;

-------------------------------------------------------------------------------
-- Schema ref: global reference data, readable by every actor, writable by none
-- (rows change through migrations only).
-------------------------------------------------------------------------------
create schema ref;
comment on schema ref is 'Global reference data: readable by every actor, written by migrations only.';
revoke all on schema ref from public;
grant usage on schema ref to tp_member, tp_admin, tp_anon, tp_platform;

create table ref.countries (
  code          text primary key check (code ~ '^[A-Z]{2}$'),
  name          text not null unique check (length(btrim(name)) between 1 and 100),
  phone_prefix  text check (phone_prefix ~ '^\+[1-9][0-9]{0,3}$'),
  created_at    timestamptz not null default now(),
  updated_at    timestamptz not null default now()
);
comment on table ref.countries is 'ISO 3166-1 alpha-2 countries.';

create table ref.languages (
  code          text primary key check (code ~ '^[a-z]{2,3}(-[A-Z]{2})?$'),
  name          text not null unique check (length(btrim(name)) between 1 and 100),
  native_name   text check (length(btrim(native_name)) between 1 and 100),
  created_at    timestamptz not null default now(),
  updated_at    timestamptz not null default now()
);
comment on table ref.languages is 'BCP 47 language tags.';

create table ref.industries (
  code          text primary key check (code ~ '^[a-z][a-z0-9_]{1,49}$'),
  name          text not null unique check (length(btrim(name)) between 1 and 100),
  description   text,
  created_at    timestamptz not null default now(),
  updated_at    timestamptz not null default now()
);

create table ref.timezones (
  name          text primary key check (name ~ '^[A-Za-z_]+(/[A-Za-z0-9_+-]+){0,2}$'),
  country_code  text references ref.countries (code),
  display_name  text not null check (length(btrim(display_name)) between 1 and 100),
  created_at    timestamptz not null default now(),
  updated_at    timestamptz not null default now()
);
comment on table ref.timezones is 'IANA time zones offered to users.';
create index timezones_country_idx on ref.timezones (country_code);

create table ref.user_statuses (
  code          text primary key check (code ~ '^[a-z][a-z_]{1,29}$'),
  name          text not null unique check (length(btrim(name)) between 1 and 100),
  description   text,
  -- May a user in this status sign in?
  can_sign_in   boolean not null,
  created_at    timestamptz not null default now(),
  updated_at    timestamptz not null default now()
);

create table ref.user_roles (
  code          text primary key check (code ~ '^[a-z][a-z_]{1,29}$'),
  name          text not null unique check (length(btrim(name)) between 1 and 100),
  description   text,
  -- Higher ranks include the lower ones.
  rank          integer not null unique check (rank between 0 and 1000),
  created_at    timestamptz not null default now(),
  updated_at    timestamptz not null default now()
);
comment on table ref.user_roles is 'Roles a user holds in a company (app.user_companies, app.user_invitations).';

-------------------------------------------------------------------------------
-- Schema config: global settings with per-tenant overrides, validation rules
-------------------------------------------------------------------------------
create schema config;
comment on schema config is 'Application settings (global, with per-tenant overrides) and validation rules.';
revoke all on schema config from public;
grant usage on schema config to tp_member, tp_admin, tp_anon, tp_platform;

-- Does a JSON value have a setting's declared type?
create function config.value_matches_type(value jsonb, value_type text) returns boolean
  language sql immutable parallel safe
  return case value_type
    when 'string' then jsonb_typeof(value) = 'string'
    when 'boolean' then jsonb_typeof(value) = 'boolean'
    when 'number' then jsonb_typeof(value) = 'number'
    when 'integer' then jsonb_typeof(value) = 'number' and value::numeric = trunc(value::numeric)
    when 'json' then value is not null
    else false
  end;
revoke execute on function config.value_matches_type(jsonb, text) from public;
-- Called by the overrides trigger (as the writing actor) and the settings check.
grant execute on function config.value_matches_type(jsonb, text) to tp_admin, tp_platform;

create table config.app_settings (
  id                    uuid primary key default gen_random_uuid(),
  key                   text not null unique check (key ~ '^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$' and length(key) <= 100),
  category              text not null check (category in ('auth', 'uploads', 'email', 'features', 'platform')),
  value_type            text not null check (value_type in ('string', 'boolean', 'number', 'integer', 'json')),
  default_value         jsonb not null,
  description           text,
  -- Platform-wide switches (maintenance mode, ...) are not a tenant's to change.
  is_tenant_overridable boolean not null default true,
  created_at            timestamptz not null default now(),
  updated_at            timestamptz not null default now(),
  constraint app_settings_default_value_type check (config.value_matches_type(default_value, value_type))
);
comment on table config.app_settings is 'Global settings with their defaults; tenants override them in config.app_setting_overrides.';

create table config.app_setting_overrides (
  tenant_id     uuid not null references app.tenants (id) on delete cascade,
  id            uuid not null default gen_random_uuid(),
  setting_id    uuid not null references config.app_settings (id) on delete cascade,
  value         jsonb not null,
  created_at    timestamptz not null default now(),
  updated_at    timestamptz not null default now(),
  primary key (tenant_id, id),
  unique (tenant_id, setting_id)
);
comment on table config.app_setting_overrides is 'A tenant''s value for an overridable global setting.';

-- A cross-table rule a CHECK cannot express: only overridable settings, with a value of the declared type.
create function config.check_setting_override() returns trigger
  language plpgsql
  set search_path = pg_catalog, pg_temp
  as $$
  declare
    s record;
  begin
    select st.key, st.value_type, st.is_tenant_overridable into s from config.app_settings st where st.id = new.setting_id;
    if not found then
      return new; -- the foreign key reports it
    end if;
    if not s.is_tenant_overridable then
      raise exception 'setting % cannot be overridden per tenant', s.key
        using errcode = 'check_violation', constraint = 'app_setting_overrides_overridable',
              table = tg_table_name, schema = tg_table_schema;
    end if;
    if not config.value_matches_type(new.value, s.value_type) then
      raise exception 'setting % takes a % value', s.key, s.value_type
        using errcode = 'check_violation', constraint = 'app_setting_overrides_value_type',
              table = tg_table_name, schema = tg_table_schema;
    end if;
    return new;
  end
  $$;
revoke execute on function config.check_setting_override() from public;

create trigger check_override before insert or update on config.app_setting_overrides
  for each row execute function config.check_setting_override();

create table config.validation_rules (
  id            uuid primary key default gen_random_uuid(),
  entity        text not null check (entity ~ '^[a-z][a-z_]{1,49}$'),
  field         text not null check (field ~ '^[a-z][a-z_]{1,49}$'),
  rule_type     text not null check (rule_type in ('regex', 'checksum', 'length', 'range', 'required')),
  -- NULL: every country.
  country_code  text references ref.countries (code),
  parameters    jsonb not null default '{}' check (jsonb_typeof(parameters) = 'object'),
  error_message text not null check (length(btrim(error_message)) between 1 and 500),
  is_active     boolean not null default true,
  created_at    timestamptz not null default now(),
  updated_at    timestamptz not null default now(),
  constraint validation_rules_rule_key unique nulls not distinct (entity, field, rule_type, country_code)
);
comment on table config.validation_rules is 'Field validation rules the clients apply before submitting (the database enforces its own).';
create index validation_rules_country_idx on config.validation_rules (country_code);

-------------------------------------------------------------------------------
-- Photos and detections (story 002)
-------------------------------------------------------------------------------
create table app.projects (
  tenant_id     uuid not null references app.tenants (id) on delete cascade,
  id            uuid not null default gen_random_uuid(),
  name          text not null check (length(btrim(name)) between 1 and 200),
  description   text check (length(description) <= 5000),
  status        text not null default 'active' check (status in ('active', 'completed', 'archived')),
  created_at    timestamptz not null default now(),
  updated_at    timestamptz not null default now(),
  primary key (tenant_id, id),
  unique (tenant_id, name)
);
create index projects_tenant_status_idx on app.projects (tenant_id, status);

create table app.photos (
  tenant_id       uuid not null references app.tenants (id) on delete cascade,
  id              uuid not null default gen_random_uuid(),
  -- Who uploaded it; a user with photos is deactivated, not deleted.
  user_id         uuid not null,
  project_id      uuid not null,
  -- Object keys live under the tenant's prefix, so that a row can never point at another tenant's object.
  storage_key     text not null,
  storage_url     text not null,
  file_size_bytes bigint not null,
  mime_type       text not null,
  width           integer,
  height          integer,
  exif            jsonb not null default '{}',
  uploaded_at     timestamptz not null default now(),
  created_at      timestamptz not null default now(),
  updated_at      timestamptz not null default now(),
  primary key (tenant_id, id),
  unique (tenant_id, storage_key),
  foreign key (tenant_id, user_id) references app.users (tenant_id, id) on delete restrict,
  foreign key (tenant_id, project_id) references app.projects (tenant_id, id) on delete cascade,
  constraint photos_storage_key_in_tenant_prefix
    check (starts_with(storage_key, tenant_id::text || '/') and length(storage_key) <= 500 and storage_key !~ '(^|/)\.\.?(/|$)'),
  constraint photos_storage_url_matches_key
    check (storage_url ~ '^(https|s3)://[^/[:space:]]+/' and right(storage_url, length(storage_key) + 1) = '/' || storage_key),
  constraint photos_file_size_positive check (file_size_bytes > 0 and file_size_bytes <= 1073741824),
  constraint photos_mime_type_check
    check (mime_type in ('image/jpeg', 'image/png', 'image/webp', 'image/heic', 'image/heif', 'image/tiff')),
  constraint photos_dimensions_positive check ((width is null or width between 1 and 100000) and (height is null or height between 1 and 100000)),
  constraint photos_exif_object check (jsonb_typeof(exif) = 'object')
);
create index photos_tenant_user_idx on app.photos (tenant_id, user_id);
-- Project-level analytics: a project's photos by time.
create index photos_tenant_project_created_idx on app.photos (tenant_id, project_id, created_at);

-- The time-series store: one partition per month (UTC) of created_at. A
-- partitioned table's primary key must contain the partition key.
create table app.detections (
  tenant_id          uuid not null references app.tenants (id) on delete cascade,
  id                 uuid not null default gen_random_uuid(),
  photo_id           uuid not null,
  detection_type     text not null,
  model_version      text not null check (length(btrim(model_version)) between 1 and 100),
  results            jsonb not null check (jsonb_typeof(results) = 'object'),
  confidence         double precision not null,
  processing_time_ms integer not null,
  user_confirmed     boolean not null default false,
  user_feedback      jsonb check (jsonb_typeof(user_feedback) = 'object'),
  created_at         timestamptz not null default now(),
  updated_at         timestamptz not null default now(),
  primary key (tenant_id, id, created_at),
  -- A detection belongs to a photo of its own tenant; it goes with the photo.
  foreign key (tenant_id, photo_id) references app.photos (tenant_id, id) on delete cascade,
  constraint detections_type_check check (detection_type in ('damage', 'material', 'volume')),
  -- NaN sorts above every number in PostgreSQL, so it fails this range too.
  constraint detections_confidence_range check (confidence >= 0 and confidence <= 1),
  constraint detections_processing_time_positive check (processing_time_ms > 0)
) partition by range (created_at);
comment on table app.detections is 'AI detection results, partitioned by month of created_at (UTC); RLS on the parent and on every partition.';
create index detections_tenant_photo_idx on app.detections (tenant_id, photo_id);
create index detections_tenant_type_confirmed_idx on app.detections (tenant_id, detection_type, user_confirmed);
-- The review queue: detections nobody has confirmed yet.
create index detections_tenant_unconfirmed_idx on app.detections (tenant_id, created_at) where not user_confirmed;

create table app.tags (
  tenant_id     uuid not null references app.tenants (id) on delete cascade,
  id            uuid not null default gen_random_uuid(),
  name          text not null check (length(btrim(name)) between 1 and 100),
  created_at    timestamptz not null default now(),
  updated_at    timestamptz not null default now(),
  primary key (tenant_id, id),
  unique (tenant_id, name)
);

create table app.photo_tags (
  tenant_id     uuid not null references app.tenants (id) on delete cascade,
  id            uuid not null default gen_random_uuid(),
  photo_id      uuid not null,
  tag_id        uuid not null,
  source        text not null,
  -- Required for tags the model assigned, absent for tags a person chose.
  confidence    double precision,
  created_by    uuid,
  created_at    timestamptz not null default now(),
  updated_at    timestamptz not null default now(),
  primary key (tenant_id, id),
  unique (tenant_id, photo_id, tag_id),
  foreign key (tenant_id, photo_id) references app.photos (tenant_id, id) on delete cascade,
  foreign key (tenant_id, tag_id) references app.tags (tenant_id, id) on delete cascade,
  -- Only the user column is cleared when the user goes (a plain SET NULL would null tenant_id too).
  foreign key (tenant_id, created_by) references app.users (tenant_id, id) on delete set null (created_by),
  constraint photo_tags_source_check check (source in ('ai', 'user')),
  constraint photo_tags_confidence_range check (confidence >= 0 and confidence <= 1),
  constraint photo_tags_ai_confidence_required check (source <> 'ai' or confidence is not null),
  constraint photo_tags_user_confidence_null check (source <> 'user' or confidence is null)
);
create index photo_tags_tenant_tag_idx on app.photo_tags (tenant_id, tag_id);
create index photo_tags_tenant_created_by_idx on app.photo_tags (tenant_id, created_by);

-------------------------------------------------------------------------------
-- Companies and people (story 003)
-------------------------------------------------------------------------------
create table app.companies (
  tenant_id      uuid not null references app.tenants (id) on delete cascade,
  id             uuid not null default gen_random_uuid(),
  legal_name     text not null check (length(btrim(legal_name)) between 1 and 200),
  -- Compact form, check digits verified by the domain.
  abn            validators.abn not null,
  acn            validators.acn,
  trading_name   text check (length(btrim(trading_name)) between 1 and 200),
  entity_type    text not null check (entity_type in
                   ('private_company', 'public_company', 'sole_trader', 'partnership', 'trust', 'government', 'other')),
  industry_code  text references ref.industries (code),
  country_code   text not null default 'AU' references ref.countries (code),
  gst_registered boolean not null default false,
  is_active      boolean not null default true,
  created_at     timestamptz not null default now(),
  updated_at     timestamptz not null default now(),
  primary key (tenant_id, id),
  unique (tenant_id, abn),
  -- Only companies have an ACN.
  constraint companies_acn_only_for_companies check (acn is null or entity_type in ('private_company', 'public_company'))
);
create index companies_tenant_industry_idx on app.companies (tenant_id, industry_code);
create index companies_tenant_country_idx on app.companies (tenant_id, country_code);

create table app.user_companies (
  tenant_id     uuid not null references app.tenants (id) on delete cascade,
  id            uuid not null default gen_random_uuid(),
  user_id       uuid not null,
  company_id    uuid not null,
  role          text not null references ref.user_roles (code),
  status        text not null default 'active' references ref.user_statuses (code),
  is_default    boolean not null default false,
  joined_via    text not null check (joined_via in ('signup', 'invitation', 'admin_added', 'sso')),
  invited_by    uuid,
  created_at    timestamptz not null default now(),
  updated_at    timestamptz not null default now(),
  primary key (tenant_id, id),
  unique (tenant_id, user_id, company_id),
  foreign key (tenant_id, user_id) references app.users (tenant_id, id) on delete cascade,
  foreign key (tenant_id, company_id) references app.companies (tenant_id, id) on delete cascade,
  foreign key (tenant_id, invited_by) references app.users (tenant_id, id) on delete set null (invited_by)
);
-- At most one default company per user.
create unique index user_companies_one_default_key on app.user_companies (tenant_id, user_id) where is_default;
create index user_companies_tenant_company_idx on app.user_companies (tenant_id, company_id);
create index user_companies_tenant_invited_by_idx on app.user_companies (tenant_id, invited_by);
create index user_companies_tenant_role_idx on app.user_companies (tenant_id, role);
create index user_companies_tenant_status_idx on app.user_companies (tenant_id, status);

create table app.user_invitations (
  tenant_id     uuid not null references app.tenants (id) on delete cascade,
  id            uuid not null default gen_random_uuid(),
  company_id    uuid not null,
  email         text not null check (length(email) <= 254 and email ~ '^[^@[:space:]]+@[^@[:space:]]+\.[^@[:space:]]+$'),
  role          text not null references ref.user_roles (code),
  invited_by    uuid,
  -- SHA-256 of the token sent by e-mail; the token itself is never stored.
  token_hash    text not null check (token_hash ~ '^[0-9a-f]{64}$'),
  status        text not null default 'pending' check (status in ('pending', 'accepted', 'expired', 'revoked')),
  expires_at    timestamptz not null,
  accepted_at   timestamptz,
  created_at    timestamptz not null default now(),
  updated_at    timestamptz not null default now(),
  primary key (tenant_id, id),
  unique (tenant_id, token_hash),
  foreign key (tenant_id, company_id) references app.companies (tenant_id, id) on delete cascade,
  foreign key (tenant_id, invited_by) references app.users (tenant_id, id) on delete set null (invited_by),
  constraint user_invitations_expiry_after_creation check (expires_at > created_at),
  constraint user_invitations_accepted_iff_status check ((status = 'accepted') = (accepted_at is not null)),
  constraint user_invitations_accepted_before_expiry check (accepted_at is null or accepted_at <= expires_at)
);
-- One open invitation per address and company.
create unique index user_invitations_one_pending_key on app.user_invitations (tenant_id, company_id, lower(email)) where status = 'pending';
create index user_invitations_tenant_invited_by_idx on app.user_invitations (tenant_id, invited_by);
create index user_invitations_tenant_role_idx on app.user_invitations (tenant_id, role);

-- Tokens are single use: once used_at is set the row is frozen.
create function app.forbid_token_reuse() returns trigger
  language plpgsql
  set search_path = pg_catalog, pg_temp
  as $$
  begin
    if old.used_at is not null then
      raise exception '%: token % was already used', tg_table_name, old.id
        using errcode = 'check_violation', constraint = tg_table_name || '_single_use',
              table = tg_table_name, schema = tg_table_schema;
    end if;
    return new;
  end
  $$;
revoke execute on function app.forbid_token_reuse() from public;

create table app.email_verification_tokens (
  tenant_id     uuid not null references app.tenants (id) on delete cascade,
  id            uuid not null default gen_random_uuid(),
  user_id       uuid not null,
  token_hash    text not null check (token_hash ~ '^[0-9a-f]{64}$'),
  expires_at    timestamptz not null,
  used_at       timestamptz,
  created_at    timestamptz not null default now(),
  updated_at    timestamptz not null default now(),
  primary key (tenant_id, id),
  unique (tenant_id, token_hash),
  foreign key (tenant_id, user_id) references app.users (tenant_id, id) on delete cascade,
  constraint email_verification_tokens_expiry_after_creation check (expires_at > created_at),
  -- Using it stamps used_at = now(): after expiry that fails.
  constraint email_verification_tokens_used_before_expiry check (used_at is null or used_at <= expires_at)
);
create index email_verification_tokens_tenant_user_idx on app.email_verification_tokens (tenant_id, user_id);

create table app.password_reset_tokens (
  tenant_id     uuid not null references app.tenants (id) on delete cascade,
  id            uuid not null default gen_random_uuid(),
  user_id       uuid not null,
  token_hash    text not null check (token_hash ~ '^[0-9a-f]{64}$'),
  requested_ip  inet,
  expires_at    timestamptz not null,
  used_at       timestamptz,
  created_at    timestamptz not null default now(),
  updated_at    timestamptz not null default now(),
  primary key (tenant_id, id),
  unique (tenant_id, token_hash),
  foreign key (tenant_id, user_id) references app.users (tenant_id, id) on delete cascade,
  constraint password_reset_tokens_expiry_after_creation check (expires_at > created_at),
  constraint password_reset_tokens_used_before_expiry check (used_at is null or used_at <= expires_at)
);
create index password_reset_tokens_tenant_user_idx on app.password_reset_tokens (tenant_id, user_id);

-------------------------------------------------------------------------------
-- Clients and permissions (story 004)
-------------------------------------------------------------------------------
create table app.clients (
  tenant_id     uuid not null references app.tenants (id) on delete cascade,
  id            uuid not null default gen_random_uuid(),
  name          text not null,
  -- Compact form, check digits verified by the domain.
  cpf           validators.cpf not null,
  birth_date    date not null,
  created_by    uuid,
  -- Soft delete: clients are deactivated, their history stays.
  is_active     boolean not null default true,
  created_at    timestamptz not null default now(),
  updated_at    timestamptz not null default now(),
  primary key (tenant_id, id),
  unique (tenant_id, cpf),
  foreign key (tenant_id, created_by) references app.users (tenant_id, id) on delete set null (created_by),
  constraint clients_name_length check (char_length(btrim(name)) between 2 and 100),
  -- current_date moves forward only, so a stored row never starts failing.
  constraint clients_birth_date_range check (birth_date >= date '1900-01-01' and birth_date <= current_date)
);
create index clients_tenant_created_by_idx on app.clients (tenant_id, created_by);
create index clients_tenant_active_name_idx on app.clients (tenant_id, is_active, name);

create table app.user_agent_permissions (
  tenant_id     uuid not null references app.tenants (id) on delete cascade,
  id            uuid not null default gen_random_uuid(),
  user_id       uuid not null,
  agent         text not null check (agent in ('client_management', 'pdf_processing', 'reports_analysis', 'audio_recording')),
  can_create    boolean not null default false,
  can_read      boolean not null default false,
  can_update    boolean not null default false,
  can_delete    boolean not null default false,
  granted_by    uuid,
  expires_at    timestamptz,
  created_at    timestamptz not null default now(),
  updated_at    timestamptz not null default now(),
  primary key (tenant_id, id),
  unique (tenant_id, user_id, agent),
  foreign key (tenant_id, user_id) references app.users (tenant_id, id) on delete cascade,
  foreign key (tenant_id, granted_by) references app.users (tenant_id, id) on delete set null (granted_by),
  constraint user_agent_permissions_expiry_after_creation check (expires_at is null or expires_at > created_at)
);
create index user_agent_permissions_tenant_granted_by_idx on app.user_agent_permissions (tenant_id, granted_by);

-------------------------------------------------------------------------------
-- Schema cache: ABR (Australian Business Register) lookups, per tenant
-------------------------------------------------------------------------------
create schema cache;
comment on schema cache is 'Cached results of external lookups, per tenant.';
revoke all on schema cache from public;
grant usage on schema cache to tp_member, tp_admin, tp_platform;

create table cache.abr_search (
  tenant_id     uuid not null references app.tenants (id) on delete cascade,
  id            uuid not null default gen_random_uuid(),
  abn           validators.abn not null,
  entity_name   text,
  abn_status    text check (abn_status in ('active', 'cancelled')),
  response      jsonb not null check (jsonb_typeof(response) = 'object'),
  fetched_at    timestamptz not null default now(),
  expires_at    timestamptz not null,
  created_at    timestamptz not null default now(),
  updated_at    timestamptz not null default now(),
  primary key (tenant_id, id),
  unique (tenant_id, abn),
  constraint abr_search_expiry_after_fetch check (expires_at > fetched_at)
);
create index abr_search_tenant_expires_idx on cache.abr_search (tenant_id, expires_at);

-------------------------------------------------------------------------------
-- Schema log: technical logs, tenant-scoped and append-only for every role
-------------------------------------------------------------------------------
create schema log;
comment on schema log is 'Technical logs: tenant-scoped, append-only.';
revoke all on schema log from public;
grant usage on schema log to tp_member, tp_admin, tp_platform;

-- User and key ids carry no foreign key: a log outlives what it names (as app.audit_logs).
create table log.api_requests (
  tenant_id        uuid not null references app.tenants (id) on delete restrict,
  id               uuid not null default gen_random_uuid(),
  user_id          uuid,
  api_key_id       uuid,
  request_id       uuid not null,
  method           text not null check (method in ('GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS')),
  -- The path only: query strings can carry secrets.
  path             text not null check (path ~ '^/' and length(path) <= 2000 and strpos(path, '?') = 0),
  status_code      integer not null check (status_code between 100 and 599),
  duration_ms      integer not null check (duration_ms >= 0),
  response_bytes   bigint check (response_bytes >= 0),
  ip_address       inet,
  user_agent       text check (length(user_agent) <= 500),
  occurred_at      timestamptz not null default now(),
  created_at       timestamptz not null default now(),
  updated_at       timestamptz not null default now(),
  primary key (tenant_id, id)
);
create index api_requests_tenant_time_idx on log.api_requests (tenant_id, occurred_at);
create index api_requests_tenant_user_idx on log.api_requests (tenant_id, user_id);
create index api_requests_tenant_request_idx on log.api_requests (tenant_id, request_id);

create table log.auth_events (
  tenant_id        uuid not null references app.tenants (id) on delete restrict,
  id               uuid not null default gen_random_uuid(),
  user_id          uuid,
  -- The address typed in, also when no such user exists.
  email            text check (length(email) <= 254),
  event_type       text not null check (event_type in
                     ('login_success', 'login_failure', 'logout', 'mfa_challenge', 'mfa_success', 'mfa_failure',
                      'password_reset_requested', 'password_reset_completed', 'email_verified', 'account_locked', 'token_refreshed')),
  failure_reason   text check (length(failure_reason) <= 200),
  ip_address       inet,
  user_agent       text check (length(user_agent) <= 500),
  occurred_at      timestamptz not null default now(),
  created_at       timestamptz not null default now(),
  updated_at       timestamptz not null default now(),
  primary key (tenant_id, id),
  constraint auth_events_failure_has_reason check ((event_type in ('login_failure', 'mfa_failure')) = (failure_reason is not null))
);
create index auth_events_tenant_time_idx on log.auth_events (tenant_id, occurred_at);
create index auth_events_tenant_user_idx on log.auth_events (tenant_id, user_id);

create table log.application_errors (
  tenant_id        uuid not null references app.tenants (id) on delete restrict,
  id               uuid not null default gen_random_uuid(),
  user_id          uuid,
  request_id       uuid,
  severity         text not null check (severity in ('warning', 'error', 'critical')),
  error_type       text not null check (length(btrim(error_type)) between 1 and 200),
  message          text not null check (length(message) <= 5000),
  stack_trace      text check (length(stack_trace) <= 50000),
  context          jsonb not null default '{}' check (jsonb_typeof(context) = 'object'),
  occurred_at      timestamptz not null default now(),
  created_at       timestamptz not null default now(),
  updated_at       timestamptz not null default now(),
  primary key (tenant_id, id)
);
create index application_errors_tenant_time_idx on log.application_errors (tenant_id, occurred_at);
create index application_errors_tenant_severity_idx on log.application_errors (tenant_id, severity, occurred_at);

-- One row per delivery event: a status change is a new row, never an update.
create table log.email_deliveries (
  tenant_id        uuid not null references app.tenants (id) on delete restrict,
  id               uuid not null default gen_random_uuid(),
  user_id          uuid,
  recipient_email  text not null check (length(recipient_email) <= 254 and recipient_email ~ '^[^@[:space:]]+@[^@[:space:]]+$'),
  template         text not null check (template in ('invitation', 'email_verification', 'password_reset', 'welcome', 'notification')),
  status           text not null check (status in ('queued', 'sent', 'delivered', 'bounced', 'failed')),
  provider_message_id text check (length(provider_message_id) <= 200),
  error_message    text check (length(error_message) <= 2000),
  occurred_at      timestamptz not null default now(),
  created_at       timestamptz not null default now(),
  updated_at       timestamptz not null default now(),
  primary key (tenant_id, id)
);
create index email_deliveries_tenant_time_idx on log.email_deliveries (tenant_id, occurred_at);
create index email_deliveries_tenant_user_idx on log.email_deliveries (tenant_id, user_id);
create index email_deliveries_tenant_provider_idx on log.email_deliveries (tenant_id, provider_message_id);

-------------------------------------------------------------------------------
-- Triggers: updated_at everywhere, the audit trail on every tenant table
-- except the append-only logs, append-only logs, single-use tokens
-------------------------------------------------------------------------------
do $$
declare
  t text;
begin
  foreach t in array array[
    'ref.countries', 'ref.languages', 'ref.industries', 'ref.timezones', 'ref.user_statuses', 'ref.user_roles',
    'config.app_settings', 'config.app_setting_overrides', 'config.validation_rules',
    'app.projects', 'app.photos', 'app.detections', 'app.tags', 'app.photo_tags',
    'app.companies', 'app.user_companies', 'app.user_invitations', 'app.email_verification_tokens', 'app.password_reset_tokens',
    'app.clients', 'app.user_agent_permissions', 'cache.abr_search',
    'log.api_requests', 'log.auth_events', 'log.application_errors', 'log.email_deliveries'
  ] loop
    execute format('create trigger touch_updated_at before update on %s for each row execute function app.touch_updated_at()', t);
  end loop;

  foreach t in array array[
    'config.app_setting_overrides',
    'app.projects', 'app.photos', 'app.detections', 'app.tags', 'app.photo_tags',
    'app.companies', 'app.user_companies', 'app.clients', 'app.user_agent_permissions', 'cache.abr_search'
  ] loop
    execute format('create trigger audit after insert or update or delete on %s for each row execute function app.audit_row()', t);
  end loop;
  -- Token hashes never reach the trail.
  foreach t in array array['app.user_invitations', 'app.email_verification_tokens', 'app.password_reset_tokens'] loop
    execute format('create trigger audit after insert or update or delete on %s for each row execute function app.audit_row(%L)', t, 'token_hash');
  end loop;

  foreach t in array array['log.api_requests', 'log.auth_events', 'log.application_errors', 'log.email_deliveries'] loop
    execute format('create trigger append_only before update or delete on %s for each row execute function app.forbid_change()', t);
    execute format('create trigger no_truncate before truncate on %s for each statement execute function app.forbid_change()', t);
  end loop;

  foreach t in array array['app.email_verification_tokens', 'app.password_reset_tokens'] loop
    execute format('create trigger single_use before update on %s for each row execute function app.forbid_token_reuse()', t);
  end loop;
end
$$;

-------------------------------------------------------------------------------
-- Row level security: ENABLE and FORCE on every tenant table, one policy per
-- command, explicit roles, the tenant from app.current_tenant_id()
-------------------------------------------------------------------------------
do $$
declare
  t text;
begin
  foreach t in array array[
    'config.app_setting_overrides',
    'app.projects', 'app.photos', 'app.detections', 'app.tags', 'app.photo_tags',
    'app.companies', 'app.user_companies', 'app.user_invitations', 'app.email_verification_tokens', 'app.password_reset_tokens',
    'app.clients', 'app.user_agent_permissions', 'cache.abr_search',
    'log.api_requests', 'log.auth_events', 'log.application_errors', 'log.email_deliveries'
  ] loop
    execute format('alter table %s enable row level security', t);
    execute format('alter table %s force row level security', t);
  end loop;
end
$$;

create policy projects_select on app.projects for select to tp_member, tp_admin
  using (tenant_id = app.current_tenant_id());
create policy projects_insert on app.projects for insert to tp_member, tp_admin
  with check (tenant_id = app.current_tenant_id());
create policy projects_update on app.projects for update to tp_member, tp_admin
  using (tenant_id = app.current_tenant_id()) with check (tenant_id = app.current_tenant_id());
create policy projects_delete on app.projects for delete to tp_admin
  using (tenant_id = app.current_tenant_id());

create policy photos_select on app.photos for select to tp_member, tp_admin
  using (tenant_id = app.current_tenant_id());
create policy photos_insert on app.photos for insert to tp_member, tp_admin
  with check (tenant_id = app.current_tenant_id());
create policy photos_update on app.photos for update to tp_member, tp_admin
  using (tenant_id = app.current_tenant_id()) with check (tenant_id = app.current_tenant_id());
create policy photos_delete on app.photos for delete to tp_member, tp_admin
  using (tenant_id = app.current_tenant_id());

create policy detections_select on app.detections for select to tp_member, tp_admin
  using (tenant_id = app.current_tenant_id());
create policy detections_insert on app.detections for insert to tp_member, tp_admin
  with check (tenant_id = app.current_tenant_id());
create policy detections_update on app.detections for update to tp_member, tp_admin
  using (tenant_id = app.current_tenant_id()) with check (tenant_id = app.current_tenant_id());
create policy detections_delete on app.detections for delete to tp_admin
  using (tenant_id = app.current_tenant_id());

create policy tags_select on app.tags for select to tp_member, tp_admin
  using (tenant_id = app.current_tenant_id());
create policy tags_insert on app.tags for insert to tp_member, tp_admin
  with check (tenant_id = app.current_tenant_id());
create policy tags_update on app.tags for update to tp_admin
  using (tenant_id = app.current_tenant_id()) with check (tenant_id = app.current_tenant_id());
create policy tags_delete on app.tags for delete to tp_admin
  using (tenant_id = app.current_tenant_id());

create policy photo_tags_select on app.photo_tags for select to tp_member, tp_admin
  using (tenant_id = app.current_tenant_id());
create policy photo_tags_insert on app.photo_tags for insert to tp_member, tp_admin
  with check (tenant_id = app.current_tenant_id());
create policy photo_tags_update on app.photo_tags for update to tp_member, tp_admin
  using (tenant_id = app.current_tenant_id()) with check (tenant_id = app.current_tenant_id());
create policy photo_tags_delete on app.photo_tags for delete to tp_member, tp_admin
  using (tenant_id = app.current_tenant_id());

create policy companies_select on app.companies for select to tp_member, tp_admin
  using (tenant_id = app.current_tenant_id());
create policy companies_insert on app.companies for insert to tp_admin
  with check (tenant_id = app.current_tenant_id());
create policy companies_update on app.companies for update to tp_admin
  using (tenant_id = app.current_tenant_id()) with check (tenant_id = app.current_tenant_id());
create policy companies_delete on app.companies for delete to tp_admin
  using (tenant_id = app.current_tenant_id());

create policy user_companies_select on app.user_companies for select to tp_member, tp_admin
  using (tenant_id = app.current_tenant_id());
create policy user_companies_insert on app.user_companies for insert to tp_admin
  with check (tenant_id = app.current_tenant_id());
create policy user_companies_update on app.user_companies for update to tp_admin
  using (tenant_id = app.current_tenant_id()) with check (tenant_id = app.current_tenant_id());
create policy user_companies_delete on app.user_companies for delete to tp_admin
  using (tenant_id = app.current_tenant_id());

create policy user_invitations_select on app.user_invitations for select to tp_admin
  using (tenant_id = app.current_tenant_id());
create policy user_invitations_insert on app.user_invitations for insert to tp_admin
  with check (tenant_id = app.current_tenant_id());
create policy user_invitations_update on app.user_invitations for update to tp_admin
  using (tenant_id = app.current_tenant_id()) with check (tenant_id = app.current_tenant_id());
create policy user_invitations_delete on app.user_invitations for delete to tp_admin
  using (tenant_id = app.current_tenant_id());

create policy email_verification_tokens_select on app.email_verification_tokens for select to tp_admin
  using (tenant_id = app.current_tenant_id());
create policy email_verification_tokens_insert on app.email_verification_tokens for insert to tp_admin
  with check (tenant_id = app.current_tenant_id());
create policy email_verification_tokens_update on app.email_verification_tokens for update to tp_admin
  using (tenant_id = app.current_tenant_id()) with check (tenant_id = app.current_tenant_id());
create policy email_verification_tokens_delete on app.email_verification_tokens for delete to tp_admin
  using (tenant_id = app.current_tenant_id());

create policy password_reset_tokens_select on app.password_reset_tokens for select to tp_admin
  using (tenant_id = app.current_tenant_id());
create policy password_reset_tokens_insert on app.password_reset_tokens for insert to tp_admin
  with check (tenant_id = app.current_tenant_id());
create policy password_reset_tokens_update on app.password_reset_tokens for update to tp_admin
  using (tenant_id = app.current_tenant_id()) with check (tenant_id = app.current_tenant_id());
create policy password_reset_tokens_delete on app.password_reset_tokens for delete to tp_admin
  using (tenant_id = app.current_tenant_id());

create policy clients_select on app.clients for select to tp_member, tp_admin
  using (tenant_id = app.current_tenant_id());
create policy clients_insert on app.clients for insert to tp_member, tp_admin
  with check (tenant_id = app.current_tenant_id());
create policy clients_update on app.clients for update to tp_member, tp_admin
  using (tenant_id = app.current_tenant_id()) with check (tenant_id = app.current_tenant_id());
create policy clients_delete on app.clients for delete to tp_admin
  using (tenant_id = app.current_tenant_id());

create policy user_agent_permissions_select on app.user_agent_permissions for select to tp_member, tp_admin
  using (tenant_id = app.current_tenant_id());
create policy user_agent_permissions_insert on app.user_agent_permissions for insert to tp_admin
  with check (tenant_id = app.current_tenant_id());
create policy user_agent_permissions_update on app.user_agent_permissions for update to tp_admin
  using (tenant_id = app.current_tenant_id()) with check (tenant_id = app.current_tenant_id());
create policy user_agent_permissions_delete on app.user_agent_permissions for delete to tp_admin
  using (tenant_id = app.current_tenant_id());

create policy app_setting_overrides_select on config.app_setting_overrides for select to tp_member, tp_admin
  using (tenant_id = app.current_tenant_id());
create policy app_setting_overrides_insert on config.app_setting_overrides for insert to tp_admin
  with check (tenant_id = app.current_tenant_id());
create policy app_setting_overrides_update on config.app_setting_overrides for update to tp_admin
  using (tenant_id = app.current_tenant_id()) with check (tenant_id = app.current_tenant_id());
create policy app_setting_overrides_delete on config.app_setting_overrides for delete to tp_admin
  using (tenant_id = app.current_tenant_id());

create policy abr_search_select on cache.abr_search for select to tp_member, tp_admin
  using (tenant_id = app.current_tenant_id());
create policy abr_search_insert on cache.abr_search for insert to tp_member, tp_admin
  with check (tenant_id = app.current_tenant_id());
create policy abr_search_update on cache.abr_search for update to tp_member, tp_admin
  using (tenant_id = app.current_tenant_id()) with check (tenant_id = app.current_tenant_id());
create policy abr_search_delete on cache.abr_search for delete to tp_member, tp_admin
  using (tenant_id = app.current_tenant_id());

-- Logs: members and admins append to their tenant's; only admins read them; nobody changes them.
create policy api_requests_select on log.api_requests for select to tp_admin
  using (tenant_id = app.current_tenant_id());
create policy api_requests_insert on log.api_requests for insert to tp_member, tp_admin
  with check (tenant_id = app.current_tenant_id());
create policy auth_events_select on log.auth_events for select to tp_admin
  using (tenant_id = app.current_tenant_id());
create policy auth_events_insert on log.auth_events for insert to tp_member, tp_admin
  with check (tenant_id = app.current_tenant_id());
create policy application_errors_select on log.application_errors for select to tp_admin
  using (tenant_id = app.current_tenant_id());
create policy application_errors_insert on log.application_errors for insert to tp_member, tp_admin
  with check (tenant_id = app.current_tenant_id());
create policy email_deliveries_select on log.email_deliveries for select to tp_admin
  using (tenant_id = app.current_tenant_id());
create policy email_deliveries_insert on log.email_deliveries for insert to tp_member, tp_admin
  with check (tenant_id = app.current_tenant_id());

-------------------------------------------------------------------------------
-- Privileges: nothing by default, each actor what it needs
-------------------------------------------------------------------------------

-- Global data.
grant select on ref.countries, ref.languages, ref.industries, ref.timezones, ref.user_statuses, ref.user_roles
  to tp_member, tp_admin, tp_anon, tp_platform;
grant select on config.app_settings to tp_member, tp_admin, tp_platform;
-- Sign-up forms validate before anyone is signed in.
grant select on config.validation_rules to tp_member, tp_admin, tp_anon, tp_platform;
grant insert, update, delete on config.app_settings, config.validation_rules to tp_platform;

grant select on app.projects, app.photos, app.detections, app.tags, app.photo_tags, app.companies, app.user_companies,
  app.clients, app.user_agent_permissions, config.app_setting_overrides, cache.abr_search to tp_member;
grant insert, update on app.projects, app.detections, app.clients to tp_member;
grant insert on app.tags to tp_member;
grant insert, update, delete on app.photos, app.photo_tags, cache.abr_search to tp_member;
grant insert on log.api_requests, log.auth_events, log.application_errors, log.email_deliveries to tp_member;

grant select, insert, update, delete on app.projects, app.photos, app.detections, app.tags, app.photo_tags,
  app.companies, app.user_companies, app.user_invitations, app.email_verification_tokens, app.password_reset_tokens,
  app.clients, app.user_agent_permissions, config.app_setting_overrides, cache.abr_search to tp_admin;
grant select, insert on log.api_requests, log.auth_events, log.application_errors, log.email_deliveries to tp_admin;

-- Platform operators manage every tenant through BYPASSRLS; the logs stay append-only.
grant select, insert, update, delete on app.projects, app.photos, app.detections, app.tags, app.photo_tags,
  app.companies, app.user_companies, app.user_invitations, app.email_verification_tokens, app.password_reset_tokens,
  app.clients, app.user_agent_permissions, config.app_setting_overrides, cache.abr_search to tp_platform;
grant select on log.api_requests, log.auth_events, log.application_errors, log.email_deliveries to tp_platform;

-------------------------------------------------------------------------------
-- Detections' partitions: 2024-01 .. 2027-12 and a default, each with the
-- parent's RLS, policies and grants (created after them, so they copy them)
-------------------------------------------------------------------------------

-- The month's partition, secured like its parent. Add months ahead of time:
-- a month whose rows already sit in the default partition cannot be split out.
create function app.create_detections_partition(month date) returns regclass
  language plpgsql
  set search_path = pg_catalog, pg_temp
  as $$
  declare
    from_ts timestamptz := date_trunc('month', month::timestamp) at time zone 'UTC';
    to_ts timestamptz := (date_trunc('month', month::timestamp) + interval '1 month') at time zone 'UTC';
    part text := format('app.%I', 'detections_' || to_char(month, 'YYYY_MM'));
  begin
    execute format('create table %s partition of app.detections for values from (%L) to (%L)', part, from_ts, to_ts);
    perform app.secure_partition(part::regclass);
    return part::regclass;
  end
  $$;
revoke execute on function app.create_detections_partition(date) from public;

select app.create_detections_partition(m::date)
from generate_series(date '2024-01-01', date '2027-12-01', interval '1 month') as m;
create table app.detections_default partition of app.detections default;
select app.secure_partition('app.detections_default');

-------------------------------------------------------------------------------
-- Seed: global reference data and settings
-------------------------------------------------------------------------------
insert into ref.countries (code, name, phone_prefix) values
  ('AU', 'Australia', '+61'), ('NZ', 'New Zealand', '+64'), ('BR', 'Brazil', '+55'), ('US', 'United States', '+1'),
  ('GB', 'United Kingdom', '+44'), ('PT', 'Portugal', '+351'), ('SG', 'Singapore', '+65'), ('CA', 'Canada', '+1');

insert into ref.languages (code, name, native_name) values
  ('en', 'English', 'English'), ('en-AU', 'English (Australia)', 'English (Australia)'),
  ('pt-BR', 'Portuguese (Brazil)', 'Português (Brasil)'), ('es', 'Spanish', 'Español'),
  ('fr', 'French', 'Français'), ('zh', 'Chinese', '中文');

insert into ref.industries (code, name, description) values
  ('construction', 'Construction', 'Building, civil engineering and trades'),
  ('insurance', 'Insurance', 'Insurers, brokers and loss adjusters'),
  ('real_estate', 'Real estate', 'Property management and sales'),
  ('events', 'Events', 'Event organisers and venues'),
  ('financial_services', 'Financial services', 'Banking, lending and payments'),
  ('professional_services', 'Professional services', 'Legal, accounting and consulting');

insert into ref.timezones (name, country_code, display_name) values
  ('Australia/Sydney', 'AU', 'Sydney (AEST/AEDT)'), ('Australia/Perth', 'AU', 'Perth (AWST)'),
  ('Australia/Brisbane', 'AU', 'Brisbane (AEST)'), ('Pacific/Auckland', 'NZ', 'Auckland (NZST/NZDT)'),
  ('America/Sao_Paulo', 'BR', 'São Paulo (BRT)'), ('Europe/London', 'GB', 'London (GMT/BST)'),
  ('America/New_York', 'US', 'New York (ET)'), ('UTC', null, 'Coordinated Universal Time');

insert into ref.user_statuses (code, name, description, can_sign_in) values
  ('active', 'Active', 'Signed up and in good standing', true),
  ('invited', 'Invited', 'Invited, has not accepted yet', false),
  ('suspended', 'Suspended', 'Temporarily barred by an administrator', false),
  ('deactivated', 'Deactivated', 'Left the company; kept for history', false);

insert into ref.user_roles (code, name, description, rank) values
  ('viewer', 'Viewer', 'Reads the company''s data', 10),
  ('member', 'Member', 'Works with the company''s data', 20),
  ('admin', 'Administrator', 'Manages the company''s users and settings', 30),
  ('owner', 'Owner', 'Owns the company account, including billing', 40);

insert into config.app_settings (key, category, value_type, default_value, description, is_tenant_overridable) values
  ('auth.password_min_length', 'auth', 'integer', '12', 'Shortest password accepted', true),
  ('auth.mfa_required', 'auth', 'boolean', 'false', 'Require a second factor at sign-in', true),
  ('auth.session_timeout_minutes', 'auth', 'integer', '30', 'Idle time before a session ends', true),
  ('uploads.max_photo_bytes', 'uploads', 'integer', '26214400', 'Largest photo accepted', true),
  ('email.from_address', 'email', 'string', '"no-reply@tenantproof.example"', 'Sender of system e-mail', true),
  ('features.ai_detection', 'features', 'boolean', 'true', 'Run AI detection on uploaded photos', true),
  ('platform.maintenance_mode', 'platform', 'boolean', 'false', 'Reject writes during maintenance', false);

insert into config.validation_rules (entity, field, rule_type, country_code, parameters, error_message) values
  ('company', 'abn', 'checksum', 'AU', '{"algorithm": "abn_mod89", "length": 11}', 'Enter a valid 11-digit ABN'),
  ('company', 'acn', 'checksum', 'AU', '{"algorithm": "acn_mod10", "length": 9}', 'Enter a valid 9-digit ACN'),
  ('client', 'cpf', 'checksum', 'BR', '{"algorithm": "cpf_mod11", "length": 11}', 'Informe um CPF válido'),
  ('client', 'name', 'length', null, '{"min": 2, "max": 100}', 'Name must be 2 to 100 characters'),
  ('user', 'email', 'regex', null, '{"pattern": "^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$"}', 'Enter a valid e-mail address'),
  ('user', 'phone', 'regex', 'AU', '{"pattern": "^\\+61[2-478][0-9]{8}$"}', 'Enter an Australian phone number');
