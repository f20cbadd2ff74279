/**
 * The report as one self-contained HTML file (`reports/isolation-report.html`):
 * no network, no external asset (a Content-Security-Policy of `default-src
 * 'none'` makes sure of it, and lets only this file's own style and script
 * run, by hash). A colour-coded relation x actor matrix in which every cell
 * opens its probes, its findings, the minimal counterexample and the replay
 * SQL; filters by actor, severity and schema; readable printed.
 *
 * Everything works without the script too: a cell is a link to its panel
 * (`:target`), the script only adds the filters, Escape to close and a copy
 * button. All markup goes through the escaping `html` template (escape.ts).
 */
import { createHash } from 'node:crypto';
import type { Finding, IsolationReport, Severity } from '../findings/types.js';
import { html, trusted, type SafeHtml } from './escape.js';
import { policiesSql, type RelationView, type ReportContext } from './context.js';
import { reportView, severityHeading, TONE_GLYPH, type CellView, type ReportView, type RowView, type Tone } from './model.js';

export const HTML_FILE = 'isolation-report.html';

const TONE_TEXT: Record<Tone, string> = { fail: 'failed', warn: 'warning', info: 'info', pass: 'passed', skipped: 'skipped', none: 'not probed' };

export function renderHtml(report: IsolationReport, context?: ReportContext): string {
  const v = reportView(report, context);
  const title = `Isolation report: ${report.verdict === 'pass' ? 'PASS' : 'FAIL'}`;
  const csp = `default-src 'none'; style-src '${sha256(CSS)}'; script-src '${sha256(SCRIPT)}'; img-src data:; base-uri 'none'; form-action 'none'`;
  const page = html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="tenantproof ${report.version}">
<title>${title}</title>
<style>${trusted(CSS)}</style>
</head>
<body>
${header(v)}
<main>
${filters(v)}
${matrix(v)}
${findingsSection(v)}
${policiesSection(v)}
</main>
${panels(v)}
<footer><p>tenantproof ${report.version}${report.seed === null ? ' · lint only' : html` · seed ${report.seed} · replay: <code>tenantproof gate --seed ${report.seed} --runs ${report.coverage.worlds}</code>`}. Rendered from <code>isolation-report.json</code>; the same report always gives this same file.</p></footer>
<script>${trusted(SCRIPT)}</script>
</body>
</html>
`;
  return page.value;
}

function sha256(text: string): string {
  return `sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}`;
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

// ---- ids: by position, so that no user text ever becomes part of an id or a URL ----

const cellId = (row: number, actor: number) => `cell-${row}-${actor}`;
const relId = (row: number) => `rel-${row}`;
const rowId = (row: number) => `row-${row}`;

function header(v: ReportView): SafeHtml {
  const r = v.report;
  const c = r.coverage;
  const errors = v.bySeverity.find((g) => g.severity === 'error')!.findings;
  const where = (f: Finding) => {
    const row = f.relation ? v.rows.findIndex((x) => x.relation === f.relation) : -1;
    if (row < 0) return `#finding-${v.report.findings.indexOf(f)}`;
    const actor = f.actor ? v.actors.indexOf(f.actor) : -1;
    return actor < 0 ? `#${relId(row)}` : `#${cellId(row, actor)}`;
  };
  return html`<header class="top">
<h1>Isolation report <span class="verdict v-${r.verdict}">${r.verdict === 'pass' ? 'PASS' : 'FAIL'}</span></h1>
<p class="counts"><span class="sev sev-error">${plural(v.counts.error, 'error')}</span> <span class="sev sev-warning">${plural(v.counts.warning, 'warning')}</span> <span class="sev sev-info">${v.counts.info} info</span></p>
<dl class="coverage">
<div><dt>seed</dt><dd>${r.seed ?? '—'}</dd></div>
<div><dt>relations</dt><dd>${c.relations}</dd></div>
<div><dt>actors</dt><dd>${c.actors}</dd></div>
<div><dt>worlds</dt><dd>${c.worlds}</dd></div>
<div><dt>rows</dt><dd>${c.rows}</dd></div>
<div><dt>checks</dt><dd>${c.checks}</dd></div>
</dl>
${
  errors.length > 0
    ? html`<section class="start" aria-labelledby="start-h"><h2 id="start-h">Start here: ${plural(errors.length, 'error')}</h2><ol>${errors.map(
        (f) => html`<li><a href="${where(f)}"><code>${f.rule}</code>${f.relation ? html` on <code>${f.relation}</code>` : ''}${f.actor ? html` for <b>${f.actor}</b>` : ''}</a></li>`,
      )}</ol></section>`
    : html`<p class="ok">No error: no probe saw a row of another tenant and no static rule failed.</p>`
}
</header>`;
}

