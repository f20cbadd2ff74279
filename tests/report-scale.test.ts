import { describe, expect, it } from 'vitest';
import { isolationReportSchema, type IsolationReport } from '../src/findings/types.js';
import { buildReport } from '../src/report/json.js';
import { renderReports } from '../src/report/write.js';
import { scaleContext, scaleFacts, scaleReport, table } from './fixtures/scale-report.js';

// The reports of an 80-table schema with 200 errors from 3 root causes (built without a database,
// tests/fixtures/scale-report.ts): the causes come first, the rendered formats stay small because replay
// SQL is kept for the first 3 findings of each cause, and every format tells the truth about not-proven
// cells, notes, held / leaked / inconclusive checks, how the actors entered and how to replay a check run.
// Sizes measured before causes: HTML 10.9 MB, Markdown 4.4 MB (npx tsx tests/fixtures/measure-scale.ts).

const context = scaleContext();
const raw = scaleReport();
const report: IsolationReport = buildReport({ ...raw, causeFacts: scaleFacts(context) });
const files = renderReports(report, context);
const md = files.get('isolation-report.md')!;
const page = files.get('isolation-report.html')!;
const junit = files.get('isolation-report.junit.xml')!;
const sarifText = files.get('isolation-report.sarif')!;
const json = files.get('isolation-report.json')!;

const CAUSES = [
  { id: 'actor:member', findings: 154, title: 'member is or inherits the owner (shop_owner) of the relations' },
  { id: `relation:${table(80)}`, findings: 25, title: `${table(80)}: row level security is off` },
  { id: `policy:${table(79)}.open to all`, findings: 21, title: `policy "open to all" on ${table(79)}: policy-always-true` },
];
const kb = (s: string) => Buffer.byteLength(s) / 1024;

