import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { sql } from '@databases/pg';
import { loadConfig, unwrapConfig } from '../src/config/load.js';
import type { ResolvedConfig } from '../src/config/schema.js';
import { openPool } from '../src/db/pool.js';
import { checkIsolation } from '../src/engine/isolation.js';
import type { Finding } from '../src/findings/types.js';
import { DYNAMIC_RULE_IDS } from '../src/probes/ids.js';
import { freshDatabase } from './support/database.js';
import { CORRECT_VARIANTS, MUTATIONS, WARNING_MUTATIONS, type Mutation } from './mutations/catalog.js';
import { tempProject, type TempProject } from './support/temp-project.js';
import { resetDatabase } from '../src/migrate/index.js';
import { readdirSync, rmSync } from 'node:fs';

// Proof of teeth: every planted pitfall fails the gate through the rule or probe that names it,
// and the probes alone catch every one that leaks data at run time.

// Worlds per run: a planted leak shows within a few worlds; the full schema makes each world big.
const RUNS = 8;
let base: ResolvedConfig;
const kills: Array<{ id: string; lint: boolean; probes: boolean | null; both: boolean }> = [];

// The mutations plant bugs in the core tables: they run on the core migrations (000001-000003) so that each
// world stays small; the unmutated check below runs on the whole reference schema.
let coreTemplate: string;
let coreProject: TempProject;

beforeAll(async () => {
  base = unwrapConfig(await loadConfig(path.join(inject('projectRoot'), 'tenantproof.config.ts')));
  coreProject = tempProject();
  const committed = path.join(coreProject.root, 'migrations', 'committed');
  for (const f of readdirSync(committed).filter((f) => f >= '000004')) rmSync(path.join(committed, f));
  const target = coreProject.target();
  await resetDatabase(target);
  coreTemplate = target.database;
});

afterAll(async () => {
  await coreProject?.cleanup();
  if (kills.length === 0) return;
  const rate = (xs: boolean[]) => `${xs.filter(Boolean).length}/${xs.length}`;
  const leaking = kills.filter((k) => k.probes !== null);
  console.log(
    [
      `mutation kill rates (${kills.length} mutations, ${leaking.length} leaking at run time):`,
      `  lint alone:   ${rate(kills.map((k) => k.lint))}`,
      `  probes alone: ${rate(leaking.map((k) => k.probes!))} of the leaking ones`,
      `  both:         ${rate(kills.map((k) => k.both))}`,
    ].join('\n'),
  );
});

const errorsOf = (findings: Finding[]) => findings.filter((f) => f.severity === 'error');

/** A fresh copy of the reference schema with the mutation applied, and the config to check it with. */
async function mutated(m: Pick<Mutation, 'sql' | 'ownMemberRole' | 'config'>) {
  const t = await freshDatabase({ templateName: coreTemplate });
  const suffix = randomBytes(4).toString('hex');
  const member = `tpm_member_${suffix}`;
  const roles: string[] = [];
  const subst = (s: string) => s.replaceAll('$member', member);
  let config = base;
  if (m.ownMemberRole) {
    // Roles are shared by every database of the server: plant role bugs on roles of our own.
    await t.db.query(sql`create role ${sql.ident(member)} nologin`);
    await t.db.query(sql`grant tp_member to ${sql.ident(member)}`);
    // The application logs in as tp_app and switches to the member's role.
    await t.db.query(sql`grant ${sql.ident(member)} to tp_app`);
    roles.push(member);
    config = { ...config, actors: config.actors.map((a) => (a.role === 'tp_member' ? { ...a, role: member } : a)) };
  }
  for (const stmt of m.sql) {
    const text = subst(stmt);
    const created = /^create role (\S+)/.exec(text);
    if (created) roles.unshift(created[1]!);
    await t.db.query(sql.__dangerous__rawValue(text));
  }
  if (m.config) config = m.config(config);
  return {
    db: t.db,
    config,
    cleanup: async () => {
      await t.drop();
      if (roles.length === 0) return;
      const admin = await openPool({ connectionString: inject('serverUrl'), poolSize: 1, warm: 1 });
      try {
        for (const r of roles) await admin.query(sql`drop role if exists ${sql.ident(r)}`);
      } finally {
        await admin.dispose();
      }
    },
  };
}

describe('the reference schema, unmutated', () => {
  it('gives zero errors over 50 worlds of two seeds, with every tenant table read and judged', async () => {
    const t = await freshDatabase();
    try {
      for (const seed of [1, 2]) {
        // One run of many worlds, not many runs of few: each run builds its checks and runner once.
        const { report, catalog } = await checkIsolation(t.db, base, { runs: 25, seed });
        expect(errorsOf(report.findings), `seed ${seed}`).toEqual([]);
        expect(report.coverage.checks).toBeGreaterThan(1000);
        expect(report.coverage.rows).toBeGreaterThan(0);
        // Not vacuous: every tenant table (partitions aside) had a read that held, for the member.
        const tables = catalog.relations.filter((r) => r.tenancy && r.kind !== 'view' && r.partitionOf === null && r.inScope).map((r) => r.qualifiedName);
        const held = new Set(report.matrix.filter((c) => c.probe === 'read' && c.actor === 'member' && c.status === 'pass').map((c) => c.relation));
        expect(
          tables.filter((r) => !held.has(r)),
          `seed ${seed}`,
        ).toEqual([]);
      }
    } finally {
      await t.drop();
    }
  });
});