function filters(v: ReportView): SafeHtml {
  return html`<form id="filters" class="filters" hidden aria-label="Filters">
<fieldset><legend>Actor</legend>${v.actors.map((a) => html`<label><input type="checkbox" name="actor" value="${a}" checked> ${a}</label>`)}</fieldset>
<fieldset><legend>Severity</legend>${(['error', 'warning', 'info'] as const).map((s) => html`<label><input type="checkbox" name="severity" value="${s}" checked> ${s}</label>`)}</fieldset>
<label class="schema">Schema <select name="schema"><option value="">all</option>${v.schemas.map((s) => html`<option value="${s}">${s}</option>`)}</select></label>
<label><input type="checkbox" name="problems"> only relations with findings</label>
<button type="reset">Reset</button>
<output name="shown" aria-live="polite"></output>
</form>`;
}

function matrix(v: ReportView): SafeHtml {
  return html`<section id="matrix" aria-labelledby="matrix-h">
<h2 id="matrix-h">Relation × actor</h2>
<p class="legend">${(['fail', 'warn', 'info', 'pass', 'skipped', 'none'] as const).map((t) => html`<span class="t-${t}">${TONE_GLYPH[t]} ${TONE_TEXT[t]}</span> `)}<span class="hint">Click a cell for its probes, findings and replay SQL.</span></p>
${v.unplaced.length > 0 ? html`<p class="unplaced">${plural(v.unplaced.length, 'finding')} name no relation (roles, the tenant context, coverage): see <a href="#findings">Findings</a>.</p>` : ''}
${
  v.rows.length === 0
    ? html`<p>No relation was checked.</p>`
    : html`<div class="scroll"><table class="matrix">
<thead><tr><th scope="col">relation</th><th scope="col">on the relation</th>${v.actors.map((a) => html`<th scope="col" data-actor-col="${a}">${a}</th>`)}</tr></thead>
<tbody>
${v.rows.map((row, i) => matrixRow(v, row, i))}
</tbody>
</table></div>`
}
</section>`;
}

function severitiesOf(row: RowView): string {
  return [...new Set([...row.relationFindings, ...row.cells.flatMap((c) => c.findings)].map((f) => f.severity))].sort().join(' ');
}

function matrixRow(v: ReportView, row: RowView, i: number): SafeHtml {
  return html`<tr id="${rowId(i)}" data-relation="${row.relation}" data-schema="${row.schema}" data-severities="${severitiesOf(row)}">
<th scope="row"><code>${row.relation}</code></th>
<td class="t-${row.relationTone}">${row.relationFindings.length > 0 ? html`<a class="cell" href="#${relId(i)}" title="${row.relation}: ${plural(row.relationFindings.length, 'finding')}">${row.relationLabel}</a>` : html`<span class="cell">—</span>`}</td>
${row.cells.map((c, j) => html`<td class="t-${c.tone}" data-actor-col="${v.actors[j]!}"><a class="cell" href="#${cellId(i, j)}" title="${c.summary}" aria-label="${c.summary}">${c.label}</a></td>`)}
</tr>
`;
}

function panels(v: ReportView): SafeHtml {
  return html`<div class="panels">${v.rows.map((row, i) => [
    row.relationFindings.length > 0 ? relationPanel(row, i) : '',
    row.cells.map((c, j) => cellPanel(c, row, i, j)),
  ])}</div>`;
}

