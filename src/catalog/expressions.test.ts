import { describe, expect, it } from 'vitest';
import {
  callNames,
  isConstantTrue,
  mentionsColumn,
  readsCurrentUser,
  relationNames,
  settingMatches,
  settingReads,
  splitTopLevel,
  stripLiterals,
  stripOuterParens,
} from './expressions.js';

describe('expressions', () => {
  it('splits at top-level OR / AND only', () => {
    expect(splitTopLevel('((tenant_id = app.t()) OR true)', 'OR')).toEqual(['tenant_id = app.t()', 'true']);
    expect(splitTopLevel("((a = 'x OR y') AND (b OR c))", 'OR')).toEqual(["(a = 'x OR y') AND (b OR c)"]);
    expect(splitTopLevel('(a AND (b BETWEEN 1 AND 2))', 'AND')).toEqual(['a', 'b BETWEEN 1 AND 2']);
    expect(splitTopLevel('(x)', 'OR')).toEqual(['x']);
    expect(stripOuterParens('(a) OR (b)')).toBe('(a) OR (b)');
  });

  it('recognises constant-true branches', () => {
    for (const t of ['true', '(true)', '1 = 1', "'a'::text = 'a'::text", 'NOT false']) expect(isConstantTrue(t), t).toBe(true);
    for (const t of ['is_public', '1 = 2', 'tenant_id = tenant_id']) expect(isConstantTrue(t), t).toBe(false);
  });

  it('reads settings, with JSON claim paths, even through NULLIF and casts', () => {
    expect(settingReads("(tenant_id = (NULLIF(current_setting('app.tenant_id'::text, true), ''::text))::uuid)")).toEqual([{ name: 'app.tenant_id', claims: [] }]);
    expect(settingReads("(org_id = ((NULLIF(current_setting('request.jwt.claims'::text, true), ''::text))::json ->> 'org_id'::text))::uuid")).toEqual([{ name: 'request.jwt.claims', claims: [['org_id']] }]);
    expect(settingReads("current_setting('request.jwt.claims', true)::jsonb -> 'app_metadata' ->> 'org_id'")).toEqual([{ name: 'request.jwt.claims', claims: [['app_metadata', 'org_id']] }]);
    expect(settingReads("pg_catalog.current_setting('App.Role') = 'admin'")[0]!.name).toBe('app.role');
    expect(settingReads("set_config('app.x', 'y', true)")).toEqual([]);
  });

  it('strips literals and comments before looking for names', () => {
    expect(stripLiterals("a = 'current_user' -- current_user\n/* x */ b")).toBe("a = '' \n  b");
    expect(readsCurrentUser("(owner = CURRENT_USER)")).toBe(true);
    expect(readsCurrentUser("(owner = 'current_user')")).toBe(false);
  });

  it('finds calls and relation names', () => {
    expect(callNames('(tenant_id = app.current_tenant_id()) AND "My Schema"."F"(x)')).toEqual([
      { schema: 'app', name: 'current_tenant_id' },
      { schema: 'My Schema', name: 'F' },
    ]);
    expect(relationNames('select 1 from app.members m join Teams t on true where exists (select from only public.x)')).toEqual([
      { schema: 'app', name: 'members' },
      { schema: null, name: 'teams' },
      { schema: 'public', name: 'x' },
    ]);
  });

  it('finds a column as an identifier, not inside a literal or another name', () => {
    expect(mentionsColumn('(tenant_id = app.current_tenant_id())', 'tenant_id')).toBe(true);
    expect(mentionsColumn("current_setting('app.tenant_id'::text)", 'tenant_id')).toBe(false);
    expect(mentionsColumn('(d.tenant_id = x)', 'tenant_id')).toBe(true);
    expect(mentionsColumn('app.current_tenant_id()', 'tenant_id')).toBe(false);
    expect(mentionsColumn('("Org" = x)', 'Org')).toBe(true);
  });

  it('matches settings against globs', () => {
    expect(settingMatches('request.jwt.claim.sub', 'request.jwt.claim.*')).toBe(true);
    expect(settingMatches('app.role', 'request.jwt.*')).toBe(false);
  });
});
