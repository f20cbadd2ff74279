import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { sql, type Queryable } from '@databases/pg';
import { check } from '../src/commands/check.js';
import { freshDatabase, type TestDatabase } from './support/database.js';
import { schemaFingerprint } from './support/fingerprint.js';
import os from 'node:os';
import { mkdtempSync, rmSync } from 'node:fs';

// `check` on a database tenantproof did not create: the tenant column is org_id, the context a JWT claim.

const fixtures = () => path.join(inject('projectRoot'), 'tests/fixtures');
let t: TestDatabase;
let reportDir: string;

beforeAll(async () => {
  t = await freshDatabase({ template: 'empty' });
  await t.db.query(sql.__dangerous__rawValue(readFileSync(path.join(fixtures(), 'foreign-org-schema.sql'), 'utf8')));
  reportDir = mkdtempSync(path.join(os.tmpdir(), 'tenantproof-check-'));
});
afterAll(async () => {
  await t?.drop();
  rmSync(reportDir, { recursive: true, force: true });
});

/** Every row of every table outside system schemas, counted: what `check` must not change. */
async function rowCounts(db: Queryable): Promise<Record<string, number>> {
  const tables = await db.query(sql`
    select n.nspname as s, c.relname as r from pg_class c join pg_namespace n on n.oid = c.relnamespace
    where c.relkind in ('r', 'p') and n.nspname not in ('pg_catalog', 'information_schema') and not starts_with(n.nspname, 'pg_')`);
  const out: Record<string, number> = {};
  for (const { s, r } of tables) {
    const [row] = await db.query(sql`select count(*)::int as n from ${sql.ident(s, r)}`);
    out[`${s}.${r}`] = row.n as number;
  }
  return out;
}

describe('tenantproof check on a foreign schema', () => {
  it('passes a correct org_id/JWT schema and leaves the database exactly as found', async () => {
    // Some data of its own, which the check must neither see as a leak nor change.
    await t.db.query(sql`insert into api.plans (code, price) values ('starter', 0), ('pro', 49)`);
    const before = { schema: await schemaFingerprint(t.db), rows: await rowCounts(t.db) };
    const r = await check({ databaseUrl: t.url, cwd: fixtures(), config: 'foreign-org-schema.config.ts', reportDir, runs: 15, seed: 3 });
    expect(r.report.findings.filter((f) => f.severity === 'error')).toEqual([]);
    expect(r.report.coverage.checks).toBeGreaterThan(50);
    expect(r.report.coverage.rows).toBeGreaterThan(0);
    // The JWT claims were what isolated the tenants: reads as `authenticated` passed on org tables.
    expect(r.report.matrix.some((c) => c.actor === 'authenticated' && c.probe === 'read' && c.status === 'pass')).toBe(true);
    expect({ schema: await schemaFingerprint(t.db), rows: await rowCounts(t.db) }).toEqual(before);
  });

  it('fails it when a policy trusts a claim the caller writes itself', async () => {
    const [table] = await t.db.query(sql`select n.nspname as s, c.relname as r from pg_class c join pg_namespace n on n.oid = c.relnamespace
      join pg_attribute a on a.attrelid = c.oid and a.attname = 'org_id' where n.nspname = 'api' and c.relkind = 'r' and c.relrowsecurity order by 1, 2 limit 1`);
    const rel = sql.ident(table!.s as string, table!.r as string);
    await t.db.query(sql`create policy trusts_role_claim on ${rel} for select to lintorg_authenticated
      using ((current_setting('request.jwt.claims', true)::json ->> 'app_role') = 'admin')`);
    try {
      const r = await check({ databaseUrl: t.url, cwd: fixtures(), config: 'foreign-org-schema.config.ts', reportDir, runs: 15, seed: 3, lint: false });
      const forged = r.report.findings.filter((f) => f.rule === 'probe-read-forged');
      expect(forged.map((f) => f.relation)).toContain(`${table!.s as string}.${table!.r as string}`);
      expect(r.report.verdict).toBe('fail');
    } finally {
      await t.db.query(sql`drop policy trusts_role_claim on ${rel}`);
    }
  });

  it('refuses to probe through a connection that is itself subject to row level security', async () => {
    const url = new URL(t.url);
    url.username = 'lintorg_authenticator';
    await expect(check({ databaseUrl: url.toString(), cwd: fixtures(), config: 'foreign-org-schema.config.ts', reportDir })).rejects.toMatchObject({ code: 'check-needs-superuser' });
  });
});