function panelFrame(id: string, back: string, heading: SafeHtml, tone: Tone, body: SafeHtml): SafeHtml {
  return html`<section class="panel" id="${id}" tabindex="-1" role="dialog" aria-modal="false" aria-labelledby="${id}-h">
<p class="close"><a href="#${back}">Close ✕</a></p>
<h2 id="${id}-h">${heading} <span class="badge t-${tone}">${TONE_GLYPH[tone]} ${TONE_TEXT[tone]}</span></h2>
${body}
</section>
`;
}

function relationPanel(row: RowView, i: number): SafeHtml {
  return panelFrame(
    relId(i),
    rowId(i),
    html`<code>${row.relation}</code>`,
    row.relationTone,
    html`<p>Findings on the relation itself, for every actor.</p>${row.relationFindings.map((f) => findingCard(f, 'h3'))}${row.context ? policiesBlock(row.context) : ''}`,
  );
}

function cellPanel(c: CellView, row: RowView, i: number, j: number): SafeHtml {
  const probes =
    c.probes.length === 0
      ? html`<p>No probe ran for this actor on this relation.</p>`
      : html`<table class="probes"><thead><tr><th scope="col">probe</th><th scope="col">status</th><th scope="col">checks</th><th scope="col">note</th></tr></thead><tbody>${c.probes.map(
          (p) => html`<tr class="s-${p.status}"><td><code>${p.probe}</code></td><td>${p.status}</td><td class="num">${p.checks}</td><td>${p.reason ?? ''}</td></tr>`,
        )}</tbody></table>`;
  const body = html`${c.findings.length > 0 ? c.findings.map((f) => findingCard(f, 'h3')) : html`<p class="none">No finding for this actor on this relation.</p>`}
<h3>Probes</h3>
${probes}
${row.relationFindings.length > 0 ? html`<p>Also ${plural(row.relationFindings.length, 'finding')} on the relation itself: <a href="#${relId(i)}">open</a>.</p>` : ''}
${row.context && (c.tone === 'fail' || c.tone === 'warn') ? policiesBlock(row.context) : ''}`;
  return panelFrame(cellId(i, j), rowId(i), html`<code>${c.relation}</code> × ${c.actor}`, c.tone, body);
}

function findingCard(f: Finding, level: 'h3' | 'h4', attrs?: { id: string; schema: string }): SafeHtml {
  const heading = html`<span class="sev sev-${f.severity}">${f.severity}</span> <code>${f.rule}</code>${f.relation ? html` · <code>${f.relation}</code>` : ''}${f.actor ? html` · ${f.actor}` : ''}`;
  const h = level === 'h3' ? html`<h3>${heading}</h3>` : html`<h4>${heading}</h4>`;
  const where = [f.location ? html`<code>${f.location.file}:${f.location.line}</code>` : null, f.object ? html`<code>${f.object}</code>` : null].filter((x): x is SafeHtml => x !== null);
  return html`<article class="finding f-${f.severity}"${attrs ? html` id="${attrs.id}" data-severity="${f.severity}" data-actor="${f.actor ?? ''}" data-schema="${attrs.schema}"` : ''}>
${h}
<p><b>Why.</b> ${f.message}</p>
<p><b>Fix.</b> ${f.fix}</p>
${where.length > 0 ? html`<p><b>Where.</b> ${where.map((w, k) => (k === 0 ? w : html` · ${w}`))}</p>` : ''}
${
  f.reproduction
    ? html`<div class="replay"><p><b>Replay SQL</b> (the minimal counterexample; run as a superuser on a migrated database, everything is rolled back) <button type="button" class="copy" hidden>Copy</button></p><pre><code>${f.reproduction}</code></pre></div>`
    : ''
}
<p class="id">id <code>${f.id}</code></p>
</article>
`;
}

