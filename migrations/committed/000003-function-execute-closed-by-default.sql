--! Previous: sha1:b1face70bde66c6a6332a58b3078043f2e390d61
--! Hash: sha1:7e9ad6fb135e46d12b1fb660df1f0a9018040d6e
--! Message: function execute closed by default

-- The per-schema form (`alter default privileges in schema app revoke ...`)
-- cannot remove the role-wide default that lets PUBLIC execute new functions:
-- revoke it for the owner role, and from the functions that already exist.
alter default privileges for role tp_owner revoke execute on functions from public;
revoke execute on all functions in schema app from public;
grant execute on function app.current_tenant_id() to tp_member, tp_admin, tp_anon, tp_platform;
