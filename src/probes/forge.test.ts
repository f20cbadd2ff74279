import { describe, expect, it } from 'vitest';
import type { SettingUse } from '../catalog/types.js';
import { fillForged, forgeValues, MAX_FORGED, PLACEHOLDERS, type ForgeableRead } from './forge.js';

const read = (name: string, uses: SettingUse[], json = false, claims: string[][] = []): ForgeableRead => ({ name, json, uses, claims, exact: true });
const values = (r: ForgeableRead, subject = {}) => forgeValues(r, subject).map((v) => v.value);

const groupsUse: SettingUse = { path: [{ kind: 'key-from', source: { kind: 'column', name: 'group_id' } }], test: { kind: 'contains', operator: '?', literals: ['read'] } };

describe('scalar settings', () => {
  it('the literals the code compares with, the victim ids, role-ish words; no JSON', () => {
    const v = forgeValues(read('app.role', [{ path: [], test: { kind: 'equals', literals: ['owner', 'billing'] } }]));
    expect(v.map((x) => x.value)).toEqual(['owner', 'billing', '$victim_tenant', '$victim_principal', 'admin', 'uber_admin', 'superuser', 'service_role', 'true', '1']);
    expect(v.every((x) => !x.json && x.describe.includes('app.role'))).toBe(true);
  });

  it('a list setting compared element-wise gets a list with the victim', () => {
    const v = values(read('app.tenants', [{ path: [{ kind: 'element' }], test: { kind: 'compared', with: { kind: 'column', name: 'tenant_id' } } }]));
    expect(v).toContain('$own_tenant,$victim_tenant');
    expect(v).toContain('$victim_tenant');
  });
});

describe('JSON settings, structurally', () => {
  it('the actor\'s own JSON with its ids swapped for the victim\'s, and with keys added for the victim', () => {
    const own = JSON.stringify({ 'g-own': ['read', 'write'], other: 'x' });
    const v = values(read('request.groups', [groupsUse], true), { ownTenant: 'g-own', ownValue: own });
    expect(v[0]).toBe(JSON.stringify({ [PLACEHOLDERS.victimTenant]: ['read', 'write'], other: 'x' }));
    expect(JSON.parse(v[1]!)).toEqual({ 'g-own': ['read', 'write'], other: 'x', $victim_tenant: ['read', 'write'] });
  });

  it('the value shapes the code reads: an object keyed by the row\'s column holding the tested literal', () => {
    const v = values(read('request.groups', [groupsUse], true));
    expect(v.map((x) => JSON.parse(x))).toEqual([{ $victim_tenant: ['read'] }, { $victim_principal: ['read'] }]);
  });

  it('claims compared with literals and with the row, separately and together, merged into the actor\'s own claims', () => {
    const uses: SettingUse[] = [
      { path: [{ kind: 'key', key: 'app_metadata' }, { kind: 'key', key: 'role' }], test: { kind: 'equals', literals: ['admin'] } },
      { path: [{ kind: 'key', key: 'org_id' }], test: { kind: 'compared', with: { kind: 'column', name: 'org_id' } } },
    ];
    const own = JSON.stringify({ sub: 'u-own', org_id: 'o-own', role: 'authenticated' });
    const v = values(read('request.jwt.claims', uses, true, [['app_metadata', 'role'], ['org_id']]), { ownTenant: 'o-own', ownPrincipal: 'u-own', ownValue: own }).map((x) => JSON.parse(x));
    expect(v).toContainEqual({ sub: '$victim_principal', org_id: '$victim_tenant', role: 'authenticated' });
    expect(v).toContainEqual({ app_metadata: { role: 'admin' }, org_id: '$victim_tenant' });
    expect(v).toContainEqual({ sub: 'u-own', org_id: 'o-own', role: 'authenticated', app_metadata: { role: 'admin' } });
    expect(v).toContainEqual({ app_metadata: { role: 'admin' } });
  });

  it('containment: ?| and @> literals; a key looked up by a column gets the victim as a key', () => {
    expect(values(read('a.roles', [{ path: [], test: { kind: 'contains', operator: '?|', literals: ['owner', 'admin'] } }], true))).toContain('["owner","admin"]');
    expect(values(read('a.claims', [{ path: [], test: { kind: 'contains', operator: '@>', literals: ['{"role": "admin"}'] } }], true))).toContain('{"role":"admin"}');
    expect(values(read('a.groups', [{ path: [], test: { kind: 'has-key', source: { kind: 'column', name: 'group_id' } } }], true))).toContain('["$victim_tenant"]');
  });

  it('a key computed from the actor\'s own context is the actor\'s own id', () => {
    const use: SettingUse = { path: [{ kind: 'key-from', source: { kind: 'setting', name: 'request.jwt.claims', path: ['sub'] } }, { kind: 'key', key: 'tenant' }], test: { kind: 'compared', with: { kind: 'column', name: 'tenant_id' } } };
    expect(values(read('app.perms', [use], true)).map((x) => JSON.parse(x))).toContainEqual({ $own_principal: { tenant: '$victim_tenant' } });
  });

  it('an inexact read (code that did not parse) gets JSON claims and scalar values alike; never more than the cap', () => {
    const v = values({ name: 'a.x', json: true, uses: [{ path: [], test: { kind: 'read' } }], claims: [['tenant']], exact: false });
    expect(v).toContain('{"tenant":"$victim_tenant"}');
    expect(v).toContain('admin');
    const many = read('a.y', Array.from({ length: 40 }, (_, i) => ({ path: [{ kind: 'key', key: `k${i}` }], test: { kind: 'equals', literals: [`v${i}`] } })), true);
    expect(forgeValues(many)).toHaveLength(MAX_FORGED);
  });
});

