/**
 * `tenantproof watch`: what a save affects (catalog before and after), the
 * warm session that probes only that, and the command as a developer runs
 * it: a broken policy, a broken migration, the fix, Ctrl-C; the server it
 * started stops with it, a server it reused keeps running.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { sql, type Queryable } from '@databases/pg';
import { introspect } from '../src/catalog/introspect.js';
import { catalogOptions } from '../src/catalog/options.js';
import type { Catalog } from '../src/catalog/types.js';
import { diffCatalogs, exposuresOf, probeScope, WatchSession, type WatchVerdict } from '../src/commands/watch.js';
import { graphileSource } from '../src/migrate/graphile-source.js';
import { loadConfig, unwrapConfig } from '../src/config/load.js';
import type { ResolvedConfig } from '../src/config/schema.js';
import { openPool } from '../src/db/pool.js';
import type { Finding } from '../src/findings/types.js';
import { freshDatabase, type TestDatabase } from './support/database.js';
import { tempProject, type TempProject } from './support/temp-project.js';

const LEAK = 'drop policy if exists watch_leak on app.documents;\ncreate policy watch_leak on app.documents for select to tp_member using (true);\n';
const FIXED = 'drop policy if exists watch_leak on app.documents;\n';

let config: ResolvedConfig;
beforeAll(async () => {
  config = unwrapConfig(await loadConfig(path.join(inject('projectRoot'), 'tenantproof.config.ts')));
});

class Rollback extends Error {}
/** The catalog before and after `change`, inside one transaction that is rolled back: nothing is left behind. */
async function beforeAfter(db: { tx<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> }, change: string): Promise<[Catalog, Catalog]> {
  let out: [Catalog, Catalog] | undefined;
  await db
    .tx(async (tx) => {
      const before = await introspect(tx, catalogOptions(config));
      await tx.query(sql.__dangerous__rawValue(change));
      out = [before, await introspect(tx, catalogOptions(config))];
      throw new Rollback();
    })
    .catch((e: unknown) => {
      if (!(e instanceof Rollback)) throw e;
    });
  return out!;
}

describe('what a save affects', () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await freshDatabase({ template: 'reference' });
  });
  afterAll(async () => t?.drop());

  it('a new policy changes its relation, and affects what reads it, not its parents', async () => {
    const [before, after] = await beforeAfter(t.db, LEAK);
    const c = diffCatalogs(before, after);
    expect(c.all).toBe(false);
    expect(c.changed).toEqual(['app.documents']);
    expect(c.affected.has('app.documents')).toBe(true);
    expect(c.affected.has('app.tenants')).toBe(false);
    expect(c.affected.has('app.users')).toBe(false);
    // Everything else affected reads app.documents (a view over it, or a policy or function that names it).
    for (const s of c.affected) {
      if (s === 'app.documents') continue;
      const r = after.relations.find((x) => x.qualifiedName === s);
      const f = after.functions.find((x) => x.signature === s);
      const reads = r ? [...r.dependsOn, ...r.policies.flatMap((p) => [...p.relations, ...p.functions])] : [...(f?.relationsReferenced ?? []), ...(f?.calls ?? []), f?.returnsRelation];
      expect(reads.some((x) => x !== undefined && x !== null && c.affected.has(x)), s).toBe(true);
    }
  });

  it('the same policy dropped and created again is no change', async () => {
    const [before, after] = await beforeAfter(
      t.db,
      `do $$ declare d text; begin
         select format('create policy %I on app.documents as %s for %s to %s using (%s)', policyname, permissive, cmd, array_to_string(roles, ','), qual) into d
         from pg_policies where schemaname = 'app' and tablename = 'documents' and cmd = 'SELECT' order by policyname limit 1;
         execute 'drop policy ' || (select quote_ident(policyname) from pg_policies where schemaname = 'app' and tablename = 'documents' and cmd = 'SELECT' order by policyname limit 1) || ' on app.documents';
         execute d;
       end $$`,
    );
    const c = diffCatalogs(before, after);
    expect(c.changed).toEqual([]);
    expect(c.affected.size).toBe(0);
  });

  it('a function the policies call affects every relation whose policy calls it', async () => {
    const [[fn]] = [await t.db.query(sql`select pg_get_functiondef('app.current_tenant_id()'::regprocedure) as def`)];
    // The same function with one more comment in its body: a change of definition.
    const def = (fn!.def as string).replace(/\$function\$/, '$function$ -- edited\n');
    const [before, after] = await beforeAfter(t.db, def);
    const c = diffCatalogs(before, after);
    expect(c.changed).toEqual(['app.current_tenant_id()']);
    const callers = after.relations.filter((r) => r.policies.some((p) => p.functions.includes('app.current_tenant_id()'))).map((r) => r.qualifiedName);
    expect(callers.length).toBeGreaterThan(3);
    for (const r of callers) expect(c.affected.has(r), r).toBe(true);
  });

  it("a change to an actor's roles affects everything", async () => {
    const [before, after] = await beforeAfter(t.db, 'grant tp_platform to tp_member');
    const c = diffCatalogs(before, after);
    expect(c.all).toBe(true);
    expect(c.affected.size).toBe(after.relations.length + after.functions.length);
  });

  it('the probe scope holds the affected relations and what a world needs to fill them, nothing more', async () => {
    const catalog = await introspect(t.db, catalogOptions(config));
    const scope = probeScope(catalog, new Set(['app.documents']));
    const names = scope.relations.map((r) => r.qualifiedName);
    const documents = catalog.relations.find((r) => r.qualifiedName === 'app.documents')!;
    expect(names).toContain('app.documents');
    expect(names).toContain('app.tenants');
    for (const fk of documents.foreignKeys) expect(names).toContain(fk.references);
    expect(names.length).toBeLessThan(catalog.relations.length / 2);
    expect(scope.functions).toEqual([]);
  });
});

