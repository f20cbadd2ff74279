import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { isolationReportSchema, type Finding, type IsolationReport, type MatrixCell } from '../src/findings/types.js';
import { buildReport } from '../src/report/json.js';
import type { ReportContext } from '../src/report/context.js';
import { diffReports, renderDiffMarkdown } from '../src/report/diff.js';
import { escapeMarkdown, mdCode, mdCodeBlock } from '../src/report/escape.js';
import { renderHtml } from '../src/report/html.js';
import { renderJunit } from '../src/report/junit.js';
import { renderMarkdown } from '../src/report/markdown.js';
import { matrixCellOf, type CellStats } from '../src/probes/cells.js';
import { policiesSql, type RelationView } from '../src/report/context.js';
import { mergePartials, parseShard, type PartialReport } from '../src/report/merge.js';
import { mergeNotes, mergeUnfilled } from '../src/report/merge-coverage.js';
import { renderSarif } from '../src/report/sarif.js';
import { renderReports } from '../src/report/write.js';

// The renderers on hand-made reports: escaping of hostile content, determinism, SARIF and JUnit structure, diff logic.
// tests/report-engine.test.ts and tests/report-cli.test.ts run them on reports of a real database.

const HOSTILE_RELATION = 'app.<script>alert("rel")</script>|x`y';
const HOSTILE_MESSAGE = 'saw <img src=x onerror="window.__pwned=1"> & </code></pre><script>alert(1)</script> | `tick` ]]> \u0001 *bold* [link](javascript:alert(1))';

function finding(p: Partial<Finding> & Pick<Finding, 'rule' | 'severity'>): Finding {
  const relation = p.relation === undefined ? 'app.documents' : p.relation;
  const actor = p.actor === undefined ? null : p.actor;
  return { id: `${p.rule}:${p.object ?? relation ?? '-'}:${actor ?? '-'}`, relation, actor, message: 'm', fix: 'f', reproduction: null, ...p };
}

const cell = (relation: string, actor: string, probe: string, status: MatrixCell['status'], checks = 3, reason?: string): MatrixCell => ({ relation, actor, probe, status, checks, ...(reason ? { reason } : {}) });

function hostileReport(): IsolationReport {
  return buildReport({
    seed: 42,
    findings: [
      finding({ rule: 'probe-read', severity: 'error', relation: HOSTILE_RELATION, actor: 'member', message: HOSTILE_MESSAGE, fix: 'fix <b>it</b> & "quote"', reproduction: "select '<script>alert(2)</script>';\n-- ``` fence" }),
      finding({ rule: 'rls-not-forced', severity: 'error', relation: HOSTILE_RELATION, message: HOSTILE_MESSAGE, location: { file: 'migrations/<evil>.sql', line: 3 } }),
      finding({ rule: 'probe-pooled-context', severity: 'warning', relation: null, actor: 'member', message: '<script>alert(3)</script>' }),
    ],
    matrix: [cell(HOSTILE_RELATION, 'member', 'read', 'fail', 4, '<script>alert(4)</script>'), cell(HOSTILE_RELATION, 'admin', 'read', 'pass'), cell('app.documents', 'member', 'insert', 'skipped', 0, 'no <rows>')],
    coverage: { relations: 2, actors: 2, worlds: 3, rows: 10, checks: 7 },
  });
}

const hostileContext: ReportContext = {
  tool: 'tenantproof',
  configFile: 'tenantproof.config.ts',
  relations: [
    {
      relation: HOSTILE_RELATION,
      kind: 'table',
      tenancy: 'direct',
      rls: { enabled: true, forced: false },
      partitionOf: null,
      securityInvoker: false,
      location: { file: 'migrations/current.sql', line: 7 },
      policies: [{ name: 'p"<script>', command: 'select', permissive: true, roles: ['tp_member'], using: "(tenant_id = '</code><script>alert(5)</script>')", withCheck: null }],
    },
  ],
};

