import { describe, expect, it } from 'vitest';
import { evaluate, isConstantTrue, isTrueWhenUnset, type Env } from './evaluate.js';
import { frameOf, type Frame } from './nodes.js';
import { loadParser, parseExpression } from './parser.js';

await loadParser();

const tree = (expr: string): Frame => {
  const r = parseExpression(expr);
  if (!r.ok) throw new Error(r.error);
  return frameOf(r.value.node)!;
};

describe('constant true', () => {
  it.each(['true', '(true)', '1 = 1', "'a'::text = 'a'::text", 'NOT false', "'t'::boolean", 'x OR true', 'true AND 2 = 2', 'tenant_id = tenant_id', "coalesce(null, true)", "CASE WHEN 1 = 1 THEN true ELSE x END", "'1' = 1"])('%s is always true', (e) => {
    expect(isConstantTrue(tree(e))).toBe(true);
  });
  it.each(['is_public', '1 = 2', 'x AND true', "current_setting('app.x', true) = 'on'", 'null', 'tenant_id = owner_id', 'random() = random()', "app.f() = app.f()", 'NOT true'])('%s is not', (e) => {
    expect(isConstantTrue(tree(e))).toBe(false);
  });
});

describe('the session\'s identity, when known', () => {
  it('session_user and current_user become the login and the role', () => {
    const identity = { sessionUser: 'app_login', currentUser: 'app_member' };
    expect(isConstantTrue(tree("session_user = 'postgres'"), { identity })).toBe(false);
    expect(evaluate(tree("session_user = 'postgres'::name"), { identity, mode: 'unknown' })).toEqual({ k: 'const', v: false });
    expect(isConstantTrue(tree("current_user = 'app_member'::name"), { identity })).toBe(true);
    expect(isConstantTrue(tree("current_user = 'app_member'::name"))).toBe(false);
  });
});

describe('true when no setting is set (fail open)', () => {
  it.each([
    "current_setting('app.tenant_id', true) IS NULL",
    "nullif(current_setting('app.tenant_id', true), '') IS NULL",
    "current_setting('app.tenant_id', true) = ''",
    "tenant_id = coalesce(nullif(current_setting('app.tenant_id', true), '')::uuid, tenant_id)",
    "current_setting('app.tenant_id', true) IS NOT DISTINCT FROM NULL",
    "(current_setting('app.tenant_id', true) = '') IS NOT FALSE",
    "CASE WHEN current_setting('app.tenant_id', true) IS NULL THEN true ELSE tenant_id = current_setting('app.tenant_id', true)::uuid END",
    "(coalesce(nullif(current_setting('request.jwt.claims', true), ''), '{}')::jsonb ->> 'org_id') IS NULL",
  ])('%s', (e) => {
    expect(isTrueWhenUnset(tree(e))).toBe(true);
  });
  it.each([
    "tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid",
    "current_setting('app.tenant_id') IS NULL",
    "tenant_id = current_setting('app.tenant_id', true)::uuid",
    "nullif(current_setting('app.tenant_id', true), '') IS NOT NULL",
    'is_public',
  ])('not %s', (e) => {
    expect(isTrueWhenUnset(tree(e))).toBe(false);
  });

  it('asks the env about calls: a helper that is NULL when unset makes `helper() IS NULL` fail open', () => {
    const env: Omit<Env, 'mode'> = { call: (_f, _args, e) => (e.mode === 'unknown' ? undefined : { k: 'null' }) };
    expect(isTrueWhenUnset(tree('app.current_tenant_id() IS NULL'))).toBe(false);
    expect(isTrueWhenUnset(tree('app.current_tenant_id() IS NULL'), env)).toBe(true);
    expect(isTrueWhenUnset(tree('tenant_id = app.current_tenant_id()'), env)).toBe(false);
    expect(isConstantTrue(tree('app.current_tenant_id() IS NULL'), env)).toBe(false);
  });
});
