import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { sql } from '@databases/pg';
import { diff } from '../src/commands/diff.js';
import { loadConfig, unwrapConfig } from '../src/config/load.js';
import type { ResolvedConfig } from '../src/config/schema.js';
import { checkIsolation, type IsolationResult } from '../src/engine/isolation.js';
import { locateObjects } from '../src/lint/locations.js';
import { reportContext, type ReportContext } from '../src/report/context.js';
import { diffReports } from '../src/report/diff.js';
import { mergePartials, parsePartialReport, partialReport, type PartialReport, type Shard } from '../src/report/merge.js';
import { renderReports } from '../src/report/write.js';
import { freshDatabase, type TestDatabase } from './support/database.js';

// The report pipeline on real runs of the reference schema: with a leak planted, two shards of a run
// merge into exactly the report of the whole run, and the diff against the clean schema names the leak.

const SEED = 11;
const RUNS = 6;
// Any tenant context opens every tenant's documents: read fails, the fail-closed probes (unset, empty) pass.
const LEAK = 'create policy leak on app.documents for select to tp_member using (app.current_tenant_id() is not null)';

let config: ResolvedConfig;
let broken: TestDatabase;
let clean: TestDatabase;
const root = () => inject('projectRoot');

beforeAll(async () => {
  config = unwrapConfig(await loadConfig(path.join(root(), 'tenantproof.config.ts')));
  [broken, clean] = await Promise.all([freshDatabase(), freshDatabase()]);
  await broken.db.query(sql.__dangerous__rawValue(LEAK));
});
afterAll(async () => {
  await Promise.all([broken?.drop(), clean?.drop()]);
});

const run = (t: TestDatabase, shard?: Shard) =>
  checkIsolation(t.db, config, { runs: RUNS, seed: SEED, migrationsDir: path.join(root(), config.migrationsDir), projectRoot: root(), ...(shard ? { shard } : {}) });

async function contextOf(r: IsolationResult): Promise<ReportContext> {
  const locations = await locateObjects(path.join(root(), config.migrationsDir), r.catalog, { relativeTo: root() });
  return reportContext(r.catalog, r.report, { locations, configFile: 'tenantproof.config.ts' });
}