describe('the verdict', () => {
  const finding = (o: Partial<Finding>): Finding => ({ id: o.rule ?? 'x', rule: 'probe-read', severity: 'error', relation: 'app.notes', actor: 'member', message: 'm', fix: 'f', reproduction: null, ...o });

  it('says who reads what, with the fix of the dynamic evidence, and marks what is new', () => {
    const [e] = exposuresOf(
      [finding({ id: 'lint1', rule: 'policy-always-true', actor: null, message: 'policy x is always true', fix: 'lint fix', location: { file: 'current.sql', line: 2 } }), finding({ id: 'p1', fix: 'probe fix' })],
      config,
      new Set(['lint1']),
    );
    expect(e).toMatchObject({ subject: 'app.notes', what: "member reads other tenants' rows", fix: 'probe fix', rules: ['probe-read', 'policy-always-true'], isNew: true, location: { file: 'current.sql', line: 2 } });
  });

  it("speaks of tenant rows for an actor that must see none, and of the lint's message when no probe failed", () => {
    const anon = exposuresOf([finding({ actor: 'anonymous', rule: 'probe-read' })], config, new Set(['probe-read']));
    expect(anon[0]).toMatchObject({ what: 'anonymous reads tenant rows', isNew: false });
    const lintOnly = exposuresOf([finding({ rule: 'rls-not-forced', actor: null, message: 'app.notes has RLS enabled but not forced' })], config, new Set());
    expect(lintOnly[0]!.what).toBe('app.notes has RLS enabled but not forced');
  });
});