/** The text of the page outside our own <script> and <style> elements. */
function outsideOwnBlocks(page: string): string {
  return page.replace(/<script>[\s\S]*?<\/script>\s*<\/body>/, '</body>').replace(/<style>[\s\S]*?<\/style>/, '');
}

describe('HTML', () => {
  const page = renderHtml(hostileReport(), hostileContext);

  it('escapes every value from the report: no markup of it survives', () => {
    // Exactly one script element: the report's own, at the end of the body.
    expect(page.match(/<script/gi)).toHaveLength(1);
    const rest = outsideOwnBlocks(page);
    expect(rest).not.toMatch(/<script|<img|onerror="/i);
    expect(rest).toContain('app.&lt;script&gt;alert(&quot;rel&quot;)&lt;/script&gt;|x`y');
    expect(rest).toContain('&lt;img src=x onerror=&quot;window.__pwned=1&quot;&gt; &amp; &lt;/code&gt;&lt;/pre&gt;&lt;script&gt;');
    expect(rest).toContain('create policy &quot;p&quot;&quot;&lt;script&gt;&quot; on'); // a policy name, in the policies SQL
    // Attribute values cannot be closed early: every data-* and title value is free of raw quotes and angle brackets.
    for (const m of rest.matchAll(/ (?:data-[a-z-]+|title|aria-label|value)="([^"]*)"/g)) expect(m[1]).not.toMatch(/[<>]/);
  });

  it('is self-contained: no URL to fetch, and a CSP that forbids any', () => {
    expect(page).not.toMatch(/\b(?:src|href)="(?!#)/); // only in-page anchors
    expect(page).not.toMatch(/@import|url\(/);
    const csp = /<meta http-equiv="Content-Security-Policy" content="([^"]*)">/.exec(page)?.[1]?.replaceAll('&#39;', "'");
    expect(csp).toMatch(/^default-src 'none'; style-src 'sha256-[A-Za-z0-9+/=]+'; script-src 'sha256-[A-Za-z0-9+/=]+'; img-src data:;/);
  });

  it('has a panel for every cell and links the failing one to it, with the finding and the replay', () => {
    const id = /<a class="cell" href="#(cell-\d+-\d+)"[^>]*>✗ read<\/a>/.exec(page)?.[1];
    expect(id).toBeDefined();
    const panel = new RegExp(`<section class="panel" id="${id}"[\\s\\S]*?</section>`).exec(page)?.[0] ?? '';
    expect(panel).toContain('probe-read');
    expect(panel).toContain('Replay SQL');
    expect(panel).toContain('select &#39;&lt;script&gt;alert(2)&lt;/script&gt;&#39;;');
  });

  it('is deterministic: the same report renders the same bytes', () => {
    expect(renderHtml(hostileReport(), hostileContext)).toBe(page);
  });
});

/** Markdown with code spans and fenced blocks removed: what a renderer would read as markup. A backslash-escaped backtick opens no code span (CommonMark). */
function markupOf(md: string): string {
  return md
    .replace(/^(`{3,})[^\n]*\n[\s\S]*?\n\1$/gm, '')
    .replace(/(?<![\\`])(`+)(?!`)[\s\S]*?(?<!`)\1(?!`)/g, '');
}

