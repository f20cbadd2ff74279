import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { IsolationReport } from '../src/findings/types.js';
import { tempProject, type TempProject } from './support/temp-project.js';

// The report commands as CI runs them, in a temporary copy of the project on its own embedded server:
// the gate writes every format, a second run gives the same bytes (report --check), the shards of a run
// merge into it, and a schema change without regenerated reports fails report --check with a summary.

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function cli(args: string[], cwd: string): Promise<Run> {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1', CI: 'true' };
  delete env.DATABASE_URL;
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [path.join(inject('projectRoot'), 'bin/tenantproof.js'), ...args], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.once('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

const RUNS = ['--runs', '4'];
const FORMATS = ['isolation-report.json', 'isolation-report.policies.json', 'isolation-report.md', 'isolation-report.html', 'isolation-report.junit.xml', 'isolation-report.sarif'];
const LEAK = 'create policy leak on app.documents for select to tp_member using (app.current_tenant_id() is not null);\n';

let project: TempProject;
const at = (...p: string[]) => path.join(project.root, ...p);
const read = (...p: string[]) => readFileSync(at(...p), 'utf8');

beforeAll(() => {
  project = tempProject({ withCode: true });
});
afterAll(async () => project.cleanup());

describe('reports from the gate, on the committed schema', () => {
  it('the gate writes every format, and the timings only to the ignored run file', async () => {
    const r = await cli(['gate', ...RUNS], project.root);
    expect(r.stdout).toMatch(/PASS/);
    expect(r.code).toBe(0);
    for (const f of FORMATS) expect(existsSync(at('reports', f)), f).toBe(true);
    const run = JSON.parse(read('reports', 'isolation-report.run.json')) as { seed: number; timings: Record<string, number> };
    expect(run.seed).toBe(2026); // the reference config's fixed seed
    expect(Object.keys(run.timings)).toEqual(expect.arrayContaining(['catalog', 'lint', 'probes']));
    for (const f of FORMATS) expect(read('reports', f), f).not.toMatch(/\d{4}-\d\d-\d\dT\d\d:\d\d/); // no timestamp anywhere
    expect(read('reports', 'isolation-report.md')).toMatch(/^# Isolation report\n\n\*\*Verdict: PASS\*\*/);
  });

  it('report --check passes on the fresh reports: a second gate run gives the same bytes', async () => {
    const r = await cli(['report', '--check', ...RUNS], project.root);
    expect(r.stdout).toMatch(/^fresh {2}the committed reports in .*reports are what the schema produces now$/m);
    expect(r.code).toBe(0);
  });

  it('report re-renders Markdown, HTML, JUnit and SARIF from the JSON, byte for byte', async () => {
    const before = new Map(FORMATS.map((f) => [f, read('reports', f)]));
    for (const f of ['isolation-report.md', 'isolation-report.html', 'isolation-report.junit.xml', 'isolation-report.sarif']) writeFileSync(at('reports', f), 'stale\n');
    const r = await cli(['report'], project.root);
    expect(r.code).toBe(0);
    expect(r.stdout.trim().split('\n')).toHaveLength(4);
    for (const f of FORMATS) expect(read('reports', f), f).toBe(before.get(f));
  });

  it('two shards of the run merge into the same reports', async () => {
    for (const i of [1, 2]) {
      const r = await cli(['gate', ...RUNS, '--shard', `${i}/2`, '--report-dir', `shards/${i}`], project.root);
      expect(r.code, r.stderr).toBe(0);
      // A shard writes its partial report only, never a whole one.
      expect(readdirSync(at('shards', String(i))).sort()).toEqual([`isolation-report.shard-${i}-of-2.json`, `isolation-report.shard-${i}-of-2.run.json`]);
      const partial = JSON.parse(read('shards', String(i), `isolation-report.shard-${i}-of-2.json`)) as IsolationReport;
      expect(partial.coverage.worlds).toBe(2);
    }
    const r = await cli(
      ['report', '--merge', 'shards/2/isolation-report.shard-2-of-2.json', 'shards/1/isolation-report.shard-1-of-2.json', '--report-dir', 'merged'],
      project.root,
    );
    expect(r.code, r.stderr).toBe(0);
    for (const f of FORMATS) expect(read('merged', f), f).toBe(read('reports', f));
  });

  it('diff: exit 1 and a PR comment when the head adds an error finding', async () => {
    const base = JSON.parse(read('reports', 'isolation-report.json')) as IsolationReport;
    const head: IsolationReport = {
      ...base,
      verdict: 'fail',
      findings: [
        ...base.findings,
        {
          id: 'rls-not-forced:app.documents:-',
          rule: 'rls-not-forced',
          severity: 'error',
          relation: 'app.documents',
          actor: null,
          message: 'not forced',
          fix: 'force it',
          reproduction: null,
        },
      ],
    };
    mkdirSync(at('head'), { recursive: true });
    writeFileSync(at('head', 'isolation-report.json'), JSON.stringify(head));
    const worse = await cli(['diff', 'reports/isolation-report.json', 'head/isolation-report.json'], project.root);
    expect(worse.stdout).toContain('**This change weakens isolation.** Verdict PASS → FAIL');
    expect(worse.stdout).toContain('- **error** `rls-not-forced` · `app.documents`: not forced');
    expect(worse.code).toBe(1);
    const better = await cli(['diff', 'head/isolation-report.json', 'reports/isolation-report.json'], project.root);
    expect(better.code).toBe(0);
    const bad = await cli(['diff', 'reports/isolation-report.json', 'nowhere.json'], project.root);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/\[report-missing\]/);
  });
});

describe('reports after a schema change', () => {
  beforeAll(() => {
    writeFileSync(at('current.sql'), LEAK);
  });

  it('a broken schema gives the same report bytes on two gate runs (replays included)', async () => {
    const first = await cli(['gate', ...RUNS, '--report-dir', 'broken'], project.root);
    expect(first.stdout).toMatch(/error probe-read app\.documents \[member\]/);
    expect(first.code).toBe(1);
    expect(read('broken', 'isolation-report.json')).toContain('"reproduction": "-- tenantproof: member could read app.documents');
    const again = await cli(['report', '--check', ...RUNS, '--report-dir', 'broken'], project.root);
    expect(again.stdout).toMatch(/^fresh /m);
    // Fresh reports, but the gate itself fails: so does report --check.
    expect(again.stdout).toMatch(/^FAIL /m);
    expect(again.code).toBe(1);
  });

  it('report --check fails on the committed reports, and says what changed and how to fix it', async () => {
    const r = await cli(['report', '--check', ...RUNS], project.root);
    expect(r.stdout).toMatch(/^stale {2}the committed reports in .*reports differ from what the schema produces now:$/m);
    expect(r.stdout).toMatch(/^ {2}changed {2}.*reports\/isolation-report\.json \(-\d+ \+\d+ lines, first difference at line \d+\)$/m);
    expect(r.stdout).toMatch(/^ {2}changed {2}.*reports\/isolation-report\.md/m);
    expect(r.stdout).toMatch(/in the JSON report: \d+ new finding\(s\): .*error probe-read app\.documents \[member\]/);
    expect(r.stdout).toMatch(/verdict pass -> fail/);
    expect(r.stdout).toMatch(/fix: run `npm run gate` and commit reports\//);
    expect(r.code).toBe(1);
    // The committed files are left as they were.
    expect(read('reports', 'isolation-report.md')).toMatch(/\*\*Verdict: PASS\*\*/);
  });
});