describe('a report of 200 errors from 3 root causes', () => {
  it('has the 3 causes first, explaining all 200 errors', () => {
    expect(report.findings.filter((f) => f.severity === 'error')).toHaveLength(200);
    expect(report.causes!.slice(0, 3).map((c) => ({ id: c.id, findings: c.findings.length, title: c.title }))).toEqual(CAUSES);
    const explained = new Set(report.causes!.slice(0, 3).flatMap((c) => c.findings));
    for (const f of report.findings.filter((x) => x.severity === 'error')) expect(explained.has(f.id), f.id).toBe(true);
    // Everything else (warnings, infos) is its own cause, after them.
    expect(report.causes!.slice(3).every((c) => c.findings.length === 1 && c.severity !== 'error')).toBe(true);
    expect(isolationReportSchema.parse(JSON.parse(json))).toEqual(report);
  });

  it('stays under 2 MB of HTML and 500 KB of Markdown', () => {
    expect(kb(page)).toBeLessThan(2048);
    expect(kb(md)).toBeLessThan(500);
    // The JSON keeps every replay: it is the contract, not the reading copy.
    expect(report.findings.filter((f) => f.reproduction !== null)).toHaveLength(137);
    expect(json.match(/-- tenantproof: /g)).toHaveLength(137);
  });

  it('"Start here" lists the causes with the findings each explains, not every finding', () => {
    const start = md.slice(md.indexOf('## Start here'), md.indexOf('\n## ', md.indexOf('## Start here') + 1));
    expect(start).toContain('3 root causes explain the 200 errors');
    const items = start.split('\n').filter((l) => /^\d+\. /.test(l));
    expect(items).toHaveLength(3);
    CAUSES.forEach((c, i) => expect(items[i]).toMatch(new RegExp(`^${i + 1}\\. \\*\\*${c.title.replace(/[.*()"]/g, '\\$&')}\\*\\*: explains ${c.findings} findings\\.`)));
    const htmlStart = /<section class="start"[\s\S]*?<\/section>/.exec(page)![0];
    expect(htmlStart).toContain('Start here: 3 root causes of 200 errors');
    expect(htmlStart.match(/<li>/g)).toHaveLength(3);
    expect(htmlStart).toMatch(/<li><a href="#cause-1">member is or inherits the owner \(shop_owner\) of the relations<\/a> <span class="explains">explains 154 findings<\/span>/);
    expect(htmlStart).not.toContain('probe-read');
  });

  it('keeps replay SQL for the first 3 findings of each cause, and says where the rest are', () => {
    for (const text of [md, page]) {
      expect(text.match(/-- tenantproof: /g)).toHaveLength(9 + (text === page ? 9 : 0)); // the page also shows them in their cells' panels
    }
    expect(md).toContain('Replay SQL of 90 more findings of this cause: in `isolation-report.json`');
    expect(md).toContain('Replay SQL of 21 more findings of this cause');
    expect(md).toContain('Replay SQL of 17 more findings of this cause');
    expect(page).toContain('Replay SQL of 90 more findings of this cause: in <code>isolation-report.json</code>');
    expect(junit.match(/-- tenantproof: /g)).toHaveLength(9);
    expect(sarifText.match(/-- tenantproof: /g)).toHaveLength(9);
  });

  it('replays a check run with check, its database URL placeholder, seed and config, never gate', () => {
    const command = 'tenantproof check --database-url "$DATABASE_URL" --seed 2026 --runs 100 --config tenantproof.config.ts';
    expect(md).toContain(`\`${command}\` replays this run`);
    expect(page).toContain(`replay: <code>${command.replaceAll('"', '&quot;')}</code>`);
    for (const [name, text] of [['md', md], ['html', page], ['junit', junit], ['sarif', sarifText]] as const) {
      expect(text, name).not.toContain('tenantproof gate');
      expect(text, name).toContain('replays the run)');
    }
    // A gate run keeps gate.
    const gate = renderReports({ ...report, replay: { command: 'gate', seed: 2026 } }, context);
    expect(gate.get('isolation-report.md')).toContain('`tenantproof gate --seed 2026 --runs 100` replays this run');
    expect(gate.get('isolation-report.md')).not.toContain('tenantproof check');
  });

  it('shows not-proven cells as such in every format, never as a pass', () => {
    // The auditor's delete on the first ten tables: no check held.
    const row = md.split('\n').find((l) => l.startsWith(`| \`${table(1)}\``))!;
    const cells = row.split(' | ');
    const auditor = cells[2]!; // relation, on the relation, auditor, manager, member
    expect(auditor).toMatch(/^\? 1 · ✓ 11$/);
    expect(md).toContain('? *n* probes not proven (no check held)');
    const htmlCell = new RegExp(`<tr id="row-0"[\\s\\S]*?<td class="t-(\\w+)" data-actor-col="auditor">`).exec(page)![1];
    expect(htmlCell).toBe('unproven');
    expect(page).toContain('.t-unproven{');
    expect(junit.match(/<skipped message="not proven: no check held \(12 inconclusive: no row of another tenant to touch\)"\/>/g)).toHaveLength(10);
    const sarif = JSON.parse(sarifText) as { runs: Array<{ results: Array<{ ruleId: string; kind?: string; level: string }> }> };
    const open = sarif.runs[0]!.results.filter((r) => r.kind === 'open');
    expect(open).toHaveLength(10);
    expect(open.every((r) => r.ruleId === 'coverage-not-proven' && r.level === 'none')).toBe(true);
  });

  it('counts held, leaked and inconclusive checks, not refusals as checks, and shows notes and how each actor entered', () => {
    const c = report.coverage;
    expect(md).toContain(`| 2026 | 80 | 3 | 100 | 24000 | ${c.held} | ${c.leaked} | ${c.inconclusive} | 10 |`);
    expect(page).toContain(`<div><dt>held</dt><dd>${c.held}</dd></div><div><dt>leaked</dt><dd>${c.leaked}</dd></div><div><dt>inconclusive</dt><dd>${c.inconclusive}</dd></div>`);
    for (const note of raw.notes!) {
      expect(JSON.parse(json).notes).toContain(note);
      expect(md).toContain(`- ${note}`); // nothing to escape in these
      expect(page).toContain(`<li>${note}</li>`);
    }
    expect(md).toContain('## Not probed');
    expect(md).toContain('The checker connected as `postgres`');
    expect(md).toContain('| member | `shop_member` | `shop_api` | tenant | tenant | setting |');
    expect(page).toContain('<tr><td>member</td><td><code>shop_member</code></td><td><code>shop_api</code></td><td>tenant</td><td>tenant</td><td>setting</td></tr>');
  });

  it('points SARIF results of a database without migration files at the objects, not at the config file', () => {
    type Result = { ruleId: string; properties: { findingId?: string }; locations?: Array<{ physicalLocation?: { artifactLocation: { uri: string } }; logicalLocations?: Array<{ fullyQualifiedName: string; name: string; kind: string }> }> };
    const results = (JSON.parse(sarifText) as { runs: Array<{ results: Result[] }> }).runs[0]!.results;
    expect(results.some((r) => r.locations?.some((l) => l.physicalLocation))).toBe(false);
    const policy = results.find((r) => r.ruleId === 'policy-always-true')!;
    expect(policy.locations![0]!.logicalLocations).toEqual([
      { fullyQualifiedName: `policy ${table(79)}.open to all`, name: 'open to all', kind: 'member' },
      { fullyQualifiedName: table(79), name: 't79', kind: 'type' },
    ]);
    const probe = results.find((r) => r.properties.findingId === `probe-read:${table(1)}:member`)!;
    expect(probe.locations![0]!.logicalLocations).toEqual([{ fullyQualifiedName: table(1), name: 't01', kind: 'type' }]);
    expect(results.find((r) => r.ruleId === 'actor-member-of-owner')!.locations![0]!.logicalLocations).toEqual([{ fullyQualifiedName: 'role shop_owner', name: 'shop_owner', kind: 'resource' }]);
    // With the migration files known, the same result points at the file and line, and still names the object.
    const located = JSON.parse(renderReports(report, scaleContext({ locations: true })).get('isolation-report.sarif')!) as { runs: Array<{ results: Result[] }> };
    const p = located.runs[0]!.results.find((r) => r.ruleId === 'policy-always-true')!;
    expect(p.locations![0]!.physicalLocation!.artifactLocation.uri).toBe('migrations/committed/000001.sql');
    expect(p.locations![0]!.logicalLocations![0]!.fullyQualifiedName).toBe(`policy ${table(79)}.open to all`);
  });

  it('renders the same bytes twice, in every format', () => {
    const again = renderReports(buildReport({ ...scaleReport(), causeFacts: scaleFacts(scaleContext()) }), scaleContext());
    for (const [name, content] of files) expect(again.get(name), name).toBe(content);
  });
});
