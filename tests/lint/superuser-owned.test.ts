/**
 * Issue 13's "Done when" for the lint: a schema owned by a superuser, ENABLEd and not FORCEd,
 * with no path from any actor or login to the owner, gets no error; the false-alarm classes it
 * contains (FORCE, FOR ALL without WITH CHECK, SECURITY DEFINER helpers that check membership
 * or a token, the API login's declared route to a BYPASSRLS role) are reported as info at most.
 * Variants that open a real path must still be errors.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Catalog } from '../../src/catalog/index.js';
import type { Finding } from '../../src/findings/types.js';
import { configWith, expectFinding, fixtureDatabase, lintWith, ofRule, uniqueRole, type FixtureDatabase } from './support/harness.js';

let fx: FixtureDatabase;
let clean: { findings: Finding[]; catalog: Catalog };

beforeAll(async () => {
  fx = await fixtureDatabase('superuser-owned-schema.sql', 'superuser-owned-schema.config.ts');
  clean = await lintWith(fx, []);
});
afterAll(async () => {
  await fx?.drop();
});

const bySeverity = (findings: Finding[], severity: Finding['severity']) => findings.filter((f) => f.severity === severity).map((f) => `${f.id}: ${f.message}`);
const TABLES = ['acct.account_user', 'acct.accounts', 'acct.invitations', 'acct.notes'];

describe('a superuser-owned schema, ENABLEd and not FORCEd, with no path to the owner', () => {
  it('is what it says: every tenant table owned by a superuser, enabled, not forced', () => {
    const tables = clean.catalog.relations.filter((r) => TABLES.includes(r.qualifiedName));
    expect(tables.map((r) => r.qualifiedName).sort()).toEqual(TABLES);
    for (const r of tables) {
      expect(r.rls).toEqual({ enabled: true, forced: false });
      expect(clean.catalog.roles.find((x) => x.name === r.owner)?.superuser).toBe(true);
    }
  });

  it('gets no error and no warning', () => {
    expect(bySeverity(clean.findings, 'error')).toEqual([]);
    expect(bySeverity(clean.findings, 'warning')).toEqual([]);
  });

  it('reports each false-alarm class as info, so a reviewer still sees it', () => {
    const forced = ofRule(clean.findings, 'rls-not-forced');
    expect(forced.map((f) => f.relation).sort()).toEqual(TABLES);
    expect(forced.every((f) => f.severity === 'info' && f.message.includes('FORCE has no effect on a superuser'))).toBe(true);
    const definers = ofRule(clean.findings, 'security-definer-exposed');
    expect(definers.map((f) => f.object).sort()).toEqual(['function acct.accept_invitation(lookup_token text)', 'function acct.has_role_on_account(account uuid)', 'function acct.notes_of(account uuid)']);
    expect(definers.every((f) => f.severity === 'info' && f.actor === 'authenticated' && f.message.startsWith('review:'))).toBe(true);
    // The API login's route to the service role, for both actors it serves, with the declared reason.
    const bypass = ofRule(clean.findings, 'actor-bypasses-rls');
    expect(bypass.map((f) => [f.actor, f.severity, f.object])).toEqual([
      ['anon', 'info', 'role lintsu_service'],
      ['authenticated', 'info', 'role lintsu_service'],
    ]);
    expect(bypass.every((f) => f.message.includes('server-side API keys act as the service role'))).toBe(true);
    expect(ofRule(clean.findings, 'write-without-check')).toEqual([]);
  });
});

describe('variants with a real path are still errors', () => {
  it("the login may SET ROLE to a non-superuser owner of a table: rls-not-forced is an error there, and only there", async () => {
    const owner = uniqueRole('lintsu_owner');
    const { findings } = await lintWith(fx, [`create role ${owner} nologin`, `alter table acct.notes owner to ${owner}`, `grant ${owner} to lintsu_authenticator`]);
    const f = expectFinding(findings, { rule: 'rls-not-forced', relation: 'acct.notes', severity: 'error' });
    expect(f.message).toContain(`authenticated through its login lintsu_authenticator reaches ${owner}`);
    expect(ofRule(findings, 'rls-not-forced').filter((x) => x.severity === 'error').map((x) => x.relation)).toEqual(['acct.notes']);
    expectFinding(findings, { rule: 'actor-member-of-owner', actor: 'authenticated', object: `role ${owner}`, severity: 'error' });
  });

  it('the login may SET ROLE to the superuser owner: actor-bypasses-rls is the error', async () => {
    const owner = clean.catalog.relations.find((r) => r.qualifiedName === 'acct.notes')!.owner;
    const { findings } = await lintWith(fx, [`grant "${owner}" to lintsu_authenticator`]);
    expectFinding(findings, { rule: 'actor-bypasses-rls', actor: 'authenticated', object: `role ${owner}`, severity: 'error' });
  });

  it("the login's route to the service role, undeclared: an error for every actor that logs in through it", async () => {
    const { findings } = await lintWith(fx, [], configWith(fx, (c) => ({ ...c, platformRoles: [] })));
    expect(ofRule(findings, 'actor-bypasses-rls').map((f) => [f.actor, f.severity])).toEqual([
      ['anon', 'error'],
      ['authenticated', 'error'],
    ]);
  });
});
