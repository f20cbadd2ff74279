import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ResolvedConfig } from '../../src/config/schema.js';
import { checkIsolation } from '../../src/engine/isolation.js';
import type { TestDatabase } from '../support/database.js';
import { fixtureConfig, fixtureDatabase } from './support.js';

// The verdict is the product: each planted bug is an error naming its relation, on every seed; the
// correct relation gets none; a check that could not run is never a pass.

let t: TestDatabase;
let config: ResolvedConfig;
beforeAll(async () => {
  t = await fixtureDatabase('verdicts');
  config = await fixtureConfig('verdicts');
});
afterAll(async () => t?.drop());

const errors = (r: Awaited<ReturnType<typeof checkIsolation>>) => r.report.findings.filter((f) => f.severity === 'error');

describe('planted bugs', () => {
  it('are each reported, on every seed, and the correct relation is not', async () => {
    for (const seed of [1, 2, 3, 4, 5]) {
      const r = await checkIsolation(t.db, config, { runs: 8, seed, lint: false });
      const found = new Set(errors(r).map((f) => `${f.rule} ${f.relation}`));
      // A DELETE refused for one parent (its child's foreign key) does not mask the parents it can delete.
      expect(found, `seed ${seed}`).toContain('probe-delete vd.parents');
      // The tenant table is probed like any other.
      expect(found, `seed ${seed}`).toContain('probe-update vd.tenants');
      expect(found, `seed ${seed}`).toContain('probe-read-forged vd.group_docs');
      expect(found, `seed ${seed}`).toContain('probe-call-other-tenant vd.summary(t uuid)');
      expect([...found].filter((f) => f.endsWith(' vd.ok_docs') || f.endsWith(' vd.login_docs')), `seed ${seed}`).toEqual([]);
    }
  });

  it('names the forged JSON setting', async () => {
    const r = await checkIsolation(t.db, config, { runs: 8, seed: 1, lint: false });
    const f = errors(r).find((x) => x.rule === 'probe-read-forged' && x.relation === 'vd.group_docs');
    expect(f?.message).toContain('request.groups');
    expect(f?.reproduction).toContain("set_config('request.groups'");
  });
});

describe('the login', () => {
  it('logged in as the application\'s login, a session_user shortcut is not seen; as postgres it is, and the report says which login', async () => {
    const asApp = await checkIsolation(t.db, config, { runs: 6, seed: 2, lint: false });
    expect(errors(asApp).filter((f) => f.relation === 'vd.login_docs')).toEqual([]);
    expect(asApp.report.actors).toEqual([expect.objectContaining({ name: 'member', login: 'tpe_vd_auth', role: 'tpe_vd_member' })]);
    const asPostgres = await checkIsolation(t.db, { ...config, actors: config.actors.map((a) => ({ ...a, login: 'postgres' })) }, { runs: 6, seed: 2, lint: false });
    expect(errors(asPostgres).filter((f) => f.relation === 'vd.login_docs').map((f) => f.rule)).toContain('probe-read');
    expect(asPostgres.report.actors).toEqual([expect.objectContaining({ login: 'postgres' })]);
    expect(asPostgres.report.connectedAs).toBeTruthy();
  });
});

describe('a context that cannot be entered', () => {
  const withContext = (context: ResolvedConfig['actors'][number]['context']): ResolvedConfig => ({ ...config, actors: config.actors.map((a) => ({ ...a, context })) });

  it('stops the run with exit 2 when the context calls a function that does not exist', async () => {
    const c = withContext({ sql: 'select vd.enter_tenant($tenant)', trustedSettings: [] });
    await expect(checkIsolation(t.db, c, { runs: 3, seed: 1, lint: false })).rejects.toMatchObject({ code: 'context-failed', exitCode: 2, message: expect.stringContaining('vd.enter_tenant') });
  });

  it('stops the run with exit 2 when it switches to roles that do not exist', async () => {
    const c = withContext({ sql: 'set local role "tpe_vd_tenant_$tenant"', trustedSettings: [] });
    await expect(checkIsolation(t.db, c, { runs: 3, seed: 1, lint: false })).rejects.toMatchObject({ code: 'context-failed', exitCode: 2 });
    const reuse = withContext({ rolePerTenant: { template: 'tpe_vd_tenant_$tenant', reuse: true }, trustedSettings: [] });
    await expect(checkIsolation(t.db, reuse, { runs: 3, seed: 1, lint: false })).rejects.toMatchObject({ code: 'tenant-roles-missing', exitCode: 2 });
  });
});
