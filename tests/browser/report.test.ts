import { cpSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { sql } from '@databases/pg';
import type { Browser, Locator, Page } from 'playwright-core';
import { loadConfig, unwrapConfig } from '../../src/config/load.js';
import { checkIsolation } from '../../src/engine/isolation.js';
import { buildReport, writeFileAtomic } from '../../src/report/json.js';
import { locateObjects } from '../../src/lint/locations.js';
import { reportContext } from '../../src/report/context.js';
import { renderHtml } from '../../src/report/html.js';
import { renderJunit } from '../../src/report/junit.js';
import type { IsolationReport } from '../../src/findings/types.js';
import { freshDatabase, type TestDatabase } from '../support/database.js';
import { scaleContext, scaleFacts, scaleReport } from '../fixtures/scale-report.js';

// The HTML report as a reviewer meets it: Debian's Chromium, headless, driven by playwright-core (no
// browser download). A broken schema's report loads without a console error, shows every relation and
// actor, Start here lists root causes, and a click on the failing cell shows the finding and its replay
// SQL; on a report at scale, a not-proven cell is not green. Nothing is written into the repository (the
// screenshot goes to the test's temporary folder). Skipped where Chromium is not installed
// (apt-get install chromium).

const CHROMIUM = '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const SKIP = `Chromium is not installed at ${CHROMIUM}: install it with \`apt-get install chromium\` (see README, Reports) to run the browser test`;
const hasChromium = existsSync(CHROMIUM);
const LEAK = 'create policy leak on app.documents for select to tp_member using (true);';

let browser: Browser | undefined;
let t: TestDatabase | undefined;
let dir: string;
let report: IsolationReport;
let reportFile: string;

beforeAll(async () => {
  if (!hasChromium) return;
  const root = inject('projectRoot');
  // A project whose current.sql plants the leak, so that findings point at its file and line.
  dir = mkdtempSync(path.join(os.tmpdir(), 'tenantproof-browser-'));
  cpSync(path.join(root, 'migrations', 'committed'), path.join(dir, 'migrations', 'committed'), { recursive: true });
  writeFileSync(path.join(dir, 'migrations', 'current.sql'), `-- a leak, planted for the browser test\n${LEAK}\n`);
  const config = unwrapConfig(await loadConfig(path.join(root, 'tenantproof.config.ts')));
  t = await freshDatabase();
  await t.db.query(sql.__dangerous__rawValue(LEAK));
  const result = await checkIsolation(t.db, config, { runs: 4, seed: 5, migrationsDir: path.join(dir, 'migrations'), projectRoot: dir });
  report = result.report;
  const locations = await locateObjects(path.join(dir, 'migrations'), result.catalog, { relativeTo: dir });
  reportFile = path.join(dir, 'isolation-report.html');
  writeFileSync(reportFile, renderHtml(report, reportContext(result.catalog, report, { locations, configFile: 'tenantproof.config.ts' })));
  const { chromium } = await import('playwright-core');
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
}, 300_000); // a real gate run, shrinking each failing cell to a minimal world

afterAll(async () => {
  await browser?.close();
  await t?.drop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** The computed background colour of an element (evaluated in the page, which has the DOM). */
function background(l: Locator): Promise<string> {
  return l.evaluate((el) => (globalThis as unknown as { getComputedStyle(e: unknown): { backgroundColor: string } }).getComputedStyle(el).backgroundColor);
}

/** A page with the file loaded, and every console error or uncaught exception it produced. */
async function open(file: string): Promise<{ page: Page; errors: string[] }> {
  const page = await browser!.newPage({ viewport: { width: 1400, height: 1000 } });
  const errors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('dialog', (d) => {
    errors.push(`dialog: ${d.message()}`);
    void d.dismiss();
  });
  // Nothing may leave the file: any request but the file itself is an error.
  await page.route('**/*', (route) => (route.request().url().startsWith('file://') ? route.continue() : (errors.push(`request: ${route.request().url()}`), route.abort())));
  await page.goto(`file://${file}`);
  return { page, errors };
}

describe('the HTML report in Chromium', () => {
  it('loads without console errors and shows every relation and every actor of the report', async (ctx) => {
    if (!hasChromium) ctx.skip(SKIP);
    const { page, errors } = await open(reportFile);
    try {
      const relations = await page.locator('tr[data-relation]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-relation')));
      const expected = new Set([...report.matrix.map((m) => m.relation), ...report.findings.flatMap((f) => (f.relation ? [f.relation] : []))]);
      for (const r of expected) expect(relations, r).toContain(r);
      const actors = await page.locator('thead th[data-actor-col]').allInnerTexts();
      expect(actors).toEqual([...new Set(report.matrix.map((m) => m.actor))].sort());
      expect(await page.locator('h1').innerText()).toMatch(/Isolation report\s+FAIL/);
      // The script ran (it reveals the filters) under the page's own Content-Security-Policy.
      expect(await page.locator('#filters').isVisible()).toBe(true);
      expect(errors).toEqual([]);
    } finally {
      await page.close();
    }
  });

  it('a click on the failing cell shows its finding, the fix and the replay SQL; filters and print work', async (ctx) => {
    if (!hasChromium) ctx.skip(SKIP);
    const { page, errors } = await open(reportFile);
    try {
      const failing = page.locator('tr[data-relation="app.documents"] td[data-actor-col="member"] a.cell');
      expect(await failing.innerText()).toMatch(/^✗ /);
      const panelId = (await failing.getAttribute('href'))!.slice(1);
      const panel = page.locator(`#${panelId}`);
      expect(await panel.isVisible()).toBe(false);

      // Filters first, as a reviewer narrows down: only relations with findings, one schema.
      await page.locator('input[name="problems"]').check();
      const shown = await page.locator('tr[data-relation]:visible').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-relation')));
      expect(shown).toContain('app.documents');
      expect(shown.length).toBeLessThan(await page.locator('tr[data-relation]').count());
      await page.locator('input[name="actor"][value="admin"]').uncheck();
      expect(await page.locator('thead th[data-actor-col="admin"]').isVisible()).toBe(false);
      await page.locator('input[name="actor"][value="admin"]').check();
      await page.locator('select[name="schema"]').selectOption('app');
      const schemas = await page.locator('tr[data-relation]:visible').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-schema')));
      expect(new Set(schemas)).toEqual(new Set(['app']));

      await failing.click();
      expect(await panel.isVisible()).toBe(true);
      const text = await panel.innerText();
      expect(text).toContain('probe-read');
      expect(text).toMatch(/Why\.\s+member \(role tp_member, logged in as tp_app, as tenant [0-9a-f-]+\) could read app\.documents: saw \d+ row\(s\) of other tenants/);
      expect(text).toMatch(/Fix\.\s+restrict the relation's SELECT policies/);
      expect(text).toContain('Replay SQL');
      expect(text).toContain('set local session authorization tp_app;\nset local role tp_member;');
      expect(text).toMatch(/policy-always-true[\s\S]*Where\.\s+migrations\/current\.sql:2/);
      // Escape closes the panel.
      await page.keyboard.press('Escape');
      expect(await panel.isVisible()).toBe(false);

      // The reviewer's shortest path: the header's "Start here" lists root causes, each with what it explains, and leads to it.
      await page.locator('button[type="reset"]').click();
      await page.evaluate('window.scrollTo(0, 0)');
      const start = page.locator('.start li');
      const causes = report.causes!.filter((c) => c.severity === 'error');
      expect(await start.count()).toBe(causes.length);
      expect(await start.first().innerText()).toContain(`${causes[0]!.title} explains ${causes[0]!.findings.length} finding`);
      const href = (await start.first().locator('a').getAttribute('href'))!;
      await start.first().locator('a').click();
      const cause = page.locator(href);
      expect(await cause.locator('h3').innerText()).toContain(causes[0]!.title);
      expect(await cause.isVisible()).toBe(true);
      // Its findings open the failing cell's panel from the matrix, as before.
      await failing.click();
      expect(await panel.isVisible()).toBe(true);
      await page.evaluate('window.scrollTo(0, 0)');
      // A picture for the reviewer (verdict and matrix on the left, the open cell on the right), outside
      // the repository: a test never writes a tracked file. TENANTPROOF_SCREENSHOT names where it goes.
      const picture = process.env.TENANTPROOF_SCREENSHOT ?? path.join(os.tmpdir(), 'tenantproof-isolation-report.png');
      writeFileAtomic(picture, await page.screenshot());
      expect(existsSync(picture)).toBe(true);

      // Printed: no filters, no panels; the matrix and the findings with their replay SQL.
      await page.emulateMedia({ media: 'print' });
      expect(await page.locator('#filters').isVisible()).toBe(false);
      expect(await page.locator('#findings').isVisible()).toBe(true);
      expect(await page.locator('#findings pre').first().isVisible()).toBe(true);
      expect(errors).toEqual([]);
    } finally {
      await page.close();
    }
  });

  it('at scale: Start here lists the 3 root causes, and a not-proven cell is not green', async (ctx) => {
    if (!hasChromium) ctx.skip(SKIP);
    const context = scaleContext();
    const big = buildReport({ ...scaleReport(), causeFacts: scaleFacts(context) });
    const file = path.join(dir, 'scale.html');
    writeFileSync(file, renderHtml(big, context));
    const { page, errors } = await open(file);
    try {
      const items = await page.locator('.start li a').allInnerTexts();
      expect(items).toEqual(big.causes!.slice(0, 3).map((c) => c.title));
      const unproven = page.locator('tr[data-relation="shop.t01"] td[data-actor-col="auditor"]');
      expect(await unproven.innerText()).toMatch(/^\? 1 · ✓ 11$/);
      const own = await background(unproven);
      expect(own).not.toBe(await background(page.locator('td.t-pass').first()));
      expect(own).not.toBe(await background(page.locator('tr[data-relation="shop.t01"] th').first())); // nor the page's plain white
      // Its panel says which probe was not proven, and why.
      await unproven.locator('a').click();
      const panel = page.locator('.panel:target');
      expect(await panel.locator('h2').innerText()).toMatch(/not proven/);
      expect(await panel.locator('tr.s-not-proven').innerText()).toMatch(/delete\s+\? not proven\s+0\s+0\s+12\s+no row of another tenant to touch/);
      expect(errors).toEqual([]);
    } finally {
      await page.close();
    }
  });

  it('shows hostile names as text and runs none of them', async (ctx) => {
    if (!hasChromium) ctx.skip(SKIP);
    const evil = 'app.<img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script>';
    const hostile = buildReport({
      seed: 1,
      findings: [{ id: 'probe-read:x:member', rule: 'probe-read', severity: 'error', relation: evil, actor: 'member', message: '<script>window.__pwned=3</script>', fix: '<b onclick="x()">fix</b>', reproduction: '</code></pre><script>window.__pwned=4</script>' }],
      matrix: [{ relation: evil, actor: 'member', probe: 'read', status: 'fail', checks: 1 }],
      coverage: { relations: 1, actors: 1, worlds: 1, rows: 1, checks: 1 },
    });
    const file = path.join(dir, 'hostile.html');
    writeFileSync(file, renderHtml(hostile));
    const { page, errors } = await open(file);
    try {
      await page.locator('a.cell').first().click();
      expect(await page.evaluate(() => (globalThis as { __pwned?: number }).__pwned)).toBeUndefined();
      expect(await page.locator('tr[data-relation] th').innerText()).toBe(evil);
      expect(await page.locator('.panel:target pre').innerText()).toBe('</code></pre><script>window.__pwned=4</script>');
      expect(await page.locator('script').count()).toBe(1);
      expect(errors).toEqual([]);
    } finally {
      await page.close();
    }
  });

  it('the JUnit XML of the report parses as XML', async (ctx) => {
    if (!hasChromium) ctx.skip(SKIP);
    const page = await browser!.newPage();
    try {
      const xml = renderJunit(report);
      const result = await page.evaluate((text) => {
        // In the page, where the DOM is (this file is type-checked without DOM types).
        const Parser = (globalThis as unknown as { DOMParser: new () => { parseFromString(s: string, type: string): { querySelector(q: string): { textContent: string | null } | null; querySelectorAll(q: string): { length: number } } } }).DOMParser;
        const doc = new Parser().parseFromString(text, 'application/xml');
        return { error: doc.querySelector('parsererror')?.textContent ?? null, cases: doc.querySelectorAll('testcase').length, failures: doc.querySelectorAll('testcase > failure').length };
      }, xml);
      expect(result.error).toBeNull();
      expect(result.cases).toBeGreaterThanOrEqual(report.matrix.length);
      expect(result.failures).toBeGreaterThan(0);
    } finally {
      await page.close();
    }
  });
});