describe('Markdown', () => {
  const md = renderMarkdown(hostileReport(), hostileContext);

  it('leaves no raw HTML of the report outside code, and keeps every table row intact', () => {
    const markup = markupOf(md).replace(/<\/?(?:details|summary)>/g, '');
    expect(markup).not.toMatch(/(?<!\\)</);
    expect(markup).toContain('\\<img src=x onerror="window.\\_\\_pwned=1"\\>');
    // Table rows: the cells of the matrix are exactly relation, relation column and the two actors.
    const header = md.split('\n').find((l) => l.startsWith('| relation |'))!;
    const rows = md.split('\n').filter((l) => l.startsWith('| `app.'));
    expect(rows.length).toBeGreaterThan(0);
    const cells = (line: string) => line.replace(/\\\|/g, '').split('|').length;
    for (const r of rows) expect(cells(r)).toBe(cells(header));
  });

  it('fences code that contains backticks with a longer fence', () => {
    expect(md).toContain("````sql\nselect '<script>alert(2)</script>';\n-- ``` fence\n````");
    expect(mdCode('a`b')).toBe('``a`b``');
    expect(mdCode('`x')).toBe('`` `x ``');
    expect(mdCodeBlock('x ```` y')).toMatch(/^`{5}\n/);
    expect(escapeMarkdown('tenant_id _x_ *y* <z> a|b')).toBe('tenant_id \\_x\\_ \\*y\\* \\<z\\> a\\|b');
    expect(escapeMarkdown('1. not a list')).toBe('1\\. not a list');
  });

  it('names the verdict, the seed, the findings with why and fix, and the policies as SQL', () => {
    expect(md).toMatch(/^# Isolation report\n\n\*\*Verdict: FAIL\*\* — 2 errors, 1 warning, 0 info, from 3 root causes/);
    expect(md).toContain('| 42 | 2 | 2 | 3 | 10 | 7 |');
    expect(md).toContain('## Start here\n\n2 root causes explain the 2 errors');
    expect(md).toContain('## Findings by root cause');
    expect(md).toContain('**Fix.** fix \\<b\\>it\\</b\\> \\& "quote"');
    expect(md).toContain('## Policies of the tenant relations');
    expect(md).toContain("create policy \"p\"\"<script>\" on app.\"<script>alert(\"\"rel\"\")</script>|x`y\"\n  as permissive for select to tp_member\n  using ((tenant_id = '</code><script>alert(5)</script>'));");
    expect(renderMarkdown(hostileReport(), hostileContext)).toBe(md);
  });
});