describe('the warm session', () => {
  let t: TestDatabase;
  let session: WatchSession;
  const verdicts: WatchVerdict[] = [];
  beforeAll(async () => {
    t = await freshDatabase({ template: 'reference' });
    const root = inject('projectRoot');
    session = new WatchSession(t.db, config, { projectRoot: root, source: graphileSource(path.join(root, 'migrations'), 'migrations/'), runs: 3, seed: 1 });
  });
  afterAll(async () => t?.drop());

  it('probes everything once, then only what each change affected', async () => {
    const first = await session.evaluate();
    verdicts.push(first);
    expect(first).toMatchObject({ ok: true, scope: 'all', exposures: [] });
    expect(first.checks).toBeGreaterThan(0);

    await t.db.query(sql.__dangerous__rawValue(LEAK));
    const broken = await session.evaluate();
    expect(broken).toMatchObject({ ok: false, scope: 'affected', changed: ['app.documents'] });
    expect(broken.probed).toBeLessThan(first.probed / 2);
    expect(broken.exposures[0]).toMatchObject({ subject: 'app.documents', what: "member reads other tenants' rows", isNew: true });
    expect(broken.exposures[0]!.rules).toEqual(expect.arrayContaining(['probe-read', 'policy-always-true']));

    const again = await session.evaluate();
    expect(again).toMatchObject({ ok: false, scope: 'unchanged', checks: 0, probed: 0 });
    expect(again.exposures[0]).toMatchObject({ subject: 'app.documents', isNew: false });

    await t.db.query(sql.__dangerous__rawValue(FIXED));
    const fixed = await session.evaluate();
    expect(fixed).toMatchObject({ ok: true, scope: 'affected', exposures: [], changed: ['app.documents'] });
    // The relations left out of the partial passes kept their results: the totals are the schema's.
    expect(fixed.relations).toBe(first.relations);
  });
});

// ---------------------------------------------------------------------------
// The command, as a developer runs it.

interface Watcher {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  /** Resolves when stdout (or stderr) has matched `re` past what earlier waits consumed. */
  until(re: RegExp, stream?: 'stdout' | 'stderr', timeoutMs?: number): Promise<string>;
  exited: Promise<number | null>;
}

function startWatch(cwd: string, env: Record<string, string | undefined>): Watcher {
  const e: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1', ...env };
  for (const [k, v] of Object.entries(env)) if (v === undefined) delete e[k];
  const child = spawn(process.execPath, [path.join(inject('projectRoot'), 'bin/tenantproof.js'), 'watch', '--runs', '3', '--seed', '1'], { cwd, env: e, stdio: ['ignore', 'pipe', 'pipe'] });
  const buf = { stdout: '', stderr: '' };
  const seen = { stdout: 0, stderr: 0 };
  child.stdout!.on('data', (d: Buffer) => (buf.stdout += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (buf.stderr += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code, signal) => resolve(code ?? (signal ? 128 : null))));
  let done = false;
  void exited.then(() => (done = true));
  return {
    child,
    stdout: () => buf.stdout,
    stderr: () => buf.stderr,
    exited,
    async until(re, stream = 'stdout', timeoutMs = 150_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const m = re.exec(buf[stream].slice(seen[stream]));
        if (m) {
          seen[stream] += m.index + m[0].length;
          return m[0];
        }
        if (done || Date.now() > deadline) {
          throw new Error(`no ${re} on ${stream} (${done ? 'exited' : 'timed out'});\nstdout:\n${buf.stdout}\nstderr:\n${buf.stderr.slice(-3000)}`);
        }
        await new Promise((r) => setTimeout(r, 50));
      }
    },
  };
}

/** The reference config, its imports made absolute so that it loads from a temporary project. */
function writeConfig(project: TempProject): void {
  const root = inject('projectRoot');
  writeFileSync(path.join(project.root, 'tenantproof.config.ts'), readFileSync(path.join(root, 'tenantproof.config.ts'), 'utf8').replaceAll("'./", `'${root}/`));
}

function postmasterRunning(root: string): boolean {
  const state = path.join(root, '.tenantproof');
  if (!existsSync(state)) return false;
  for (const dir of readdirSync(state).filter((d) => d.endsWith('-dev'))) {
    const pidFile = path.join(state, dir, 'data', 'postmaster.pid');
    if (!existsSync(pidFile)) continue;
    try {
      process.kill(Number(readFileSync(pidFile, 'utf8').split('\n')[0]), 0);
      return true;
    } catch {
      // not running
    }
  }
  return false;
}

