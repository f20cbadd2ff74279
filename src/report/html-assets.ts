/**
 * The HTML report's own style and script: constants, hashed into the page's
 * Content-Security-Policy (html.ts), so that nothing else can run or style it.
 */

// ---- the page's own style and script (constants: hashed into the CSP) ----

export const CSS = `
:root{--fail:#b42318;--fail-bg:#fee4e2;--warn:#93370d;--warn-bg:#fef0c7;--info:#075985;--info-bg:#e0f2fe;--pass:#067647;--pass-bg:#dcfae6;--skip:#475467;--skip-bg:#f2f4f7;--unproven:#5925dc;--unproven-bg:#ebe9fe;--none:#98a2b3;--line:#d0d5dd;--text:#101828;--muted:#475467;font-family:system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;color:var(--text);line-height:1.45}
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
.t-unproven{background:var(--unproven-bg);color:var(--unproven);font-weight:600}
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
.probes td:first-child{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,"Liberation Mono",monospace;font-size:.88em}
.probes td:not(:first-child):not(:nth-child(2)):not(:last-child){text-align:right;font-variant-numeric:tabular-nums}
.probes .s-fail{background:var(--fail-bg);color:var(--fail)}
.probes .s-skipped{color:var(--skip)}
.probes .s-not-proven{background:var(--unproven-bg);color:var(--unproven)}
.glossary{color:var(--muted);font-size:.9em;max-width:60rem}
.start li{margin:.35rem 0}
.start .explains,.cause .explains{color:var(--muted);font-size:.88em;font-weight:400}
.start .fix{color:var(--muted);font-size:.88em}
.explained,.actors{font-size:.9rem;margin:.5rem 0}
.explained th,.explained td,.actors th,.actors td{border:1px solid var(--line);padding:.2rem .5rem;text-align:left;vertical-align:top}
.replay-json{color:var(--muted);font-size:.9em}
.cause,#findings .finding{scroll-margin-top:7rem}
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
export const SCRIPT = `
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
      all('#findings tr.replay-row').forEach(function (r) { r.hidden = !!(r.previousElementSibling && r.previousElementSibling.hidden); });
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