function findingsSection(v: ReportView): SafeHtml {
  const groups = v.bySeverity.filter((g) => g.findings.length > 0);
  return html`<section id="findings" aria-labelledby="findings-h">
<h2 id="findings-h">Findings</h2>
${groups.length === 0 ? html`<p>None.</p>` : ''}
${groups.map(
  (g) => html`<section class="group" data-group="${g.severity}"><h3>${severityHeading(g.severity as Severity)} (${g.findings.length})</h3>
${g.findings.map((f) => findingCard(f, 'h4', { id: `finding-${v.report.findings.indexOf(f)}`, schema: f.relation ? f.relation.slice(0, Math.max(0, f.relation.indexOf('.'))) : '' }))}</section>`,
)}
</section>`;
}

function policiesBlock(r: RelationView): SafeHtml {
  return html`<h3>Policies</h3><pre class="sql"><code>${policiesSql(r)}</code></pre>`;
}

function policiesSection(v: ReportView): SafeHtml {
  if (!v.hasContext) return html`<section id="policies"><h2>Policies of the tenant relations</h2><p>Not available: render from a gate or check run (<code>isolation-report.policies.json</code> is written beside the report).</p></section>`;
  return html`<section id="policies" aria-labelledby="policies-h">
<h2 id="policies-h">Policies of the tenant relations</h2>
${v.policies.length === 0 ? html`<p>No tenant relation.</p>` : ''}
${v.policies.map(
  (r) => html`<details class="policy" data-schema="${r.relation.slice(0, Math.max(0, r.relation.indexOf('.')))}"><summary><code>${r.relation}</code> <span class="meta">${r.kind}${r.tenancy ? ` · ${r.tenancy}` : ''} · ${
    r.kind === 'view' || r.kind === 'materialized-view' ? '' : `RLS ${r.rls.enabled ? 'enabled' : 'NOT enabled'}, ${r.rls.forced ? 'forced' : 'NOT forced'} · `
  }${plural(r.policies.length, 'policy').replace('policys', 'policies')}${r.location ? ` · ${r.location.file}:${r.location.line}` : ''}</span></summary><pre class="sql"><code>${policiesSql(r)}</code></pre></details>
`,
)}
</section>`;
}

// ---- the page's own style and script (constants: hashed into the CSP) ----