describe('a sharded run', () => {
  let whole: IsolationResult;
  let partials: PartialReport[] = [];
  beforeAll(async () => {
    whole = await run(broken);
  });

  it('fails on the planted leak, with a shrunk counterexample and its replay', () => {
    const f = whole.report.findings.find((x) => x.id === 'probe-read:app.documents:member');
    expect(f?.severity).toBe('error');
    expect(f?.message).toMatch(/\(in (\d+) of \1 checks; minimal world of \d+ tenants, \d+ rows, shrunk\)/);
    // The replay logs in as the application does, then switches to the actor's role.
    expect(f?.reproduction).toMatch(/^set local session authorization tp_app;\nset local role tp_member;$/m);
    // One root cause explains it: the policy that admits any tenant, with the lint finding that names it.
    expect(whole.report.causes!.find((c) => c.severity === 'error')).toMatchObject({ id: 'policy:app.documents.leak', kind: 'policy', findings: expect.arrayContaining([f!.id]) as string[] });
    expect(f?.cause).toBe('policy:app.documents.leak');
    // Relation oids change with every migrated database: the replay names relations instead.
    expect(f?.reproduction).not.toMatch(/'\{\d[\d,]*\}'::oid\[\]/);
  });

  it('merges from two shards into exactly the whole run: report, policies and every rendered format', async () => {
    const parts = [];
    for (const index of [1, 2]) {
      const shard = { index, count: 2 };
      const r = await run(broken, shard);
      expect(r.report.coverage.worlds).toBe(RUNS / 2);
      // Through JSON, as the files between CI machines are.
      parts.push(parsePartialReport(JSON.parse(JSON.stringify(partialReport(r, { shard, runs: RUNS, context: await contextOf(r) }))), `shard ${index}`));
    }
    // Each shard saw part of the checks; the merge sums them.
    const read = (r: { matrix: Array<{ relation: string; actor: string; probe: string; checks: number }> }) => r.matrix.find((m) => m.relation === 'app.documents' && m.actor === 'member' && m.probe === 'read')?.checks ?? 0;
    expect(read(parts[0]!) + read(parts[1]!)).toBe(read(whole.report));
    partials = parts;

    const merged = mergePartials([...parts].reverse());
    expect(merged.report).toEqual(whole.report);
    expect(JSON.stringify(merged.report)).toBe(JSON.stringify(whole.report));
    const wholeFiles = renderReports(whole.report, await contextOf(whole));
    const mergedFiles = renderReports(merged.report, merged.context);
    for (const [name, content] of wholeFiles) expect(mergedFiles.get(name), name).toBe(content);
  });

  it('refuses shards of different runs, and an incomplete set', () => {
    const one = partials.find((p) => p.shard.index === 1)!;
    expect(() => mergePartials([one])).toThrow(/shard 2\/2 missing/);
    expect(() => mergePartials([one, { ...one, shard: { ...one.shard, index: 2 }, seed: SEED + 1 }])).toThrow(/different runs \(seed/);
    expect(() => mergePartials([one, one])).toThrow(/given twice/);
    expect(() => parsePartialReport(JSON.parse(JSON.stringify(whole.report)), 'whole.json')).toThrow(/not a partial report of a sharded gate \(it is a whole report\)/);
  });

  it('diffs against the clean schema: the leak is new, the relation became visible to the member', async () => {
    const base = await run(clean);
    expect(base.report.verdict).toBe('pass');
    const d = diffReports(base.report, whole.report);
    expect(d.addsErrors).toBe(true);
    expect(d.newlyVisible).toContainEqual({ relation: 'app.documents', actor: 'member', probes: expect.arrayContaining(['read']) as string[] });
    expect(d.added.map((f) => f.id)).toContain('probe-read:app.documents:member');
    expect(d.cells).toContainEqual(expect.objectContaining({ relation: 'app.documents', actor: 'member', probe: 'read', from: 'pass', to: 'fail' }));
    expect(d.resolved).toEqual([]);

    // The command: Markdown for the pull request, and failure only in the direction that adds errors.
    const dir = mkdtempSync(path.join(os.tmpdir(), 'tenantproof-diff-'));
    try {
      writeFileSync(path.join(dir, 'base.json'), JSON.stringify(base.report));
      writeFileSync(path.join(dir, 'head.json'), JSON.stringify(whole.report));
      const forward = diff({ base: 'base.json', head: 'head.json', cwd: dir, output: 'comment.md' });
      expect(forward.passed).toBe(false);
      expect(forward.markdown).toContain('**This change weakens isolation.** Verdict PASS → FAIL');
      expect(forward.markdown).toMatch(/\| `app\.documents` \| member \| `read`/);
      const back = diff({ base: 'head.json', head: 'base.json', cwd: dir });
      expect(back.passed).toBe(true);
      expect(back.markdown).toContain('### Resolved findings');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('renders the policies of the relation with the leak, and locates probe findings at the relation', async () => {
    const files = renderReports(whole.report, await contextOf(whole));
    expect(files.get('isolation-report.md')).toContain('create policy leak on app.documents\n  as permissive for select to tp_member\n  using ((app.current_tenant_id() IS NOT NULL));');
    const sarif = JSON.parse(files.get('isolation-report.sarif')!) as { runs: Array<{ results: Array<{ ruleId: string; locations: Array<{ physicalLocation: { artifactLocation: { uri: string } } }> }> }> };
    const read = sarif.runs[0]!.results.find((r) => r.ruleId === 'probe-read')!;
    expect(read.locations[0]!.physicalLocation.artifactLocation.uri).toMatch(/^migrations\/committed\/\d+-[\w-]+\.sql$/);
  });
});
