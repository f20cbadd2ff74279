/**
 * The text heuristics that remain: the parser's fallback and config-text
 * helpers. Splitting at OR, constant-true and column mentions moved onto the
 * parse trees: see sql/branches.test.ts, sql/evaluate.test.ts and
 * sql/facts.test.ts, which cover the cases once tested here.
 */
import { describe, expect, it } from 'vitest';
import { callNames, readsCurrentUser, relationNames, settingMatches, settingReads, stripLiterals, unquoteIdent } from './expressions.js';

describe('expressions (text fallback)', () => {
  it('reads settings, with JSON claim paths, even through NULLIF and casts', () => {
    expect(settingReads("(tenant_id = (NULLIF(current_setting('app.tenant_id'::text, true), ''::text))::uuid)")).toEqual([{ name: 'app.tenant_id', claims: [] }]);
    expect(settingReads("(org_id = ((NULLIF(current_setting('request.jwt.claims'::text, true), ''::text))::json ->> 'org_id'::text))::uuid")).toEqual([{ name: 'request.jwt.claims', claims: [['org_id']] }]);
    expect(settingReads("current_setting('request.jwt.claims', true)::jsonb -> 'app_metadata' ->> 'org_id'")).toEqual([{ name: 'request.jwt.claims', claims: [['app_metadata', 'org_id']] }]);
    expect(settingReads("pg_catalog.current_setting('App.Role') = 'admin'")[0]!.name).toBe('app.role');
    expect(settingReads("set_config('app.x', 'y', true)")).toEqual([]);
  });

  it('strips literals and comments before looking for names', () => {
    expect(stripLiterals("a = 'current_user' -- current_user\n/* x */ b")).toBe("a = '' \n  b");
    expect(readsCurrentUser('(owner = CURRENT_USER)')).toBe(true);
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
    expect(unquoteIdent('"My ""X"""')).toBe('My "X"');
    expect(unquoteIdent('Teams')).toBe('teams');
  });

  it('matches settings against globs', () => {
    expect(settingMatches('request.jwt.claim.sub', 'request.jwt.claim.*')).toBe(true);
    expect(settingMatches('app.role', 'request.jwt.*')).toBe(false);
  });
});
