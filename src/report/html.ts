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
import type { Finding, IsolationReport } from '../findings/types.js';
import { html, trusted, type SafeHtml } from './escape.js';
import { policiesSql, type RelationView, type ReportContext } from './context.js';
import { CSS, SCRIPT } from './html-assets.js';
import { CHECKS_GLOSSARY } from './markdown.js';
import { causeLayout, reportView, TONE_GLYPH, TONE_TEXT, type CauseView, type CellView, type ReportView, type RowView, type Tone } from './model.js';
import { replaySql, REPLAYS_PER_CAUSE } from './replay.js';

export const HTML_FILE = 'isolation-report.html';

export function renderHtml(report: IsolationReport, context?: ReportContext): string {
  const v = reportView(report, context);
  const cx: Cx = { v, configFile: context?.configFile };
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
${header(cx)}
<main>
${actorsSection(v)}
${filters(v)}
${matrix(v)}
${notesSection(v)}
${findingsSection(cx)}
${policiesSection(v)}
</main>
${panels(cx)}
<footer><p>tenantproof ${report.version}${v.replay === null ? ' · lint only' : html` · seed ${report.seed} · replay: <code>${v.replay}</code>`}. Rendered from <code>isolation-report.json</code>; the same report always gives this same file.</p></footer>
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

/** What every part of the page needs: the view and the config file (for replay commands). */
interface Cx {
  v: ReportView;
  configFile: string | undefined;
}

const causeId = (c: CauseView) => `cause-${c.index}`;
const findingAnchor = (v: ReportView, f: Finding) => `finding-${v.report.findings.indexOf(f)}`;

function header({ v }: Cx): SafeHtml {
  const r = v.report;
  const c = r.coverage;
  const k = v.checks;
  const errorCauses = v.causes.filter((x) => x.cause.severity === 'error');
  const counts = k
    ? html`<div><dt>held</dt><dd>${k.held}</dd></div><div><dt>leaked</dt><dd>${k.leaked}</dd></div><div><dt>inconclusive</dt><dd>${k.inconclusive}</dd></div><div><dt>cells not proven</dt><dd class="${k.notProven > 0 ? 't-unproven' : ''}">${k.notProven}</dd></div>`
    : html`<div><dt>checks</dt><dd>${c.checks}</dd></div>`;
  return html`<header class="top">
<h1>Isolation report <span class="verdict v-${r.verdict}">${r.verdict === 'pass' ? 'PASS' : 'FAIL'}</span></h1>
<p class="counts"><span class="sev sev-error">${plural(v.counts.error, 'error')}</span> <span class="sev sev-warning">${plural(v.counts.warning, 'warning')}</span> <span class="sev sev-info">${v.counts.info} info</span> from ${plural(v.causes.length, 'root cause')}</p>
<dl class="coverage">
<div><dt>seed</dt><dd>${r.seed ?? '—'}</dd></div>
<div><dt>relations</dt><dd>${c.relations}</dd></div>
<div><dt>actors</dt><dd>${c.actors}</dd></div>
<div><dt>worlds</dt><dd>${c.worlds}</dd></div>
<div><dt>rows</dt><dd>${c.rows}</dd></div>
${counts}
</dl>
${k ? html`<p class="glossary">${CHECKS_GLOSSARY.replaceAll('*', '')}</p>` : ''}
${
  errorCauses.length > 0
    ? html`<section class="start" aria-labelledby="start-h"><h2 id="start-h">Start here: ${plural(errorCauses.length, 'root cause')} of ${plural(v.counts.error, 'error')}</h2><ol>${errorCauses.map(
        (x) => html`<li><a href="#${causeId(x)}">${x.cause.title}</a> <span class="explains">explains ${plural(x.findings.length, 'finding')}</span><br><span class="fix">Fix: ${x.cause.fix}</span></li>`,
      )}</ol></section>`
    : html`<p class="ok">No error: no probe saw a row of another tenant and no static rule failed.</p>`
}
</header>`;
}

/** The role the checker connected as, and how each actor entered. */
function actorsSection(v: ReportView): SafeHtml {
  const r = v.report;
  if (!r.actors && !r.connectedAs) return html``;
  return html`<section id="actors" aria-labelledby="actors-h"><h2 id="actors-h">How the checks entered the database</h2>
${r.connectedAs ? html`<p>The checker connected as <code>${r.connectedAs}</code> (it reads every tenant's rows to judge, and switches to each actor for its checks).</p>` : ''}
${
  r.actors && r.actors.length > 0
    ? html`<table class="actors"><thead><tr><th scope="col">actor</th><th scope="col">role (current_user)</th><th scope="col">login (session_user)</th><th scope="col">as</th><th scope="col">expects</th><th scope="col">context</th></tr></thead><tbody>${r.actors.map(
        (a) => html`<tr><td>${a.name}</td><td><code>${a.role}</code></td><td><code>${a.login}</code></td><td>${a.as}</td><td>${a.expect}</td><td>${a.context}</td></tr>`,
      )}</tbody></table>`
    : ''
}
</section>`;
}

function notesSection(v: ReportView): SafeHtml {
  const notes = v.report.notes ?? [];
  if (notes.length === 0) return html``;
  return html`<section id="notes" aria-labelledby="notes-h"><h2 id="notes-h">Not probed</h2><p>What the run could not check, and why: a leak there would go unseen.</p><ul>${notes.map((n) => html`<li>${n}</li>`)}</ul></section>`;
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
<p class="legend">${(['fail', 'warn', 'unproven', 'info', 'pass', 'skipped', 'none'] as const).map((t) => html`<span class="t-${t}">${TONE_GLYPH[t]} ${TONE_TEXT[t]}</span> `)}<span class="hint">Click a cell for its probes, findings and replay SQL.</span></p>
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

function panels(cx: Cx): SafeHtml {
  return html`<div class="panels">${cx.v.rows.map((row, i) => [
    row.relationFindings.length > 0 ? relationPanel(cx, row, i) : '',
    row.cells.map((c, j) => cellPanel(cx, c, row, i, j)),
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

function relationPanel(cx: Cx, row: RowView, i: number): SafeHtml {
  return panelFrame(
    relId(i),
    rowId(i),
    html`<code>${row.relation}</code>`,
    row.relationTone,
    html`<p>Findings on the relation itself, for every actor.</p>${row.relationFindings.map((f) => findingCard(cx, f, 'h3'))}${row.context ? policiesBlock(row.context) : ''}`,
  );
}

function cellPanel(cx: Cx, c: CellView, row: RowView, i: number, j: number): SafeHtml {
  const probes =
    c.probes.length === 0
      ? html`<p>No probe ran for this actor on this relation.</p>`
      : probeTable(c);
  const body = html`${c.findings.length > 0 ? c.findings.map((f) => findingCard(cx, f, 'h3')) : html`<p class="none">No finding for this actor on this relation.</p>`}
<h3>Probes</h3>
${probes}
${row.relationFindings.length > 0 ? html`<p>Also ${plural(row.relationFindings.length, 'finding')} on the relation itself: <a href="#${relId(i)}">open</a>.</p>` : ''}
${row.context && (c.tone === 'fail' || c.tone === 'warn') ? policiesBlock(row.context) : ''}`;
  return panelFrame(cellId(i, j), rowId(i), html`<code>${c.relation}</code> × ${c.actor}`, c.tone, body);
}

/** A cell's probes: held / leaked / inconclusive per probe when the report counts them, else its checks. */
function probeTable(c: CellView): SafeHtml {
  const counted = c.probes.some((p) => p.held !== undefined);
  const head = counted ? html`<th scope="col">held</th><th scope="col">leaked</th><th scope="col">inconclusive</th>` : html`<th scope="col">checks</th>`;
  return html`<table class="probes"><thead><tr><th scope="col">probe</th><th scope="col">status</th>${head}<th scope="col">note</th></tr></thead><tbody>${c.probes.map(
    (p) =>
      html`<tr class="s-${p.status}"><td>${p.probe}</td><td>${p.status === 'not-proven' ? '? not proven' : p.status}</td>${counted ? html`<td>${p.held ?? 0}</td><td>${p.leaked ?? 0}</td><td>${p.inconclusive ?? 0}</td>` : html`<td>${p.checks}</td>`}<td>${p.reason ?? ''}</td></tr>`,
  )}</tbody></table>`;
}

function findingCard(cx: Cx, f: Finding, level: 'h3' | 'h4', attrs?: { id: string; schema: string }): SafeHtml {
  const { v } = cx;
  const cause = v.causeOf.get(f.id);
  const heading = html`<span class="sev sev-${f.severity}">${f.severity}</span> <code>${f.rule}</code>${f.relation ? html` · <code>${f.relation}</code>` : ''}${f.actor ? html` · ${f.actor}` : ''}`;
  const h = level === 'h3' ? html`<h3>${heading}</h3>` : html`<h4>${heading}</h4>`;
  const where = [f.location ? html`<code>${f.location.file}:${f.location.line}</code>` : null, f.object ? html`<code>${f.object}</code>` : null].filter((x): x is SafeHtml => x !== null);
  return html`<article class="finding f-${f.severity}"${attrs ? html` id="${attrs.id}" data-severity="${f.severity}" data-actor="${f.actor ?? ''}" data-schema="${attrs.schema}"` : ''}>
${h}
<p><b>Why.</b> ${f.message}</p>
<p><b>Fix.</b> ${f.fix}</p>
${where.length > 0 ? html`<p><b>Where.</b> ${where.map((w, k) => (k === 0 ? w : html` · ${w}`))}</p>` : ''}
${cause && cause.findings.length > 1 && !attrs ? html`<p class="cause-link"><b>Root cause.</b> <a href="#${causeId(cause)}">${cause.cause.title}</a> (${plural(cause.findings.length, 'finding')})</p>` : ''}
${f.reproduction ? replayBox(cx, f) : ''}
<p class="id">id <code>${f.id}</code></p>
</article>
`;
}

function replayBox(cx: Cx, f: Finding): SafeHtml {
  if (!cx.v.replays.has(f.id)) return html`<p class="replay-json"><b>Replay SQL</b>: in <code>isolation-report.json</code> (finding <code>${f.id}</code>); this page shows the first ${REPLAYS_PER_CAUSE} of each root cause.</p>`;
  return html`<div class="replay"><p><b>Replay SQL</b> (the minimal counterexample; run as a superuser, everything is rolled back) <button type="button" class="copy" hidden>Copy</button></p><pre><code>${replaySql(f.reproduction!, cx.v.report, { configFile: cx.configFile })}</code></pre></div>`;
}

const schemaOfFinding = (f: Finding) => (f.relation ? f.relation.slice(0, Math.max(0, f.relation.indexOf('.'))) : '');

function findingsSection(cx: Cx): SafeHtml {
  const { v } = cx;
  return html`<section id="findings" aria-labelledby="findings-h">
<h2 id="findings-h">Findings by root cause</h2>
${v.causes.length === 0 ? html`<p>None.</p>` : html`<p>${plural(v.report.findings.length, 'finding')} from ${plural(v.causes.length, 'root cause')}, errors first, most findings explained first. Replay SQL is shown for the first ${REPLAYS_PER_CAUSE} findings of each cause; every finding's replay is in <code>isolation-report.json</code>.</p>`}
${v.causes.map((c) => causeSection(cx, c))}
</section>`;
}

function causeSection(cx: Cx, c: CauseView): SafeHtml {
  const { v } = cx;
  const cause = c.cause;
  const { cards: roots, rows: explained } = causeLayout(c);
  const card = (f: Finding) => findingCard(cx, f, 'h4', { id: findingAnchor(v, f), schema: schemaOfFinding(f) });
  return html`<section class="group cause" id="${causeId(c)}" data-group="${cause.severity}"><h3><span class="sev sev-${cause.severity}">${cause.severity}</span> ${c.index}. ${cause.title} <span class="explains">${plural(c.findings.length, 'finding')}</span></h3>
${c.findings.length > 1 ? html`<p><b>Fix.</b> ${cause.fix}</p>` : ''}
${roots.map(card)}
${
  explained.length > 0
    ? html`<p>${roots.length > 0 ? 'It also explains' : 'It explains'} ${plural(explained.length, 'finding')}:</p><table class="explained"><thead><tr><th scope="col">rule</th><th scope="col">relation</th><th scope="col">actor</th><th scope="col">what happened</th></tr></thead><tbody>${explained.map(
        (f) => html`<tr class="finding" id="${findingAnchor(v, f)}" data-severity="${f.severity}" data-actor="${f.actor ?? ''}" data-schema="${schemaOfFinding(f)}"><td><code>${f.rule}</code></td><td>${f.relation ? html`<code>${f.relation}</code>` : ''}</td><td>${f.actor ?? ''}</td><td>${f.message}</td></tr>${
          v.replays.has(f.id) ? html`<tr class="replay-row"><td colspan="4">${replayBox(cx, f)}</td></tr>` : ''
        }`,
      )}</tbody></table>`
    : ''
}
${c.replaysInJson > 0 ? html`<p class="replay-json">Replay SQL of ${plural(c.replaysInJson, 'more finding')} of this cause: in <code>isolation-report.json</code> (each finding's <code>reproduction</code>).</p>` : ''}
</section>
`;
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