// One run per mutation, lint and probes together, as the gate runs them. The probes never read the
// lint's findings (src/engine/isolation.ts runs them apart), and every finding names the half that
// made it (a lint rule, or a dynamic rule id): "the probes alone" are the run's dynamic findings, and
// "the lint alone" its lint findings, exactly what a run with the other half switched off reports.
const DYNAMIC = new Set(DYNAMIC_RULE_IDS);
const dynamicOf = (findings: Finding[]) => findings.filter((f) => DYNAMIC.has(f.rule));
const lintOf = (findings: Finding[]) => findings.filter((f) => !DYNAMIC.has(f.rule));

describe('mutations that must fail the gate', () => {
  expect(MUTATIONS.length).toBeGreaterThanOrEqual(20);
  for (const m of MUTATIONS) {
    it(`${m.id} (pitfall ${m.pitfall}) is caught by ${m.expect.join(' or ')}`, async () => {
      // What the probes must catch is a probe's rule, or "the probes alone" would prove nothing.
      expect((m.probes ?? []).filter((r) => !DYNAMIC.has(r))).toEqual([]);
      const { db, config, cleanup } = await mutated(m);
      try {
        const both = await checkIsolation(db, config, { runs: RUNS, seed: 7 });
        const named = errorsOf(both.report.findings).filter((f) => m.expect.includes(f.rule));
        expect(both.report.verdict).toBe('fail');
        expect(
          named.map((f) => f.rule),
          `errors: ${errorsOf(both.report.findings)
            .map((f) => f.rule)
            .join(', ')}`,
        ).not.toEqual([]);
        let probesCaught: boolean | null = null;
        if (m.probes) {
          const probeErrors = errorsOf(dynamicOf(both.report.findings));
          const caught = probeErrors.filter((f) => m.probes!.includes(f.rule));
          probesCaught = caught.length > 0;
          expect(
            caught.map((f) => f.rule),
            `probe errors: ${probeErrors.map((f) => f.rule).join(', ')}`,
          ).not.toEqual([]);
          // A leak found by a probe comes with SQL that replays it.
          expect(caught[0]!.reproduction).toMatch(/^-- tenantproof:/);
        }
        kills.push({ id: m.id, lint: errorsOf(lintOf(both.report.findings)).length > 0, probes: probesCaught, both: both.report.verdict === 'fail' });
      } finally {
        await cleanup();
      }
    });
  }
});

describe('side channels are reported as warnings', () => {
  for (const m of WARNING_MUTATIONS) {
    it(`${m.id} (pitfall ${m.pitfall}) is reported by ${m.expect.join(' or ')}`, async () => {
      expect((m.probes ?? []).filter((r) => !DYNAMIC.has(r))).toEqual([]);
      const { db, config, cleanup } = await mutated(m);
      try {
        const { report } = await checkIsolation(db, config, m.probes ? { runs: RUNS, seed: 7 } : { probes: false });
        expect(
          lintOf(report.findings)
            .filter((f) => m.expect.includes(f.rule))
            .map((f) => f.severity),
        ).toContain('warning');
        if (m.probes) {
          // Seen at run time too, as a warning: the gate still passes.
          expect(
            dynamicOf(report.findings)
              .filter((f) => m.probes!.includes(f.rule))
              .map((f) => f.severity),
          ).toContain('warning');
          expect(report.verdict).toBe('pass');
        }
      } finally {
        await cleanup();
      }
    });
  }
});

// Issue 13's false alarms: correct designs the lint used to call errors. Kept apart from the mutations above.
describe('correct variants give no error', () => {
  for (const v of CORRECT_VARIANTS) {
    it(`${v.id}: ${v.why}`, async () => {
      const { db, config, cleanup } = await mutated(v);
      try {
        const { report } = await checkIsolation(db, config, { runs: RUNS, seed: 7 });
        expect(errorsOf(report.findings).map((f) => `${f.id}: ${f.message}`)).toEqual([]);
        for (const rule of v.reported)
          expect(
            report.findings.filter((f) => f.rule === rule).map((f) => f.severity),
            rule,
          ).not.toEqual([]);
        // The reference config's declared platform path (tp_app -> tp_platform) is info on every run: not about the variant.
        const declared = (f: Finding) => f.severity === 'info' && f.message.includes('declared in platformRoles');
        expect(report.findings.filter((f) => v.silent.includes(f.rule) && !declared(f))).toEqual([]);
        const held = new Set(report.matrix.filter((c) => c.relation === 'app.documents' && c.status === 'pass').map((c) => c.probe));
        expect(
          v.proven.filter((p) => !held.has(p)),
          'probes that did not pass on app.documents',
        ).toEqual([]);
      } finally {
        await cleanup();
      }
    });
  }
});
