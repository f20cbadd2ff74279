-- Runs as the superuser right after graphile-migrate recreated the database.
-- The owner role creates every schema and object; nobody else may create in public.
revoke create on schema public from public;
grant connect on database :DATABASE_NAME to tp_app;