const CSS = `
:root{--fail:#b42318;--fail-bg:#fee4e2;--warn:#93370d;--warn-bg:#fef0c7;--info:#075985;--info-bg:#e0f2fe;--pass:#067647;--pass-bg:#dcfae6;--skip:#475467;--skip-bg:#f2f4f7;--none:#98a2b3;--line:#d0d5dd;--text:#101828;--muted:#475467;font-family:system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;color:var(--text);line-height:1.45}
*{box-sizing:border-box}
body{margin:0 auto;max-width:90rem;padding:1.5rem}
code,pre{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,"Liberation Mono",monospace;font-size:.88em}
h1{margin:0 0 .5rem;font-size:1.7rem}
h2{font-size:1.3rem;margin:2rem 0 .75rem}
h3{font-size:1.05rem;margin:1.25rem 0 .5rem}
h4{font-size:1rem;margin:0 0 .5rem}
a{color:#1849a9}
.verdict{display:inline-block;padding:.1rem .7rem;border-radius:.4rem;color:#fff;font-size:1.2rem;vertical-align:middle}
.v-pass{background:var(--pass)}.v-fail{background:var(--fail)}
.counts .sev{margin-right:.5rem}
.sev{display:inline-block;padding:0 .45rem;border-radius:.3rem;font-size:.85em;font-weight:600}
.sev-error{background:var(--fail-bg);color:var(--fail)}.sev-warning{background:var(--warn-bg);color:var(--warn)}.sev-info{background:var(--info-bg);color:var(--info)}
.coverage{display:flex;flex-wrap:wrap;gap:.5rem 1.5rem;margin:.75rem 0}
.coverage div{display:flex;gap:.4rem}.coverage dt{color:var(--muted)}.coverage dd{margin:0;font-weight:600;font-variant-numeric:tabular-nums}
.start{border:2px solid var(--fail);border-radius:.5rem;padding:.25rem 1rem;background:#fffbfa}
.start h2{margin:.5rem 0;font-size:1.1rem;color:var(--fail)}
.ok{color:var(--pass);font-weight:600}
.filters{display:flex;flex-wrap:wrap;gap:.75rem 1.25rem;align-items:center;padding:.6rem .9rem;border:1px solid var(--line);border-radius:.5rem;background:#f9fafb;position:sticky;top:0;z-index:2}
.filters[hidden]{display:none}
.filters fieldset{border:0;margin:0;padding:0;display:flex;gap:.6rem;align-items:center}
.filters legend{float:left;margin-right:.4rem;font-weight:600}
.filters output{color:var(--muted);font-size:.9em}
.legend span{display:inline-block;padding:.05rem .5rem;border-radius:.3rem;margin:0 .25rem .25rem 0;font-size:.9em}
.legend .hint{background:none;color:var(--muted)}
.unplaced{color:var(--muted)}
.scroll{overflow-x:auto}
table{border-collapse:collapse}
.matrix{font-size:.9rem}
.matrix th,.matrix td{border:1px solid var(--line);padding:0;text-align:left}
.matrix thead th{background:#f9fafb;padding:.35rem .6rem;position:sticky;top:0}
.matrix tbody th{padding:.25rem .6rem;font-weight:400;white-space:nowrap}
.matrix .cell{display:block;padding:.25rem .6rem;min-width:7rem;color:inherit;text-decoration:none;white-space:nowrap}
.matrix a.cell:hover,.matrix a.cell:focus{outline:2px solid #1849a9;outline-offset:-2px}
.t-fail{background:var(--fail-bg);color:var(--fail);font-weight:600}
.t-warn{background:var(--warn-bg);color:var(--warn);font-weight:600}
.t-info{background:var(--info-bg);color:var(--info)}
.t-pass{background:var(--pass-bg);color:var(--pass)}
.t-skipped{background:var(--skip-bg);color:var(--skip)}
.t-none{background:#fff;color:var(--none)}
[hidden]{display:none!important}
.finding{border:1px solid var(--line);border-left:.35rem solid var(--line);border-radius:.4rem;padding:.75rem 1rem;margin:.75rem 0;background:#fff}
.f-error{border-left-color:var(--fail)}.f-warning{border-left-color:#dc6803}.f-info{border-left-color:#0086c9}
.finding p{margin:.35rem 0}
.finding .id{color:var(--muted);font-size:.85em}
pre{background:#101828;color:#f2f4f7;padding:.75rem;border-radius:.4rem;overflow:auto;max-height:28rem;white-space:pre-wrap;overflow-wrap:anywhere}
.replay button{font-size:.8rem;margin-left:.5rem}
.probes{font-size:.9rem;margin:.5rem 0}
.probes th,.probes td{border:1px solid var(--line);padding:.2rem .5rem;text-align:left;vertical-align:top}
.probes .num{text-align:right;font-variant-numeric:tabular-nums}
.probes .s-fail{background:var(--fail-bg);color:var(--fail)}
.probes .s-skipped{color:var(--skip)}
.policy{border-bottom:1px solid var(--line);padding:.3rem 0}
.policy summary{cursor:pointer}
.policy .meta{color:var(--muted);font-size:.88em;margin-left:.4rem}
.panel{display:none}
.panel:target{display:block;position:fixed;top:0;right:0;bottom:0;width:min(60rem,100%);overflow:auto;background:#fff;padding:1rem 1.5rem 2rem;border-left:1px solid var(--line);box-shadow:-1.5rem 0 3rem rgba(16,24,40,.25);z-index:10}
.panel h2{margin-top:.25rem}
.panel .close{float:right;margin:0}
.panel .badge{font-size:.85rem;padding:.1rem .5rem;border-radius:.3rem;vertical-align:middle}
.panel .none{color:var(--muted)}
footer{margin-top:3rem;color:var(--muted);font-size:.88em;border-top:1px solid var(--line)}
@media print{
  *{-webkit-print-color-adjust:exact;print-color-adjust:exact}
  @page{margin:12mm}
  body{max-width:none;padding:0;font-size:10pt}
  .filters,.panels,.replay button,.legend .hint{display:none!important}
  .scroll{overflow:visible}
  .matrix{font-size:8pt}
  .matrix thead th{position:static}
  .matrix .cell{min-width:0;padding:.1rem .3rem}
  a{color:inherit;text-decoration:none}
  tr,.finding,.policy{break-inside:avoid}
  h2{break-after:avoid}
  pre{max-height:none;overflow:visible;background:#fff;color:#000;border:1px solid var(--line);font-size:7.5pt}
  details.policy>summary{list-style:none}
  [hidden]{display:revert!important}
  .filters[hidden]{display:none!important}
}
`;

