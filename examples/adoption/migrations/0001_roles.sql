-- Roles are cluster-wide and outlive every database: create the missing ones, never fail on one that exists.
do $$
begin
  if not exists (select from pg_roles where rolname = 'shop_user') then create role shop_user nologin; end if;
  if not exists (select from pg_roles where rolname = 'shop_api') then create role shop_api login noinherit; end if;
end
$$;
grant shop_user to shop_api;
