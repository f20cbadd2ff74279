-- Cluster-wide prerequisites of the reference schema: the roles. .gmrc runs it
-- (beforeReset, as the root connection) before every reset. Roles are shared by
-- every database on the server: create what is missing, never drop or alter
-- a role that exists (another database may rely on it as it is).
do $$
declare
  r record;
begin
  for r in select * from (values
    -- owns every object; nobody logs in as it
    ('tp_owner',    'nologin'),
    -- a tenant's ordinary member
    ('tp_member',   'nologin'),
    -- a tenant's administrator
    ('tp_admin',    'nologin'),
    -- not signed in: global reference data only
    ('tp_anon',     'nologin'),
    -- platform operators: the bypass is a real role attribute, not a setting anyone can forge
    ('tp_platform', 'nologin bypassrls'),
    -- the application's login; NOINHERIT: it has no privilege of its own until it SETs ROLE
    ('tp_app',      'login noinherit')
  ) as t(name, attrs)
  loop
    if not exists (select from pg_roles where rolname = r.name) then
      execute format('create role %I %s', r.name, r.attrs);
    end if;
  end loop;
end
$$;

-- Membership lets the login role switch to each actor role (SET ROLE), nothing more.
do $$
declare
  actor text;
begin
  foreach actor in array array['tp_member', 'tp_admin', 'tp_anon', 'tp_platform'] loop
    if not exists (
      select from pg_auth_members m
      where m.roleid = actor::regrole and m.member = 'tp_app'::regrole
    ) then
      execute format('grant %I to tp_app', actor);
    end if;
  end loop;
end
$$;
