import { describe, expect, it } from 'vitest';
import { expressionFacts } from './expression.js';
import { extractFacts } from './facts.js';
import { EMPTY_SCOPE } from './setting-values.js';
import { loadParser, parseStatements } from './parser.js';

await loadParser();

const read = (expr: string, name?: string) => {
  const reads = expressionFacts(expr).settingsRead;
  const r = name ? reads.find((x) => x.name === name) : reads[0];
  if (!r) throw new Error(`no read of ${name ?? 'any setting'} in ${expr}`);
  return r;
};
const statementFacts = (sql: string) => {
  const r = parseStatements(sql);
  if (!r.ok) throw new Error(r.error);
  return extractFacts((r.value.stmts ?? []).map((s) => s.stmt), EMPTY_SCOPE);
};

describe('settings read, and how each value is used', () => {
  it('a scalar context compared with the row, through NULLIF and casts (pg_get_expr text)', () => {
    const r = read("(tenant_id = (NULLIF(current_setting('app.tenant_id'::text, true), ''::text))::uuid)");
    expect(r).toEqual({ name: 'app.tenant_id', json: false, exact: true, uses: [{ path: [], test: { kind: 'compared', with: { kind: 'column', name: 'tenant_id' } } }] });
  });

  it('JSON claims: the path read with ->> and ->, and what it is compared with', () => {
    expect(read("(org_id = (((NULLIF(current_setting('request.jwt.claims'::text, true), ''::text))::json ->> 'org_id'::text))::uuid)")).toMatchObject({
      name: 'request.jwt.claims',
      json: true,
      uses: [{ path: [{ kind: 'key', key: 'org_id' }], test: { kind: 'compared', with: { kind: 'column', name: 'org_id' } } }],
    });
    expect(read("(current_setting('request.jwt.claims', true)::jsonb -> 'app_metadata' ->> 'org_id') = 'x'").uses).toEqual([
      { path: [{ kind: 'key', key: 'app_metadata' }, { kind: 'key', key: 'org_id' }], test: { kind: 'equals', literals: ['x'] } },
    ]);
    expect(read("(current_setting('a.claims')::jsonb #>> '{app_metadata,roles}') = 'admin'").uses[0]!.path).toEqual([
      { kind: 'key', key: 'app_metadata' },
      { kind: 'key', key: 'roles' },
    ]);
    expect(read("jsonb_extract_path_text(current_setting('a.claims')::jsonb, 'org', 'id') = org_id::text").uses[0]).toEqual({
      path: [{ kind: 'key', key: 'org' }, { kind: 'key', key: 'id' }],
      test: { kind: 'compared', with: { kind: 'column', name: 'org_id' } },
    });
  });

  it('an object keyed by a row column, tested for a literal with ? (the groups pattern)', () => {
    const r = read("(current_setting('request.groups', true)::jsonb -> (group_id)::text) ? 'read'::text");
    expect(r).toMatchObject({ name: 'request.groups', json: true });
    expect(r.uses).toEqual([{ path: [{ kind: 'key-from', source: { kind: 'column', name: 'group_id' } }], test: { kind: 'contains', operator: '?', literals: ['read'] } }]);
  });

  it('containment and key tests: ?|, ?&, @>, ? with a column', () => {
    expect(read("current_setting('a.roles')::jsonb ?| array['owner', 'admin']").uses[0]!.test).toEqual({ kind: 'contains', operator: '?|', literals: ['owner', 'admin'] });
    expect(read("current_setting('a.roles')::jsonb ?& '{a,b}'::text[]").uses[0]!.test).toEqual({ kind: 'contains', operator: '?&', literals: ['a', 'b'] });
    expect(read("current_setting('a.claims')::jsonb @> '{\"role\": \"admin\"}'").uses[0]!.test).toEqual({ kind: 'contains', operator: '@>', literals: ['{"role": "admin"}'] });
    expect(read("current_setting('a.groups')::jsonb ? group_id::text").uses[0]!.test).toEqual({ kind: 'has-key', source: { kind: 'column', name: 'group_id' } });
  });

  it('equality with literals: =, <>, IN, = ANY; names lower-cased, pg_catalog-qualified calls too', () => {
    expect(read("pg_catalog.current_setting('App.Role') = 'admin'")).toMatchObject({ name: 'app.role', uses: [{ path: [], test: { kind: 'equals', literals: ['admin'] } }] });
    expect(read("current_setting('app.role', true) in ('owner', 'admin')").uses[0]!.test).toEqual({ kind: 'equals', literals: ['owner', 'admin'] });
    expect(read("current_setting('app.role', true) = any(array['a', 'b'])").uses[0]!.test).toEqual({ kind: 'equals', literals: ['a', 'b'] });
    expect(read("current_setting('app.mode', true) is distinct from 'off'").uses[0]!.test).toEqual({ kind: 'equals', literals: ['off'] });
  });

  it('lists: each element compared with the row', () => {
    expect(read("(tenant_id)::text = any(string_to_array(current_setting('app.tenants', true), ','))").uses).toEqual([
      { path: [{ kind: 'element' }, { kind: 'element' }], test: { kind: 'compared', with: { kind: 'column', name: 'tenant_id' } } },
    ]);
    expect(read("(tenant_id)::text in (select jsonb_array_elements_text(current_setting('app.tenants')::jsonb))").uses).toEqual([
      { path: [{ kind: 'element' }], test: { kind: 'compared', with: { kind: 'column', name: 'tenant_id' } } },
    ]);
  });

  it('a subquery column holding a setting counts as the setting', () => {
    const r = read("exists (select 1 from (select current_setting('app.user_id', true) as s) t where t.s = (owner_id)::text)");
    expect(r.name).toBe('app.user_id');
    expect(r.uses).toEqual([{ path: [], test: { kind: 'compared', with: { kind: 'column', name: 'owner_id' } } }]);
  });

  it('a later COALESCE argument is a fallback of the settings read before it', () => {
    const expr = "coalesce(nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'sub', current_setting('request.jwt.claim.sub', true)) = (owner)::text";
    expect(read(expr, 'request.jwt.claim.sub').uses).toEqual([{ path: [], test: { kind: 'compared', with: { kind: 'column', name: 'owner' } }, fallbackOf: ['request.jwt.claims'] }]);
    expect(read(expr, 'request.jwt.claims').uses[0]!.fallbackOf).toBeUndefined();
  });

  it('reads nothing from a literal that mentions current_setting, nor from set_config', () => {
    expect(expressionFacts("note = 'current_setting(''app.x'')'").settingsRead).toEqual([]);
    expect(expressionFacts("set_config('app.x', 'y', true) is not null").settingsRead).toEqual([]);
  });
});

