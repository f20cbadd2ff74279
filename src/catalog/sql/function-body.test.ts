import { describe, expect, it } from 'vitest';
import { func } from '../../../tests/support/funcs.js';
import { functionBody } from './function-body.js';
import { loadParser } from './parser.js';

await loadParser();

const groupsUse = { path: [{ kind: 'key-from', source: { kind: 'parameter', name: 'p_group', position: 1 } }], test: { kind: 'contains', operator: '?', literals: ['read'] } };

describe('SQL bodies', () => {
  it('reads a string body with its parameter names; one-expression bodies are inlinable', () => {
    const b = functionBody(func({ name: 'app.can_read', args: 'p_group uuid', body: "select (current_setting('request.groups', true)::jsonb -> p_group::text) ? 'read'" }));
    expect(b.params).toEqual(['p_group']);
    expect(b.facts.settingsRead).toEqual([{ name: 'request.groups', json: true, exact: true, uses: [groupsUse] }]);
    expect(b.inline).not.toBeNull();
    expect(functionBody(func({ name: 'app.n', body: 'select count(*) from app.t' })).inline).toBeNull();
  });

  it('reads BEGIN ATOMIC and RETURN bodies (pg_get_function_sqlbody) and positional parameters', () => {
    const atomic = functionBody(func({ name: 'app.f', args: 'integer', body: "BEGIN ATOMIC\n SELECT current_setting('app.a'::text) = $1::text;\nEND" }));
    expect(atomic.facts.settingsRead.map((r) => [r.name, r.uses[0]?.test])).toEqual([['app.a', { kind: 'compared', with: { kind: 'parameter', name: '$1', position: 1 } }]]);
    const ret = functionBody(func({ name: 'app.g', body: "RETURN current_setting('app.b'::text, true)" }));
    expect(ret.facts.settingsRead.map((r) => r.name)).toEqual(['app.b']);
    expect(ret.returns).toEqual([{ kind: 'setting', origin: { name: 'app.b', path: [], json: false } }]);
  });

  it('says what a helper returns: a setting, or another function\'s result at a JSON path', () => {
    const b = functionBody(func({ name: 'auth.org_id', result: 'uuid', body: "select nullif(auth.jwt() ->> 'org_id', '')::uuid" }));
    expect(b.returns).toEqual([{ kind: 'call', call: { schema: 'auth', name: 'jwt', arity: 0, args: [] }, path: [{ kind: 'key', key: 'org_id' }], json: true }]);
  });

  it('a body the parser refuses falls back to the text, inexact, the error kept', () => {
    const b = functionBody(func({ name: 'app.broken', body: "select current_setting('app.x') = 'y' from" }));
    expect(b.facts.errors).toHaveLength(1);
    expect(b.facts.settingsRead).toMatchObject([{ name: 'app.x', exact: false }]);
  });

  it('other languages have no facts', () => {
    expect(functionBody(func({ name: 'app.c', language: 'c', body: null })).facts.settingsRead).toEqual([]);
  });
});

describe('PL/pgSQL bodies', () => {
  it('follows a setting through variables: assignment, DECLARE default and SELECT INTO', () => {
    const b = functionBody(
      func({
        name: 'app.has_group',
        args: 'p_group uuid, p_perm text',
        language: 'plpgsql',
        body: `declare
  g jsonb := current_setting('request.groups', true)::jsonb;
  perms jsonb;
  r text;
begin
  perms := g -> p_group::text;
  select current_setting('app.role', true) into r;
  if r = 'owner' then return true; end if;
  return perms ? p_perm;
end`,
      }),
    );
    expect(b.params).toEqual(['p_group', 'p_perm']);
    const groups = b.facts.settingsRead.find((r) => r.name === 'request.groups')!;
    expect(groups.json).toBe(true);
    expect(groups.uses).toContainEqual({ path: [{ kind: 'key-from', source: { kind: 'parameter', name: 'p_group', position: 1 } }], test: { kind: 'has-key', source: { kind: 'parameter', name: 'p_perm', position: 2 } } });
    expect(b.facts.settingsRead.find((r) => r.name === 'app.role')!.uses).toContainEqual({ path: [], test: { kind: 'equals', literals: ['owner'] } });
  });

  it('records writes, relations, calls, current_user, and what RETURN returns', () => {
    const b = functionBody(
      func({
        name: 'app.enter',
        args: 't uuid',
        result: 'uuid',
        language: 'plpgsql',
        body: `begin
  perform set_config('app.tenant_id', t::text, true);
  set local app.region = 'eu';
  insert into app.audit (who) values (session_user);
  perform app.touch(t);
  return nullif(current_setting('app.tenant_id', true), '')::uuid;
end`,
      }),
    );
    expect(b.facts.settingsWritten).toEqual([
      { name: 'app.tenant_id', local: true },
      { name: 'app.region', local: true },
    ]);
    expect(b.facts.relationsWritten).toEqual([{ schema: 'app', name: 'audit' }]);
    expect(b.facts.calls.map((c) => `${c.schema}.${c.name}/${c.arity}`)).toEqual(['app.touch/1']);
    expect(b.facts.readsCurrentUser).toBe(true);
    expect(b.returns).toEqual([{ kind: 'setting', origin: { name: 'app.tenant_id', path: [], json: false } }]);
  });

  it('dynamic SQL: the EXECUTEd text is searched for settings too (inexact)', () => {
    const b = functionBody(func({ name: 'app.dyn', language: 'plpgsql', result: 'void', body: "begin execute 'select current_setting(''app.secret'')'; end" }));
    expect(b.facts.settingsRead).toMatchObject([{ name: 'app.secret', exact: false }]);
    expect(b.facts.errors).toEqual([]);
  });

  it('trigger functions and procedures parse; an invalid body falls back, recorded', () => {
    expect(functionBody(func({ name: 'app.trg', language: 'plpgsql', result: 'trigger', body: "begin new.tenant_id := current_setting('app.tenant_id')::uuid; return new; end" })).facts.settingsRead.map((r) => r.name)).toEqual(['app.tenant_id']);
    const proc = { ...func({ name: 'app.p', args: 'x integer', language: 'plpgsql', body: "begin perform set_config('app.x', x::text, true); end" }), kind: 'procedure' as const, result: '' };
    expect(functionBody(proc).facts.settingsWritten).toEqual([{ name: 'app.x', local: true }]);
    const broken = functionBody(func({ name: 'app.bad', language: 'plpgsql', body: "begin retrun current_setting('app.y'); end" }));
    expect(broken.facts.errors).toHaveLength(1);
    expect(broken.facts.settingsRead).toMatchObject([{ name: 'app.y', exact: false }]);
  });
});