describe('tenantproof watch on its own embedded server', () => {
  let project: TempProject;
  let w: Watcher | undefined;
  beforeAll(() => {
    project = tempProject();
    writeConfig(project);
  });
  afterAll(async () => {
    if (w && w.child.exitCode === null) {
      w.child.kill('SIGKILL');
      await w.exited;
    }
    await project?.cleanup();
  });

  it('a broken policy, a broken migration, the fix; Ctrl-C stops the watcher and its server', { timeout: 300_000 }, async () => {
    w = startWatch(project.root, { DATABASE_URL: undefined });
    await w.until(/✓ isolation holds: \d+ relations, 4 actors, [\d,]+ checks in [\d.]+ s/);
    expect(w.stderr()).toMatch(/watching current\.sql on database tenantproof_dev \(Ctrl-C to stop\); 3 worlds per pass, seed 1/);
    expect(postmasterRunning(project.root)).toBe(true);

    writeFileSync(path.join(project.root, 'current.sql'), LEAK);
    await w.until(/✗ app\.documents \(migrations\/current\.sql:2\): member reads other tenants' rows \(probe-read[^)]*\) — fix: restrict the relation's SELECT policies/);
    await w.until(/1 exposed \(1 new\) · \d+ relations, 4 actors, [\d,]+ checks on \d+ relations \(app\.documents changed\) in [\d.]+ s/);

    writeFileSync(path.join(project.root, 'current.sql'), `${FIXED}create polcy watch_leak on app.documents using (true);\n`);
    await w.until(/✗ migration failed at current\.sql:2: syntax error at or near "polcy" \(SQLSTATE 42601\)/);
    await w.until(/the database keeps its last good state; fix current\.sql and save again/);

    writeFileSync(path.join(project.root, 'current.sql'), FIXED);
    await w.until(/✓ isolation holds: \d+ relations, 4 actors, [\d,]+ checks on \d+ relations \(app\.documents changed\) in [\d.]+ s/);

    w.child.kill('SIGINT');
    expect(await w.exited).toBe(0);
    expect(w.stderr()).toMatch(/stopped the watcher and the server it started/);
    expect(postmasterRunning(project.root)).toBe(false);
  });
});

describe('tenantproof watch on a server it did not start (DATABASE_URL)', () => {
  let project: TempProject;
  let t: TestDatabase;
  let w: Watcher | undefined;
  beforeAll(async () => {
    project = tempProject();
    writeConfig(project);
    t = await freshDatabase({ template: 'reference' });
    // As `db reset` leaves a development database: owned by the migration owner of .gmrc.
    const admin = await openPool({ connectionString: inject('serverUrl'), poolSize: 1, warm: 1 });
    try {
      await admin.query(sql`alter database ${sql.ident(t.name)} owner to tp_owner`);
    } finally {
      await admin.dispose();
    }
  });
  afterAll(async () => {
    if (w && w.child.exitCode === null) {
      w.child.kill('SIGKILL');
      await w.exited;
    }
    await t?.drop();
    await project?.cleanup();
  });

  it('keeps the last good state through a broken migration, and leaves the server running', { timeout: 300_000 }, async () => {
    w = startWatch(project.root, { DATABASE_URL: t.url });
    await w.until(/✓ isolation holds/);

    writeFileSync(path.join(project.root, 'current.sql'), LEAK);
    await w.until(/✗ app\.documents .*member reads other tenants' rows/);
    writeFileSync(path.join(project.root, 'current.sql'), LEAK);
    await w.until(/current\.sql saved without changes/, 'stderr');

    // The first statement runs, the second fails: the whole file is rolled back, the leak from the last good save stays.
    writeFileSync(path.join(project.root, 'current.sql'), `create table app.half_done (id int);\n${FIXED}select * from app.no_such_table;\n`);
    await w.until(/✗ migration failed at current\.sql:3: relation "app\.no_such_table" does not exist \(SQLSTATE 42P01\)/);
    expect(await t.db.query(sql`select to_regclass('app.half_done') as t`)).toEqual([{ t: null }]);
    expect(await t.db.query(sql`select policyname from pg_policies where policyname = 'watch_leak'`)).toEqual([{ policyname: 'watch_leak' }]);

    w.child.kill('SIGINT');
    expect(await w.exited).toBe(0);
    expect(w.stderr()).toMatch(/stopped the watcher \(the server was already running and keeps running\)/);
    const admin = await openPool({ connectionString: inject('serverUrl'), poolSize: 1, warm: 1 });
    try {
      expect(await admin.query(sql`select 1 as ok`)).toEqual([{ ok: 1 }]);
    } finally {
      await admin.dispose();
    }
  });
});