describe('other facts', () => {
  it('settings written with set_config (local or not) and SET / SET LOCAL', () => {
    const f = statementFacts("select set_config('app.tenant_id', $1, true); select set_config('App.User', 'x', false); set local app.region = 'eu'; set app.mode to 'x'; select set_config('app.dyn', 'x', $2)");
    expect(f.settingsWritten).toEqual([
      { name: 'app.tenant_id', local: true },
      { name: 'app.user', local: false },
      { name: 'app.region', local: true },
      { name: 'app.mode', local: false },
      { name: 'app.dyn', local: null },
    ]);
  });

  it('current_user, session_user and current_role, never inside a literal', () => {
    expect(expressionFacts('(owner = CURRENT_USER)').readsCurrentUser).toBe(true);
    expect(expressionFacts('(owner = SESSION_USER)').readsCurrentUser).toBe(true);
    expect(expressionFacts("(owner = 'current_user'::text)").readsCurrentUser).toBe(false);
  });

  it('relations read and written, CTE names excluded; calls with their arity and arguments', () => {
    const f = statementFacts('with m as (select * from app.members) insert into app.audit (x) select core.f(m.id, 1) from m join Teams t on true where exists (select from only public.x)');
    expect(f.relationsRead.map((r) => `${r.schema}.${r.name}`).sort()).toEqual(['app.members', 'null.teams', 'public.x']);
    expect(f.relationsWritten).toEqual([{ schema: 'app', name: 'audit' }]);
    expect(f.calls).toEqual([
      { schema: 'core', name: 'f', arity: 2, args: [{ kind: 'column', name: 'id' }, { kind: 'literal', value: '1' }], use: { path: [], test: { kind: 'read' } }, json: false },
    ]);
    expect(expressionFacts('(tenant_id = app.current_tenant_id()) AND "My Schema"."F"(x)').calls.map((c) => `${c.schema}.${c.name}/${c.arity}`)).toEqual(['app.current_tenant_id/0', 'My Schema.F/1']);
  });

  it('columns: the last part of each reference, never words inside literals or function names', () => {
    expect(expressionFacts("(d.tenant_id = x) and current_setting('app.tenant_id'::text) <> '' and app.current_tenant_id() is not null").columns).toEqual(['tenant_id', 'x']);
    expect(expressionFacts('("Org" = x)').columns).toEqual(['Org', 'x']);
  });

  it('an expression that does not parse falls back to the text, marked inexact, with the error kept', () => {
    const f = expressionFacts("current_setting('app.role') = 'admin' and (");
    expect(f.errors).toHaveLength(1);
    expect(f.settingsRead).toEqual([{ name: 'app.role', json: false, uses: [{ path: [], test: { kind: 'read' } }], exact: false }]);
  });
});
