/**
 * A schema nobody here wrote (tenant column org_id, JWT-claims context,
 * Supabase-style roles): silent when correct, and the same rules fire on its
 * planted pitfalls, found through the config alone.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Catalog } from '../../src/catalog/index.js';
import type { Finding } from '../../src/findings/types.js';
import { fixtureDatabase, lintWith, type FixtureDatabase } from './support/harness.js';

let fx: FixtureDatabase;
let clean: { findings: Finding[]; catalog: Catalog };

beforeAll(async () => {
  fx = await fixtureDatabase('foreign-org-schema.sql', 'foreign-org-schema.config.ts');
  clean = await lintWith(fx, []);
});
afterAll(async () => {
  await fx?.drop();
});

function has(findings: Finding[], rule: string, relation: string | null, actor: string | null): boolean {
  return findings.some((f) => f.rule === rule && f.relation === relation && f.actor === actor);
}

describe('foreign org_id / JWT schema', () => {
  it('is silent when correct', () => {
    expect(clean.findings.map((f) => `${f.id}: ${f.message}`)).toEqual([]);
  });

  it('finds its tenancy from the config alone', () => {
    const scope = Object.fromEntries(clean.catalog.relations.map((r) => [r.qualifiedName, r.tenancy?.kind ?? null]));
    expect(scope).toEqual({
      'api.orgs': 'tenant-table',
      'api.members': 'direct',
      'api.invoices': 'direct',
      'api.line_items': 'indirect',
      'api.plans': null,
    });
    expect(clean.catalog.tenancy).toMatchObject({ tenantColumn: 'org_id', tenantTable: 'api.orgs', tenantKey: 'id', tenantTableSource: 'inferred' });
  });

  it('reads the JWT claim path of inline policies', () => {
    const members = clean.catalog.relations.find((r) => r.qualifiedName === 'api.members')!;
    expect(members.policies[0]!.settings).toEqual([
      {
        name: 'request.jwt.claims',
        via: null,
        chain: [],
        claims: [['org_id']],
        json: true,
        exact: true,
        uses: [{ path: [{ kind: 'key', key: 'org_id' }], test: { kind: 'compared', with: { kind: 'column', name: 'org_id' } } }],
      },
    ]);
    // Through auth.org_id() -> auth.jwt(): the claim path and the comparison survive both calls.
    const orgs = clean.catalog.relations.find((r) => r.qualifiedName === 'api.orgs')!.policies[0]!.settings;
    expect(orgs.map((s) => [s.name, s.chain, s.claims])).toEqual([['request.jwt.claims', ['auth.org_id()', 'auth.jwt()'], [['org_id']]]]);
    expect(orgs[0]!.uses).toContainEqual({ path: [{ kind: 'key', key: 'org_id' }], test: { kind: 'compared', with: { kind: 'column', name: 'id' } } });
  });

  it.each([
    {
      rule: 'fail-open-null-check',
      sql: ['alter policy members_read on api.members using (auth.org_id() is null or org_id = auth.org_id())'],
      relation: 'api.members',
      actor: 'authenticated',
    },
    {
      rule: 'policy-trusts-forgeable-setting',
      sql: ["create policy invoices_support on api.invoices for select to lintorg_authenticated using (current_setting('app.support_mode', true) = 'on')"],
      relation: 'api.invoices',
      actor: 'authenticated',
    },
    {
      rule: 'permissive-widening',
      sql: ["create policy invoices_service on api.invoices for select to lintorg_authenticated using ((auth.jwt() ->> 'role') = 'service_role')"],
      relation: 'api.invoices',
      actor: 'authenticated',
    },
    {
      rule: 'permissive-widening',
      sql: ['alter policy line_items_read on api.line_items using (exists (select from api.invoices))'],
      relation: 'api.line_items',
      actor: 'authenticated',
    },
    { rule: 'rls-not-enabled', sql: ['alter table api.line_items disable row level security'], relation: 'api.line_items', actor: null },
    { rule: 'policy-always-true', sql: ['alter policy invoices_write on api.invoices with check (true)'], relation: 'api.invoices', actor: 'authenticated' },
    {
      rule: 'none-actor-reaches-tenant-data',
      sql: ['grant select on api.members to lintorg_anon', 'create policy members_anon on api.members for select to lintorg_anon using (org_id = auth.org_id())'],
      relation: 'api.members',
      actor: 'anon',
    },
    { rule: 'actor-bypasses-rls', sql: ['grant lintorg_service to lintorg_authenticated'], relation: null, actor: 'authenticated' },
    {
      rule: 'fk-omits-tenant-column',
      sql: ['alter table api.members add column last_invoice uuid references api.invoices (id)'],
      relation: 'api.members',
      actor: null,
    },
    {
      rule: 'policy-trusts-forgeable-setting',
      sql: [
        "create or replace function auth.org_id() returns uuid language sql stable as $$ select nullif(coalesce(current_setting('request.jwt.claim.org_id', true), auth.jwt() ->> 'org_id'), '')::uuid $$",
      ],
      relation: 'api.orgs',
      actor: 'authenticated',
    },
  ])('$rule fires on a planted pitfall ($relation)', async ({ rule, sql, relation, actor }) => {
    const { findings } = await lintWith(fx, sql);
    expect(has(findings, rule, relation, actor), findings.map((f) => f.id).join('\n')).toBe(true);
  });

  it('a per-claim setting read only as the fallback of the JWT claims (older PostgREST) decides nothing: no finding', async () => {
    const { findings, catalog } = await lintWith(fx, [
      "create or replace function auth.org_id() returns uuid language sql stable as $$ select nullif(coalesce(nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'org_id', current_setting('request.jwt.claim.org_id', true)), '')::uuid $$",
    ]);
    const perClaim = catalog.functions.find((f) => f.signature === 'auth.org_id()')!.settings.find((s) => s.name === 'request.jwt.claim.org_id')!;
    expect(perClaim.uses.every((u) => u.fallbackOf?.includes('request.jwt.claims'))).toBe(true);
    expect(findings.map((f) => f.id)).toEqual([]);
  });
});