/** Well-formed XML, checked by hand: balanced tags, escaped text and attributes, no forbidden characters. */
function assertWellFormedXml(xml: string): void {
  expect(xml.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n')).toBe(true);
  expect(xml).not.toMatch(/[\u0000-\u0008\u000B\u000C\u000E-\u001F]/);
  const body = xml.slice(xml.indexOf('?>') + 2);
  const stack: string[] = [];
  let rest = body;
  while (rest.length > 0) {
    const lt = rest.indexOf('<');
    const text = lt < 0 ? rest : rest.slice(0, lt);
    expect(text).not.toMatch(/>|&(?!(?:amp|lt|gt|quot|#39|apos);)/);
    if (lt < 0) break;
    const gt = rest.indexOf('>', lt);
    const tag = rest.slice(lt + 1, gt);
    const m = /^(\/?)([A-Za-z][\w-]*)((?:\s+[\w-]+="[^"<]*")*)\s*(\/?)$/.exec(tag);
    expect(m, `malformed tag <${tag}>`).not.toBeNull();
    for (const a of m![3]!.matchAll(/="([^"]*)"/g)) expect(a[1]).not.toMatch(/&(?!(?:amp|lt|gt|quot|#39|apos);)/);
    if (m![1]) expect(stack.pop()).toBe(m![2]);
    else if (!m![4]) stack.push(m![2]!);
    rest = rest.slice(gt + 1);
  }
  expect(stack).toEqual([]);
}

describe('JUnit', () => {
  it('is well-formed XML with hostile content, one test case per relation x actor x probe', () => {
    const xml = renderJunit(hostileReport());
    assertWellFormedXml(xml);
    expect(xml).toContain('<testsuites name="tenantproof isolation" tests="5" failures="2" errors="0" skipped="1">');
    expect(xml).toContain('classname="app.&lt;script&gt;alert(&quot;rel&quot;)&lt;/script&gt;|x`y" name="member read">');
    expect(xml).toContain('<failure type="probe-read"');
    expect(xml).toContain('<skipped message="no &lt;rows&gt;"/>');
    // The control character is replaced, not written.
    expect(xml).toContain('\uFFFD');
    expect(renderJunit(hostileReport())).toBe(xml);
  });
});

// The parts of SARIF 2.1.0 a consumer (GitHub code scanning) requires, written out: no vendored schema.
const sarifSchema = z.object({
  $schema: z.string().url(),
  version: z.literal('2.1.0'),
  runs: z
    .array(
      z.object({
        tool: z.object({
          driver: z.object({
            name: z.string().min(1),
            rules: z.array(
              z.object({
                id: z.string().min(1),
                shortDescription: z.object({ text: z.string().min(1) }),
                fullDescription: z.object({ text: z.string().min(1) }),
                defaultConfiguration: z.object({ level: z.enum(['none', 'note', 'warning', 'error']) }),
              }),
            ),
          }),
        }),
        results: z.array(
          z.object({
            ruleId: z.string().min(1),
            ruleIndex: z.number().int().nonnegative(),
            level: z.enum(['none', 'note', 'warning', 'error']),
            message: z.object({ text: z.string().min(1) }),
            locations: z
              .array(
                z.object({
                  physicalLocation: z.object({
                    artifactLocation: z.object({ uri: z.string().min(1).refine((u) => !/^[a-z]+:/i.test(u) && !u.startsWith('/'), 'a repository-relative URI'), uriBaseId: z.string().optional() }),
                    region: z.object({ startLine: z.number().int().positive() }),
                  }),
                }),
              )
              .min(1),
            partialFingerprints: z.record(z.string(), z.string()),
          }),
        ),
      }),
    )
    .length(1),
});

describe('SARIF', () => {
  it('has the required structure, rules that match the results, and a location for every result', () => {
    const report = hostileReport();
    const sarif = sarifSchema.parse(JSON.parse(renderSarif(report, hostileContext)));
    const run = sarif.runs[0]!;
    expect(run.results).toHaveLength(report.findings.length);
    const ids = run.tool.driver.rules.map((r) => r.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const r of run.results) expect(ids[r.ruleIndex]).toBe(r.ruleId);
    const byRule = Object.fromEntries(run.results.map((r) => [r.ruleId, r]));
    // Its own location, percent-encoded; its relation's; the config file's.
    expect(byRule['rls-not-forced']!.locations[0]!.physicalLocation).toEqual({ artifactLocation: { uri: 'migrations/%3Cevil%3E.sql', uriBaseId: '%SRCROOT%' }, region: { startLine: 3 } });
    expect(byRule['probe-read']!.locations[0]!.physicalLocation.artifactLocation.uri).toBe('migrations/current.sql');
    expect(byRule['probe-read']!.locations[0]!.physicalLocation.region.startLine).toBe(7);
    expect(byRule['probe-pooled-context']!.locations[0]!.physicalLocation.artifactLocation.uri).toBe('tenantproof.config.ts');
    expect(byRule['probe-read']!.level).toBe('error');
    expect(byRule['probe-pooled-context']!.level).toBe('warning');
    expect(run.tool.driver.rules.find((r) => r.id === 'rls-not-forced')!.shortDescription.text).toBe('Row level security is enabled but not forced');
  });

  it('is deterministic and free of absolute paths', () => {
    const text = renderSarif(hostileReport(), hostileContext);
    expect(renderSarif(hostileReport(), hostileContext)).toBe(text);
    expect(text).not.toContain(process.cwd());
  });
});

describe('all formats', () => {
  it('render the same bytes twice, and the JSON is the report itself', () => {
    const a = renderReports(hostileReport(), hostileContext);
    const b = renderReports(hostileReport(), hostileContext);
    expect([...a.keys()]).toEqual(['isolation-report.policies.json', 'isolation-report.md', 'isolation-report.html', 'isolation-report.junit.xml', 'isolation-report.sarif', 'isolation-report.json']);
    for (const [name, content] of a) expect(b.get(name), name).toBe(content);
    expect(isolationReportSchema.parse(JSON.parse(a.get('isolation-report.json')!))).toEqual(hostileReport());
  });

  it('say so when the policies are not available (rendered from a JSON alone)', () => {
    const md = renderMarkdown(hostileReport());
    expect(md).toContain('Not available: render from a gate or check run');
    expect(renderHtml(hostileReport())).toContain('Not available: render from a gate or check run');
  });
});

describe('diff', () => {
  const base = buildReport({
    seed: 1,
    findings: [finding({ rule: 'rls-not-forced', severity: 'warning' }), finding({ rule: 'shared-sequence', severity: 'warning', relation: 'app.tasks' })],
    matrix: [cell('app.documents', 'member', 'read', 'pass'), cell('app.documents', 'member', 'insert', 'pass'), cell('app.tasks', 'admin', 'read', 'fail')],
    coverage: { relations: 2, actors: 2, worlds: 5, rows: 20, checks: 9 },
  });
  const head = buildReport({
    seed: 1,
    findings: [
      finding({ rule: 'rls-not-forced', severity: 'error' }),
      finding({ rule: 'probe-read', severity: 'error', actor: 'member', message: 'member saw <b>2</b> rows' }),
      finding({ rule: 'probe-duplicate-key', severity: 'warning', actor: 'member' }),
    ],
    matrix: [cell('app.documents', 'member', 'read', 'fail'), cell('app.documents', 'member', 'insert', 'pass'), cell('app.documents', 'member', 'read-unset', 'fail'), cell('app.tasks', 'admin', 'read', 'pass')],
    coverage: { relations: 2, actors: 2, worlds: 5, rows: 20, checks: 10 },
  });

  it('finds new, resolved and raised findings, changed cells and newly visible relations', () => {
    const d = diffReports(base, head);
    expect(d.added.map((f) => f.id)).toEqual(['probe-read:app.documents:member', 'probe-duplicate-key:app.documents:member']);
    expect(d.resolved.map((f) => f.id)).toEqual(['shared-sequence:app.tasks:-']);
    expect(d.changed.map((c) => [c.before.severity, c.after.severity])).toEqual([['warning', 'error']]);
    expect(d.cells.map((c) => `${c.relation} ${c.actor} ${c.probe} ${c.from}->${c.to}`)).toEqual([
      'app.documents member read pass->fail',
      'app.documents member read-unset null->fail',
      'app.tasks admin read fail->pass',
    ]);
    expect(d.newlyVisible).toEqual([{ relation: 'app.documents', actor: 'member', probes: ['read', 'read-unset'] }]);
    expect(d.noLongerVisible).toEqual([{ relation: 'app.tasks', actor: 'admin' }]);
    expect(d.addsErrors).toBe(true);
    const md = renderDiffMarkdown(d, { baseName: 'base.json', headName: 'head.json' });
    expect(md).toContain('**This change weakens isolation.** Verdict PASS → FAIL');
    expect(md).toContain('### Relations that became visible across tenants');
    expect(md).toContain('| `app.documents` | member | `read`, `read-unset` |');
    expect(md).toContain('member saw \\<b\\>2\\</b\\> rows');
  });

  it('does not fail when the head only removes or lowers findings', () => {
    const d = diffReports(head, base);
    expect(d.addsErrors).toBe(false);
    expect(renderDiffMarkdown(d)).toContain('Isolation posture changed; no new error. Verdict FAIL → PASS');
    const same = diffReports(head, head);
    expect(same.addsErrors).toBe(false);
    expect(renderDiffMarkdown(same)).toContain('No change in isolation posture.');
  });
});

describe('shard argument', () => {
  it('reads i/n with 1 <= i <= n', () => {
    expect(parseShard('1/2')).toEqual({ index: 1, count: 2 });
    expect(parseShard('2/2')).toEqual({ index: 2, count: 2 });
    for (const bad of ['0/2', '3/2', '1/0', '1', 'a/b', '1/2/3']) expect(parseShard(bad), bad).toBeNull();
  });
});

describe('policies as SQL', () => {
  it('quotes every identifier as quote_ident would: spaces, a trailing dot, keywords, upper case, a dollar sign', () => {
    const r: RelationView = {
      relation: 'user.Order items',
      kind: 'table',
      tenancy: 'direct',
      rls: { enabled: true, forced: true },
      partitionOf: null,
      securityInvoker: false,
      policies: [
        { name: 'tenant isolation.', command: 'all', permissive: true, roles: ['app$user', 'PUBLIC', 'select'], using: '(tenant_id = 1)', withCheck: null },
        { name: 'plain_name', command: 'select', permissive: false, roles: ['app_user'], using: 'true', withCheck: null },
      ],
    };
    expect(policiesSql(r)).toBe(
      [
        'alter table "user"."Order items" enable row level security;',
        'alter table "user"."Order items" force row level security;',
        'create policy "tenant isolation." on "user"."Order items"\n  as permissive for all to "app$user", public, "select"\n  using ((tenant_id = 1));',
        'create policy plain_name on "user"."Order items"\n  as restrictive for select to app_user\n  using (true);',
      ].join('\n'),
    );
  });
});

describe('merging shards (without a database)', () => {
  const tenantRelations = [{ qualifiedName: 'a.x', tenancy: { kind: 'direct' as const, column: 'tenant_id', path: [] } }];
  const causeFacts = { owners: { 'a.x': 'o' }, actorRoles: { member: ['m', 'o'], admin: ['adm'] } };
  const stats = (probe: string, actor: string, held: number, leaked: number, inconclusive: number, firstFailure: CellStats['firstFailure'] = null): CellStats => ({
    relation: 'a.x',
    actor,
    probe,
    held,
    leaked,
    inconclusive: inconclusive > 0 ? [['no row of another tenant to touch', inconclusive]] : [],
    firstFailure,
    overRestricted: 0,
    overExample: null,
  });
  const owner = finding({ rule: 'actor-member-of-owner', severity: 'error', relation: null, actor: 'member', object: 'role o' });
  const actors = [{ name: 'member', role: 'm', login: 'api', as: 'tenant' as const, expect: 'tenant' as const, context: 'setting' }];
  function shard(index: number, cells: CellStats[], extra: Finding[], coverage: IsolationReport['coverage'], notes: string[]): PartialReport {
    const report = buildReport({ seed: 7, findings: [owner, ...extra], matrix: cells.map(matrixCellOf), coverage, causeFacts, notes, actors, connectedAs: 'postgres', replay: { command: 'check', seed: 7 } });
    return { ...report, shard: { index, count: 2, runs: 4, tenantRelations, cells, causeFacts } };
  }
  const one = shard(1, [stats('read', 'member', 3, 0, 0), stats('delete', 'admin', 0, 0, 2), stats('update', 'admin', 0, 0, 1)], [], { relations: 1, actors: 2, worlds: 2, rows: 10, checks: 3, held: 3, leaked: 0, inconclusive: 3, notProven: 2 }, ['b note', 'a note']);
  const leak = finding({ rule: 'probe-read', severity: 'error', actor: 'member', relation: 'a.x', message: 'member could read a.x: saw 1 row (in 2 of 3 checks; minimal world of 2 tenants, 3 rows, shrunk)', reproduction: 'select 1;' });
  const two = shard(2, [stats('read', 'member', 1, 2, 0, { index: 1, detail: 'saw 1 row' }), stats('delete', 'admin', 1, 0, 0), stats('update', 'admin', 0, 0, 4)], [leak], { relations: 1, actors: 2, worlds: 2, rows: 12, checks: 4, held: 2, leaked: 2, inconclusive: 4, notProven: 1 }, ['a note', 'c note']);

  it('sums held, leaked and inconclusive, combines statuses, joins notes and recomputes the causes on the whole run', () => {
    const { report } = mergePartials([two, one]);
    expect(report.coverage).toMatchObject({ worlds: 4, rows: 22, checks: 7, held: 5, leaked: 2, inconclusive: 7 });
    const cell = (actor: string, probe: string) => report.matrix.find((m) => m.actor === actor && m.probe === probe)!;
    expect(cell('member', 'read').status).toBe('fail');
    expect(cell('admin', 'delete').status).toBe('pass'); // held in one shard: proven
    expect(cell('admin', 'update').status).not.toBe('pass'); // held in none: never a pass
    expect(report.coverage.notProven).toBe(report.matrix.filter((m) => m.status === 'not-proven').length);
    expect(report.notes).toEqual(['a note', 'b note', 'c note']);
    expect(report).toMatchObject({ connectedAs: 'postgres', actors, replay: { command: 'check', seed: 7 } });
    // The leak only one shard saw is explained by the actor that inherits the owner, as in a whole run.
    const merged = report.findings.find((f) => f.rule === 'probe-read')!;
    expect(merged.message).toContain('(in 2 of 6 checks;');
    expect(merged.cause).toBe('actor:member');
    expect(report.causes![0]).toMatchObject({ id: 'actor:member', findings: [owner.id, merged.id] });
    // Through JSON, in either order: the same bytes.
    expect(JSON.stringify(mergePartials([one, two]).report)).toBe(JSON.stringify(report));
  });
});

describe('merging what shards know about their coverage', () => {
  it('sums refused rows (the lowest shard gives the example), keeps "never filled" only when no shard filled it, keeps schema notes once', () => {
    const notes = mergeNotes([
      ['a.x: 2 generated row(s) refused by the database, e.g. duplicate key', 'a.y: no world held a row of it', 'a.z: no world held a row of it', 'col a.x.c: no value'],
      ['a.x: 3 generated row(s) refused by the database, e.g. check violation', 'a.y: no world held a row of it', 'col a.x.c: no value'],
    ]);
    expect(notes.sort()).toEqual(['a.x: 5 generated row(s) refused by the database, e.g. duplicate key', 'a.y: no world held a row of it', 'col a.x.c: no value']);
    const never = (relation: string) => finding({ rule: 'coverage-unfilled', severity: 'warning', relation, message: `no world held a row of ${relation}: refused` });
    const unfillable = finding({ rule: 'coverage-unfilled', severity: 'warning', relation: 'a.c', message: 'a.c could not be filled by any world: a cycle' });
    expect(mergeUnfilled([[never('a.y'), never('a.z'), unfillable], [never('a.y'), unfillable]]).map((f) => f.relation)).toEqual(['a.y', 'a.c']);
  });
});

describe('diff of causes and proof', () => {
  it('names new root causes, cells that lost their proof, and the held / leaked / inconclusive counts', () => {
    const coverage = { relations: 1, actors: 1, worlds: 2, rows: 4, checks: 4, held: 4, leaked: 0, inconclusive: 0, notProven: 0 };
    const base = buildReport({ seed: 1, findings: [], matrix: [{ ...cell('a.x', 'member', 'delete', 'pass', 4), held: 4, leaked: 0, inconclusive: 0 }], coverage });
    const head = buildReport({
      seed: 1,
      findings: [finding({ rule: 'rls-not-enabled', severity: 'error', relation: 'a.y' }), finding({ rule: 'probe-read', severity: 'error', relation: 'a.y', actor: 'member' })],
      matrix: [{ ...cell('a.x', 'member', 'delete', 'not-proven', 0), held: 0, leaked: 0, inconclusive: 4, reason: 'nothing to touch' }],
      coverage: { ...coverage, checks: 0, held: 0, inconclusive: 4, notProven: 1 },
    });
    const d = diffReports(base, head);
    expect(d.newCauses.map((c) => [c.id, c.findings.length])).toEqual([['relation:a.y', 2]]);
    expect(d.lostProof).toEqual([{ relation: 'a.x', actor: 'member', probe: 'delete', from: 'pass', to: 'not-proven', reason: 'nothing to touch' }]);
    const md = renderDiffMarkdown(d);
    expect(md).toContain('Checks: 4 held, 0 leaked, 0 inconclusive, 0 cells not proven → 0 held, 0 leaked, 4 inconclusive, 1 cells not proven.');
    expect(md).toContain('### New root causes\n\n- **error** a.y: row level security is off: explains 2 findings. Fix: f');
    expect(md).toContain('### Cells no longer proven');
    expect(md).toContain('| `a.x` | member | `delete` | not-proven | nothing to touch |');
    expect(diffReports(head, base).resolvedCauses.map((c) => c.id)).toEqual(['relation:a.y']);
  });
});