describe('what the context sets, and merging', () => {
  it('claims the actor\'s own context sets are never forged; the others are, merged into the current value', () => {
    const uses: SettingUse[] = [
      { path: [{ kind: 'key', key: 'sub' }], test: { kind: 'compared', with: { kind: 'column', name: 'user_id' } } },
      { path: [{ kind: 'key', key: 'app_metadata' }, { kind: 'key', key: 'role' }], test: { kind: 'equals', literals: ['admin'] } },
    ];
    const v = forgeValues(read('request.jwt.claims', uses, true, [['sub'], ['app_metadata', 'role']]), { skipClaims: [['sub'], ['role']] });
    expect(v.length).toBeGreaterThan(0);
    expect(v.every((x) => !x.value.includes('"sub"'))).toBe(true);
    expect(v).toContainEqual({ value: '{"app_metadata":{"role":"admin"}}', describe: "request.jwt.claims: the value at -> 'app_metadata' -> 'role' = 'admin'", json: true, merge: true });
    // Every path read is the context's own: nothing to forge.
    expect(forgeValues(read('request.jwt.claims', [uses[0]!], true, [['sub']]), { skipClaims: [['sub']] })).toEqual([]);
  });

  it('JSON nobody reads in a known way gets objects keyed, and lists holding, the victim\'s ids', () => {
    const v = forgeValues(read('app.acl', [{ path: [], test: { kind: 'read' } }], true));
    expect(v.map((x) => [x.value, x.merge ?? false])).toEqual([
      ['{"$victim_tenant":["read","write","admin","owner"]}', true],
      ['["$victim_tenant"]', false],
      ['{"$victim_principal":["read","write","admin","owner"]}', true],
      ['["$victim_principal"]', false],
    ]);
  });

  it('reads of a catalog without uses (claims only) still get the claims forged', () => {
    const v = forgeValues({ name: 'request.jwt.claims', claims: [['org_id']] });
    expect(v.map((x) => x.value)).toEqual(expect.arrayContaining(['{"org_id":"$victim_tenant"}', '{"org_id":"admin"}']));
  });
});

describe('fillForged', () => {
  it('puts one world\'s ids in place of the placeholders, escaped inside JSON', () => {
    const ids = { victimTenant: 'vt"1', victimPrincipal: 'vp', ownTenant: 'ot', ownPrincipal: 'op' };
    expect(fillForged({ value: '{"$victim_tenant":["read"],"u":"$own_principal"}', describe: '', json: true }, ids)).toBe('{"vt\\"1":["read"],"u":"op"}');
    expect(JSON.parse(fillForged({ value: '{"$victim_tenant":["read"]}', describe: '', json: true }, ids))).toEqual({ 'vt"1': ['read'] });
    expect(fillForged({ value: '$own_tenant,$victim_tenant', describe: '', json: false }, ids)).toBe('ot,vt"1');
  });
});