// Filters (actor, severity, schema), Escape closes a panel, focus moves into an opened panel, copy buttons.
const SCRIPT = `
(function () {
  'use strict';
  var form = document.getElementById('filters');
  var all = function (sel, root) { return Array.prototype.slice.call((root || document).querySelectorAll(sel)); };
  if (form) {
    form.hidden = false;
    var values = function (name) { return all('input[name="' + name + '"]', form).filter(function (i) { return i.checked; }).map(function (i) { return i.value; }); };
    var apply = function () {
      var actors = values('actor');
      var severities = values('severity');
      var schema = form.elements.namedItem('schema').value;
      var only = form.elements.namedItem('problems').checked;
      all('[data-actor-col]').forEach(function (el) { el.hidden = actors.indexOf(el.getAttribute('data-actor-col')) < 0; });
      all('tr[data-relation]').forEach(function (tr) {
        var sev = (tr.getAttribute('data-severities') || '').split(' ').filter(Boolean);
        tr.hidden = (schema !== '' && tr.getAttribute('data-schema') !== schema) || (only && !sev.some(function (s) { return severities.indexOf(s) >= 0; }));
      });
      var shown = 0;
      var findings = all('#findings .finding[data-severity]');
      findings.forEach(function (f) {
        var actor = f.getAttribute('data-actor');
        var fschema = f.getAttribute('data-schema');
        f.hidden = severities.indexOf(f.getAttribute('data-severity')) < 0 || (actor !== '' && actors.indexOf(actor) < 0) || (schema !== '' && fschema !== '' && fschema !== schema);
        if (!f.hidden) shown++;
      });
      all('#findings .group').forEach(function (g) { g.hidden = all('.finding:not([hidden])', g).length === 0; });
      all('#policies .policy').forEach(function (p) { p.hidden = schema !== '' && p.getAttribute('data-schema') !== schema; });
      var rows = all('tr[data-relation]');
      form.elements.namedItem('shown').value = rows.filter(function (r) { return !r.hidden; }).length + ' of ' + rows.length + ' relations, ' + shown + ' of ' + findings.length + ' findings';
    };
    form.addEventListener('change', apply);
    form.addEventListener('reset', function () { setTimeout(apply, 0); });
    apply();
  }
  var openPanel = function () {
    var id = decodeURIComponent(location.hash.slice(1));
    var el = id ? document.getElementById(id) : null;
    if (el && el.classList.contains('panel')) el.focus({ preventScroll: true });
  };
  window.addEventListener('hashchange', openPanel);
  openPanel();
  document.addEventListener('keydown', function (e) {
    if (e.key !== 'Escape') return;
    var id = decodeURIComponent(location.hash.slice(1));
    var el = id ? document.getElementById(id) : null;
    if (!el || !el.classList.contains('panel')) return;
    var close = el.querySelector('.close a');
    if (close) location.hash = close.getAttribute('href');
  });
  all('.replay').forEach(function (box) {
    var button = box.querySelector('button.copy');
    var code = box.querySelector('pre');
    if (!button || !code) return;
    button.hidden = false;
    button.addEventListener('click', function () {
      var select = function () {
        var range = document.createRange();
        range.selectNodeContents(code);
        var s = window.getSelection();
        if (s) { s.removeAllRanges(); s.addRange(range); }
        button.textContent = 'Selected: press Ctrl+C';
      };
      if (navigator.clipboard && navigator.clipboard.writeText) {
        navigator.clipboard.writeText(code.textContent || '').then(function () { button.textContent = 'Copied'; }, select);
      } else select();
    });
  });
})();
`;
