import { describe, expect, it } from 'vitest';
import { func, relation } from '../../../tests/support/funcs.js';
import { CallGraph, indexFunctions, resolveCall } from './call-graph.js';
import { expressionFacts } from './expression.js';
import { loadParser } from './parser.js';

await loadParser();

const call = (schema: string | null, name: string, arity: number) => ({ schema, name, arity, args: [], use: { path: [], test: { kind: 'read' as const } }, json: false });

describe('resolving calls', () => {
  const one = func({ name: 'app.f', args: 'a integer', body: 'select 1' });
  const two = func({ name: 'app.f', args: 'a integer, b integer', body: 'select 2' });
  const dflt = func({ name: 'app.g', args: 'a integer, b integer DEFAULT 0', defaults: 1, body: 'select 3' });
  const vari = func({ name: 'app.v', args: 'VARIADIC a integer[]', types: ['integer[]'], variadic: true, body: 'select 4' });
  const other = func({ name: 'lib.f', args: 'a integer', body: 'select 5' });
  const index = indexFunctions([one, two, dflt, vari, other]);

  it('by schema, name and number of arguments, defaults and VARIADIC counted', () => {
    expect(resolveCall(index, call('app', 'f', 1))).toEqual([one]);
    expect(resolveCall(index, call('app', 'f', 2))).toEqual([two]);
    expect(resolveCall(index, call('app', 'f', 3))).toEqual([]);
    expect(resolveCall(index, call('app', 'g', 1))).toEqual([dflt]);
    expect(resolveCall(index, call('app', 'g', 2))).toEqual([dflt]);
    expect(resolveCall(index, call('app', 'v', 5))).toEqual([vari]);
    expect(resolveCall(index, call('app', 'v', 0))).toEqual([]);
  });

  it('unqualified: in the search_path when one is fixed, else in any schema; -1 (from text) matches any arity', () => {
    expect(resolveCall(index, call(null, 'f', 1), ['lib'])).toEqual([other]);
    expect(resolveCall(index, call(null, 'f', 1), null)).toEqual([one, other]);
    expect(resolveCall(index, call('app', 'f', -1))).toEqual([one, two]);
  });
});

describe('settings through the whole call graph', () => {
  it('follows every level, keeps the chain, and maps arguments into the callee\'s uses', () => {
    const uid = func({ name: 'auth.uid', result: 'uuid', body: "select nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'sub'" });
    const groups = func({ name: 'app.groups', result: 'jsonb', body: "select current_setting('request.groups', true)::jsonb" });
    const has = func({
      name: 'app.has_group_access',
      args: 'p_group uuid, p_perm text',
      language: 'plpgsql',
      body: 'begin if auth.uid() is null then return false; end if; return (app.groups() -> p_group::text) ? p_perm; end',
    });
    const graph = new CallGraph([uid, groups, has], []);
    const own = graph.resolve(has);
    expect(own.reads.map((r) => [r.name, r.via, r.chain])).toEqual([
      ['request.groups', 'app.groups()', ['app.has_group_access(p_group uuid, p_perm text)', 'app.groups()']],
      ['request.jwt.claims', 'auth.uid()', ['app.has_group_access(p_group uuid, p_perm text)', 'auth.uid()']],
    ]);
    // In a policy: the row's group_id and the literal 'read' flow into the uses.
    const policy = graph.expression(expressionFacts("app.has_group_access(group_id, 'read'::text)"));
    const g = policy.reads.find((r) => r.name === 'request.groups')!;
    expect(g.chain).toEqual(['app.has_group_access(p_group uuid, p_perm text)', 'app.groups()']);
    expect(g.json).toBe(true);
    expect(g.uses).toContainEqual({ path: [{ kind: 'key-from', source: { kind: 'column', name: 'group_id' } }], test: { kind: 'contains', operator: '?', literals: ['read'] } });
    const jwt = policy.reads.find((r) => r.name === 'request.jwt.claims')!;
    expect(jwt.claims).toEqual([['sub']]);
    expect(jwt.uses).toContainEqual({ path: [{ kind: 'key', key: 'sub' }], test: { kind: 'null-test' } });
  });

  it('a helper\'s returned value is used where the helper is called (auth.org_id() -> auth.jwt() -> the claims)', () => {
    const jwt = func({ name: 'auth.jwt', result: 'jsonb', body: "select coalesce(nullif(current_setting('request.jwt.claims', true), ''), '{}')::jsonb" });
    const org = func({ name: 'auth.org_id', result: 'uuid', body: "select nullif(auth.jwt() ->> 'org_id', '')::uuid" });
    const graph = new CallGraph([jwt, org], []);
    const r = graph.expression(expressionFacts('(org_id = auth.org_id())')).reads[0]!;
    expect(r).toMatchObject({ name: 'request.jwt.claims', via: 'auth.jwt()', chain: ['auth.org_id()', 'auth.jwt()'], json: true, claims: [['org_id']] });
    expect(r.uses).toContainEqual({ path: [{ kind: 'key', key: 'org_id' }], test: { kind: 'compared', with: { kind: 'column', name: 'org_id' } } });
  });

  it('is cycle-safe: mutually recursive functions each see both reads, whichever is asked first', () => {
    for (const order of [0, 1]) {
      const a = func({ name: 'app.a', args: 'n integer', language: 'plpgsql', body: "begin if n > 0 then return app.b(n - 1); end if; return current_setting('app.x') = 'y'; end" });
      const b = func({ name: 'app.b', args: 'n integer', language: 'plpgsql', body: "begin perform current_setting('app.z'); return app.a(n); end" });
      const graph = new CallGraph([a, b], []);
      const [first, second] = order === 0 ? [a, b] : [b, a];
      graph.resolve(first);
      for (const f of [first, second]) expect(graph.resolve(f).reads.map((r) => r.name)).toEqual(['app.x', 'app.z']);
    }
  });

  it('writes and relations read, through calls', () => {
    const inner = func({ name: 'app.inner', args: 't text', result: 'void', body: "select set_config('app.tenant_id', t, true) from app.memberships" });
    const outer = func({ name: 'app.enter', args: 't text', result: 'void', language: 'plpgsql', body: 'begin perform app.inner(t); end' });
    const graph = new CallGraph([inner, outer], [relation('app.memberships'), relation('other.memberships')]);
    const r = graph.resolve(outer);
    expect(r.writes).toEqual([{ name: 'app.tenant_id', via: 'app.inner(t text)', chain: ['app.enter(t text)', 'app.inner(t text)'], local: true }]);
    expect(r.relations).toEqual([{ relation: 'app.memberships', chain: ['app.enter(t text)', 'app.inner(t text)'] }]);
  });
});
