/**
 * A JSON setting written by a pre-request function (request.groups), trusted
 * by a policy helper that also reads the trusted JWT: the catalog finds the
 * setting through the call graph with the shape the code reads, and the lint
 * calls the policy forgeable. The same design checking the membership table
 * instead is constrained: no finding.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Catalog, Policy } from '../../src/catalog/index.js';
import { settingsWrittenBy } from '../../src/catalog/index.js';
import type { Finding } from '../../src/findings/types.js';
import { configWith, fixtureDatabase, lintWith, type FixtureDatabase } from './support/harness.js';

let fx: FixtureDatabase;
let clean: { findings: Finding[]; catalog: Catalog };

beforeAll(async () => {
  fx = await fixtureDatabase('json-groups-schema.sql', 'json-groups-schema.config.ts');
  clean = await lintWith(fx, []);
});
afterAll(async () => {
  await fx?.drop();
});

function policy(c: Catalog, relation: string, name: string): Policy {
  const p = c.relations.find((r) => r.qualifiedName === relation)?.policies.find((x) => x.name === name);
  if (!p) throw new Error(`no policy ${relation}.${name}`);
  return p;
}

describe('a JSON setting the actor can write, trusted through a helper', () => {
  it('the catalog reads it through the helper, keyed by the row\'s group and tested for \'read\'', () => {
    const groups = policy(clean.catalog, 'api.files', 'files_read').settings.find((s) => s.name === 'request.groups');
    expect(groups).toMatchObject({ via: 'api.has_group_access(p_group uuid, p_perm text)', chain: ['api.has_group_access(p_group uuid, p_perm text)'], json: true, exact: true });
    expect(groups!.uses).toEqual([{ path: [{ kind: 'key-from', source: { kind: 'column', name: 'group_id' } }], test: { kind: 'contains', operator: '?', literals: ['read'] } }]);
    // The same helper reads the trusted JWT too.
    expect(policy(clean.catalog, 'api.files', 'files_read').settings.map((s) => s.name)).toEqual(['request.groups', 'request.jwt.claims']);
  });

  it('knows which function writes it', () => {
    const pre = clean.catalog.functions.find((f) => f.signature === 'api.pre_request()')!;
    expect(settingsWrittenBy(pre)).toEqual(['request.groups']);
    expect(pre.settingsWritten).toEqual([{ name: 'request.groups', via: 'api.pre_request()', chain: ['api.pre_request()'], local: true }]);
  });

  it('is forgeable, although the same function reads the JWT', () => {
    const f = clean.findings.filter((x) => x.rule === 'policy-trusts-forgeable-setting');
    expect(f.map((x) => [x.relation, x.actor, x.object])).toEqual([['api.files', 'member', 'policy api.files.files_read']]);
    expect(f[0]!.message).toContain('request.groups');
    expect(clean.findings.filter((x) => x.rule === 'permissive-widening')).toEqual([]);
  });

  it('a helper that checks the membership table is constrained: no finding on files_safe or groups', () => {
    expect(clean.findings.filter((x) => x.relation === 'api.files_safe' || x.relation === 'api.groups')).toEqual([]);
  });

  it('declared trusted, the setting is no longer forgeable', async () => {
    const trusted = configWith(fx, (c) => ({ ...c, tenancy: { ...c.tenancy, trustedSettings: ['request.groups'] } }));
    const { findings } = await lintWith(fx, [], trusted);
    expect(findings.filter((x) => x.rule === 'policy-trusts-forgeable-setting')).toEqual([]);
  });

  it('a helper calling the forgeable one is forgeable too (the whole call graph)', async () => {
    const { findings } = await lintWith(fx, [
      'set local role jgfx_owner',
      "create function api.can_see(p uuid) returns boolean language sql stable as $$ select api.is_member(p) and api.has_group_access(p, 'write') $$",
      'grant execute on function api.can_see(uuid) to jgfx_authenticated',
      'alter policy files_safe_read on api.files_safe using (api.can_see(group_id))',
      'reset role',
    ]);
    expect(findings.filter((x) => x.rule === 'policy-trusts-forgeable-setting').map((x) => x.relation)).toEqual(['api.files', 'api.files_safe']);
  });
});
