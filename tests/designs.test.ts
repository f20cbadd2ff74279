/**
 * Issue 12, "Done when": for each real-world tenancy design there is a fixture
 * with planted bugs and correct relations (tests/fixtures/designs), and `init`
 * proposes a config that, unedited, makes `check` report every planted bug as
 * an error naming its relation, and no error on any other relation.
 *
 * First the fixture's own hand checks run (the oracle: SQL in its header that
 * shows each leak, and each correct relation holding, on a real server); then
 * init reads the fixture's database and check runs with its proposal as is.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { check } from '../src/commands/check.js';
import { init, type InitResult } from '../src/commands/init.js';
import type { GateResult } from '../src/commands/gate.js';
import { DESIGNS, handChecks, loadDesign, namesBug, runSqlText, type Design } from './fixtures/designs/index.js';
import { freshDatabase, type TestDatabase } from './support/database.js';

const RUNS = 25;
const SEED = 12;

const scratch: string[] = [];
const tempDir = () => {
  const d = mkdtempSync(path.join(os.tmpdir(), 'tenantproof-designs-'));
  scratch.push(d);
  return d;
};
afterAll(() => {
  for (const d of scratch) rmSync(d, { recursive: true, force: true });
});

/** init's proposal for the fixture's database, written where check reads it. */
async function propose(t: TestDatabase): Promise<{ r: InitResult; dir: string }> {
  const dir = tempDir();
  const r = await init({ databaseUrl: t.url, dryRun: true, cwd: dir });
  writeFileSync(path.join(dir, 'tenantproof.config.ts'), r.text);
  return { r, dir };
}

const runCheck = (t: TestDatabase, dir: string, config = 'tenantproof.config.ts') =>
  check({ databaseUrl: t.url, cwd: dir, config, reportDir: path.join(dir, 'reports'), runs: RUNS, seed: SEED });

const errors = (result: GateResult) => result.report.findings.filter((f) => f.severity === 'error');
const describeFinding = (f: GateResult['report']['findings'][number]) => `${f.rule} ${f.relation ?? '-'} ${f.actor ?? '-'}: ${f.message}`;

/** A database of the describe block's own with the design loaded, and init's proposal for it. */
function withDesign(d: Design): { t: TestDatabase; proposal: { r: InitResult; dir: string } } {
  const state = {} as { t: TestDatabase; proposal: { r: InitResult; dir: string } };
  beforeAll(async () => {
    state.t = await freshDatabase({ template: 'empty' });
    await loadDesign(state.t.url, d);
    state.proposal = await propose(state.t);
  });
  afterAll(async () => state.t?.drop());
  return state;
}

describe.each(DESIGNS)('design $name', (d: Design) => {
  const s = withDesign(d);

  it('the hand checks in the fixture header hold on a real server (every planted leak shows, every correct relation holds)', async () => {
    await expect(runSqlText(s.t.url, handChecks(d))).resolves.toBeUndefined();
  });

  it("check with init's proposal, unedited, reports every planted bug as an error naming its relation, and no error on any other relation", async () => {
    const result = await runCheck(s.t, s.proposal.dir);
    const actorOf = new Map(s.proposal.r.proposal.actors.map((a) => [a.role, a.name]));
    const found = errors(result);
    // Every problem at once, so that a failing run says all that is wrong with it.
    const problems: string[] = [];
    for (const bug of d.planted) {
      const actor = actorOf.get(bug.role);
      if (!actor) problems.push(`${bug.id}: init proposes no actor for ${bug.role}`);
      const hits = found.filter((f) => namesBug(f.relation, bug) && bug.rules.includes(f.rule) && (f.actor === actor || f.actor === null || f.actor === undefined));
      if (hits.length === 0) problems.push(`${bug.id} not reported: no ${bug.rules.join(' or ')} error on ${bug.relation} for ${actor ?? bug.role} (${bug.leak})`);
    }
    for (const f of found.filter((x) => x.relation && !d.planted.some((b) => namesBug(x.relation, b)))) problems.push(`error on a relation with no planted bug: ${describeFinding(f)}`);
    // Not vacuous: every correct relation was judged by a check that held, for the tenant actor, and
    // that actor saw its own rows there (a context that enters nobody hides everything and "holds").
    const tenantActors = new Set(s.proposal.r.proposal.actors.filter((a) => a.expect === 'tenant').map((a) => a.name));
    for (const relation of d.correct) {
      if (!result.report.matrix.some((c) => c.relation === relation && tenantActors.has(c.actor) && c.status === 'pass')) problems.push(`${relation}: no check held for a tenant actor`);
    }
    for (const f of result.report.findings.filter((x) => x.rule === 'probe-over-restriction' && x.relation && d.correct.includes(x.relation) && x.actor && tenantActors.has(x.actor))) {
      problems.push(`the tenant actor did not see its own rows: ${describeFinding(f)}`);
    }
    expect(problems).toEqual([]);
  });
});

describe('the login: session_user is the login the application uses, not the checking superuser', () => {
  const s = withDesign(DESIGNS.find((x) => x.name === 'supabase-memberships')!);

  const shortcut = (result: GateResult) => errors(result).filter((f) => f.relation === 'teamwork.invoices' && f.rule === 'probe-read' && f.actor === 'authenticated');

  it("logged in as authenticator (init's proposal), the `session_user = 'postgres'` shortcut on teamwork.invoices shows nothing, and the report says so", async () => {
    expect(s.proposal.r.text).toMatch(/login: 'sbm_authenticator'/);
    const result = await runCheck(s.t, s.proposal.dir);
    expect(shortcut(result).map(describeFinding)).toEqual([]);
    expect(result.report.actors?.find((a) => a.name === 'authenticated')).toMatchObject({ role: 'sbm_authenticated', login: 'sbm_authenticator' });
    expect(result.report.connectedAs).toBe('postgres');
  });

  it('logged in as postgres, the same check reports the shortcut as a read leak, and the report names that login', async () => {
    const file = path.join(s.proposal.dir, 'as-postgres.config.ts');
    const text = readFileSync(path.join(s.proposal.dir, 'tenantproof.config.ts'), 'utf8').replace("name: 'authenticated', role: 'sbm_authenticated', login: 'sbm_authenticator'", "name: 'authenticated', role: 'sbm_authenticated', login: 'postgres'");
    expect(text).toMatch(/login: 'postgres'/);
    writeFileSync(file, text);
    const result = await runCheck(s.t, s.proposal.dir, 'as-postgres.config.ts');
    expect(shortcut(result).map(describeFinding)).not.toEqual([]);
    expect(result.report.actors?.find((a) => a.name === 'authenticated')).toMatchObject({ login: 'postgres' });
  });
});
