/**
 * `tenantproof watch`: the developer's loop. Every save of current.sql is
 * applied (graphile-migrate, once per change), then the static lint runs on
 * the whole catalog and a quick probe pass (a few worlds) runs on the
 * relations the save affected; one verdict says what is exposed, to whom,
 * and the fix.
 *
 * Why our own loop (chokidar + applyCurrent once per change) and not
 * graphile-migrate's watch: its watch polls with a 200 ms stability wait,
 * swallows errors into its logger and has no "applied" callback, so we
 * could not run the verdict after a successful apply, nor keep the last good
 * state visible. Ours reacts to file-system events, settles for 50 ms,
 * applies with the same graphile-migrate code (a failed current.sql is rolled
 * back in its own transaction, so the database keeps its last good state),
 * and never runs two applies at once: a save during a pass aborts the pass
 * and the newest content wins.
 *
 * What stays warm between saves: the server, one pool, the last catalog and
 * the probe results per relation.
 *
 * Long module: the loop, the session and the verdict share one lifecycle
 * (the warm pool, the last catalog, the cached probe results); what a save
 * changed is apart, in watch-scope.ts. One introspection per successful apply
 * (the schema changed, so it must be read again), none for a failed one.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import chokidar, { type FSWatcher } from 'chokidar';
import { sql, type ConnectionPool } from '@databases/pg';
import { introspect } from '../catalog/introspect.js';
import { catalogOptions } from '../catalog/options.js';
import type { Catalog } from '../catalog/types.js';
import type { ResolvedConfig } from '../config/schema.js';
import { openPool } from '../db/pool.js';
import { withDatabase, type ServerHandle } from '../db/server.js';
import { TenantproofError, isTenantproofError } from '../errors.js';
import type { Finding, SourceLocation } from '../findings/types.js';
import { databaseExists, maintenanceUrl } from '../migrate/root.js';
import { runProbes, type ProbeProgress } from '../probes/engine.js';
import { PROBE_LIST } from '../probes/registry.js';
import { devDatabase, projectWithConfig, serverFor, type CommandContext } from './context.js';
import { needBypass } from './gate.js';
import { staticFindings, type Where } from './pipeline.js';
import { diffCatalogs, probeScope } from './watch-scope.js';

export { diffCatalogs, probeScope, type ChangeSet } from './watch-scope.js';

export interface WatchOptions {
  config?: string | undefined;
  /** Worlds per pass (default 5: quick, the gate runs the full number). */
  runs?: number | undefined;
  /** fast-check seed, fixed for the session so that the same schema gets the same verdict (default: the config's, else random). */
  seed?: number | undefined;
  /** Quiet period after the last file event before applying: editors write in bursts (default 50 ms). */
  settleMs?: number | undefined;
  /** Aborting it stops the watcher, the pass in flight and the server this call started. */
  signal: AbortSignal;
  onEvent: (e: WatchEvent) => void;
}

export type WatchEvent =
  | { type: 'ready'; server: string; database: string; files: string[]; seed: number; runs: number }
  | { type: 'applied'; ms: number }
  | { type: 'unchanged' }
  | { type: 'probing'; subjects: number; all: boolean }
  | { type: 'progress'; progress: ProbeProgress }
  | { type: 'migration-error'; error: TenantproofError }
  | { type: 'verdict'; verdict: WatchVerdict }
  | { type: 'error'; error: TenantproofError }
  | { type: 'stopped'; stoppedServer: boolean };

/** One exposed relation (or function, or role): what, to whom, and the fix. */
export interface Exposure {
  /** Relation, function signature or object the findings are about; null for the config or a role. */
  subject: string | null;
  actors: string[];
  rules: string[];
  /** "member reads other tenants' rows", or the lint message. */
  what: string;
  fix: string;
  location?: SourceLocation;
  /** Not exposed before this save. */
  isNew: boolean;
}

export interface WatchVerdict {
  ok: boolean;
  exposures: Exposure[];
  /** Warning-level findings (shown in full by the gate). */
  warnings: number;
  /** Tenant relations in the schema, and actors in the config. */
  relations: number;
  actors: number;
  /** 'all' on the first pass (or when roles or tenancy changed), 'affected' for the relations a save touched, 'unchanged' when the save changed nothing the probes see. */
  scope: 'all' | 'affected' | 'unchanged';
  /** Relations and functions whose definition this save changed. */
  changed: string[];
  /** Relations and functions probed in this pass. */
  probed: number;
  checks: number;
  worlds: number;
  seed: number;
  /** Milliseconds: apply, catalog, lint, probes, and total from the change seen to the verdict. */
  ms: { apply: number; catalog: number; lint: number; probes: number; total: number };
}

// ---------------------------------------------------------------------------
// The verdict.

/** Each probe's words for the verdict line, from its definition (src/probes/defs). */
const PROBE_PHRASES: Record<string, { tenant: string; none: string }> = Object.fromEntries(PROBE_LIST.map((p) => [p.id, p.phrase]));

/** One exposure per subject: the probe evidence first (what happened), then the static findings. */
export function exposuresOf(errors: readonly Finding[], config: ResolvedConfig, previous: ReadonlySet<string>): Exposure[] {
  const groups = new Map<string, Finding[]>();
  for (const f of errors) {
    const key = f.relation ?? f.object ?? f.rule;
    groups.set(key, [...(groups.get(key) ?? []), f]);
  }
  const expectOf = new Map(config.actors.map((a) => [a.name, a.expect]));
  const out: Exposure[] = [];
  for (const list of groups.values()) {
    const probes = list.filter((f) => f.rule.startsWith('probe-') && PROBE_PHRASES[f.rule.slice('probe-'.length)]);
    const primary = probes[0] ?? list[0]!;
    const actors = [...new Set(list.map((f) => f.actor).filter((a): a is string => a !== null))];
    let what: string;
    if (probes.length > 0) {
      const probeActors = [...new Set(probes.map((f) => f.actor).filter((a): a is string => a !== null))];
      const phrase = PROBE_PHRASES[primary.rule.slice('probe-'.length)]!;
      what = `${probeActors.join(', ')} ${probeActors.every((a) => expectOf.get(a) === 'none') ? phrase.none : phrase.tenant}`;
    } else what = primary.message.length > 160 ? `${primary.message.slice(0, 157)}...` : primary.message;
    const location = list.find((f) => f.location)?.location;
    out.push({
      subject: primary.relation ?? primary.object ?? null,
      actors,
      rules: [...new Set([primary.rule, ...list.map((f) => f.rule)])],
      what,
      fix: primary.fix,
      ...(location ? { location } : {}),
      isNew: list.some((f) => !previous.has(f.id)),
    });
  }
  // New exposures first: they are what the save just did.
  return out.sort((a, b) => Number(b.isNew) - Number(a.isNew) || String(a.subject).localeCompare(String(b.subject)));
}

interface CachedProbe {
  findings: Finding[];
}

/**
 * The warm half of the loop on one database: the last catalog, the probe
 * findings per relation or function, and what still has to be probed (a
 * pass aborted by a newer save leaves its subjects pending).
 */
export class WatchSession {
  private catalog: Catalog | null = null;
  private readonly probes = new Map<string, CachedProbe>();
  /** Findings of the last pass not about one relation (pooled context checks). */
  private general: Finding[] = [];
  private pending = new Set<string>();
  private pendingAll = true;
  private lastErrors = new Set<string>();

  constructor(
    private db: ConnectionPool,
    private readonly config: ResolvedConfig,
    private readonly o: Where & { runs: number; seed: number },
  ) {}

  /** A source that rebuilds the database (a plain folder) hands the session a new pool after each apply. */
  use(db: ConnectionPool): void {
    this.db = db;
  }

  /** Reads the catalog again, lints it, probes what changed, and says what is exposed. */
  async evaluate(options: { signal?: AbortSignal; applyMs?: number; onProgress?: (p: ProbeProgress) => void; onProbing?: (subjects: number, all: boolean) => void } = {}): Promise<WatchVerdict> {
    const t0 = performance.now();
    const catalog = await introspect(this.db, catalogOptions(this.config));
    const tCatalog = performance.now();
    const change = diffCatalogs(this.catalog, catalog);
    this.catalog = catalog;
    if (change.all) this.pendingAll = true;
    for (const s of change.affected) this.pending.add(s);

    const lintFindings = await staticFindings(catalog, this.config, this.o);
    const tLint = performance.now();

    // Forget relations and functions that no longer exist.
    const present = new Set([...catalog.relations.map((r) => r.qualifiedName), ...catalog.functions.map((f) => f.signature)]);
    for (const s of [...this.probes.keys()]) if (!present.has(s)) this.probes.delete(s);

    let checks = 0;
    let worlds = 0;
    let probed = 0;
    const all = this.pendingAll;
    const scope = all ? catalog : probeScope(catalog, this.pending);
    const subjects = new Set([...scope.relations.filter((r) => r.tenancy && !r.extension).map((r) => r.qualifiedName), ...scope.functions.map((f) => f.signature)]);
    const hasWork = all || [...this.pending].some((s) => present.has(s));
    if (hasWork) {
      options.onProbing?.(subjects.size, all);
      const run = await runProbes(this.db, catalog, this.config, {
        runs: this.o.runs,
        seed: this.o.seed,
        // The verdict needs the failure, not the minimal world: the gate shrinks.
        shrinkBudget: 0,
        ...(all ? {} : { only: new Set(scope.relations.map((r) => r.qualifiedName)) }),
        ...(options.signal ? { signal: options.signal } : {}),
        ...(options.onProgress ? { onProgress: options.onProgress } : {}),
      });
      for (const s of subjects) this.probes.set(s, { findings: [] });
      const general: Finding[] = [];
      for (const f of run.findings) {
        const entry = f.relation !== null ? this.probes.get(f.relation) : undefined;
        if (entry) entry.findings.push(f);
        else general.push(f);
      }
      this.general = general;
      checks = run.coverage.checks;
      worlds = run.coverage.worlds;
      probed = subjects.size;
      this.pending.clear();
      this.pendingAll = false;
    }
    const tProbes = performance.now();

    // A pass that judged nothing proves nothing: the engine reports it (coverage-vacuous), as in the gate.
    const findings = [...lintFindings, ...[...this.probes.values()].flatMap((p) => p.findings), ...this.general];
    const errors = findings.filter((f) => f.severity === 'error');
    const exposures = exposuresOf(errors, this.config, this.lastErrors);
    this.lastErrors = new Set(errors.map((f) => f.id));
    const round = (n: number) => Math.round(n);
    const applyMs = options.applyMs ?? 0;
    return {
      ok: errors.length === 0,
      exposures,
      warnings: findings.filter((f) => f.severity === 'warning').length,
      relations: catalog.relations.filter((r) => r.tenancy && !r.extension).length,
      actors: this.config.actors.length,
      scope: all ? 'all' : hasWork ? 'affected' : 'unchanged',
      changed: change.changed,
      probed,
      checks,
      worlds,
      seed: this.o.seed,
      ms: { apply: round(applyMs), catalog: round(tCatalog - t0), lint: round(tLint - tCatalog), probes: round(tProbes - tLint), total: round(applyMs + tProbes - t0) },
    };
  }
}

// ---------------------------------------------------------------------------
// The loop.

function readWatched(files: readonly string[]): string {
  const parts: string[] = [];
  for (const f of files) {
    try {
      if (statSync(f).isDirectory()) {
        for (const name of readdirSync(f).filter((n) => n.endsWith('.sql')).sort()) parts.push(name, readFileSync(path.join(f, name), 'utf8'));
      } else parts.push(readFileSync(f, 'utf8'));
    } catch {
      parts.push('\u0000missing'); // deleted mid-save: not the same as any content
    }
  }
  return parts.join('\n\u0000\n');
}

/**
 * A cheap fingerprint of the schema, for a source with no file to watch
 * (none): every DDL statement rewrites catalog rows, so their (oid, xmin)
 * pairs change.
 */
async function schemaFingerprint(db: ConnectionPool): Promise<string> {
  const [row] = await db.query(sql`select md5(string_agg(x, ',' order by x)) as f from (
      select 'c' || oid || ':' || xmin as x from pg_class union all select 'p' || oid || ':' || xmin from pg_policy
      union all select 'f' || oid || ':' || xmin from pg_proc union all select 'n' || oid || ':' || xmin from pg_namespace
      union all select 'm' || roleid || ':' || member || ':' || xmin from pg_auth_members) t`);
  return row!.f as string;
}

/**
 * Watches the project's working migration until `o.signal` aborts. Resolves
 * after the watcher is closed, the pass in flight stopped, the pool closed
 * and the server released (stopped only if this call started it). Throws
 * only for what prevents watching at all (config, server); migration and
 * probe errors are events.
 */
export async function watchProject(ctx: CommandContext, o: WatchOptions): Promise<void> {
  const { config, source } = await projectWithConfig(ctx, o.config);
  const seed = o.seed ?? config.probes.seed ?? Math.floor(Math.random() * 2 ** 31);
  const settleMs = o.settleMs ?? 50;
  const pollMs = 1000;
  if (o.signal.aborted) return;

  const server: ServerHandle = await serverFor(ctx);
  ctx.log(`server: ${server.description}`);
  let db: ConnectionPool | null = null;
  let watcher: FSWatcher | null = null;
  let poller: NodeJS.Timeout | null = null;
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<void> | null = null;
  let pass: AbortController | null = null;
  try {
    const quiet = () => {};
    const base = { projectRoot: ctx.projectRoot, serverUrl: server.url, database: devDatabase(ctx) };
    // The migration tool's narration is worth reading at start-up; on every save our one line says it.
    const target = (narrate: boolean) => ({ ...base, log: narrate ? ctx.log : quiet });
    const connect = () => openPool({ connectionString: withDatabase(server.url, base.database), poolSize: 4 });
    // A fresh server has no development database yet: build it from the migrations.
    let builtNow = false;
    if (!(await databaseExists(await maintenanceUrl(server.url), base.database))) {
      if (source.existing) throw new TenantproofError('database-missing', `the database ${base.database} does not exist`, 'create and migrate it with your own tool, or point DATABASE_URL at the database to watch');
      await source.reset(target(true));
      builtNow = true;
    }
    db = await connect();
    // The probes read every tenant's rows to judge what an actor saw: like `check`, they need a judge that bypasses RLS.
    await needBypass(db, 'watch-needs-superuser');
    const session = new WatchSession(db, config, { projectRoot: ctx.projectRoot, source, runs: o.runs ?? 5, seed });

    let lastApplied: string | null = null;
    // A successful apply whose verdict a newer save pre-empted: evaluated even if that newer save fails.
    let unevaluated = false;
    const watched = source.watched();
    let again = false;

    // A source that rebuilds the database (a folder) needs every connection to it closed first.
    const apply = async (narrate: boolean): Promise<void> => {
      if (!source.rebuilds) return source.applyWorking(target(narrate));
      await db?.dispose();
      db = null;
      try {
        await source.applyWorking(target(narrate));
      } finally {
        db = await connect();
        session.use(db);
      }
    };

    const cycle = async (first: boolean): Promise<void> => {
      const text = watched.length > 0 ? readWatched(watched) : await schemaFingerprint(db!);
      if (!first && text === lastApplied) {
        o.onEvent({ type: 'unchanged' });
        return;
      }
      const t0 = performance.now();
      try {
        // A rebuilding source that just built the database has nothing more to apply on the first pass.
        if (!(first && builtNow && source.rebuilds)) await apply(first);
        lastApplied = text;
        unevaluated = true;
        if (!first) o.onEvent({ type: 'applied', ms: Math.round(performance.now() - t0) });
      } catch (e) {
        o.onEvent({ type: 'migration-error', error: asError(e) });
        // The database kept its last good state; its verdict stands unless it was never given.
        if (!first && !unevaluated) return;
      }
      const applyMs = performance.now() - t0;
      if (again) return; // a newer save is waiting: its verdict is the one worth waiting for
      pass = new AbortController();
      const signal = AbortSignal.any([o.signal, pass.signal]);
      try {
        const verdict = await session.evaluate({
          signal,
          applyMs,
          onProgress: (progress) => o.onEvent({ type: 'progress', progress }),
          onProbing: (subjects, all) => o.onEvent({ type: 'probing', subjects, all }),
        });
        unevaluated = false;
        o.onEvent({ type: 'verdict', verdict });
      } catch (e) {
        if (signal.aborted) return; // superseded by a newer save, or stopping
        o.onEvent({ type: 'error', error: asError(e) });
      } finally {
        pass = null;
      }
    };

    // One cycle at a time; a save during a cycle aborts its probes and runs one more cycle with the newest content.
    let first = true;
    const kick = () => {
      if (o.signal.aborted) return;
      if (running) {
        again = true;
        pass?.abort();
        return;
      }
      running = (async () => {
        do {
          again = false;
          const isFirst = first;
          first = false;
          await cycle(isFirst);
        } while (again && !o.signal.aborted);
      })().finally(() => {
        running = null;
      });
    };

    if (watched.length > 0) {
      // Watching starts before the first pass, so that a save during it is not lost.
      watcher = chokidar.watch(watched, { ignoreInitial: true, persistent: true });
      const schedule = () => {
        if (timer) clearTimeout(timer);
        timer = setTimeout(kick, settleMs);
      };
      watcher.on('add', schedule).on('change', schedule).on('unlink', schedule);
      await new Promise<void>((resolve, reject) => {
        watcher!.once('ready', resolve);
        watcher!.once('error', reject);
      });
    } else {
      // Nothing to watch (no migrations): look at the catalog instead, once a second, between passes.
      poller = setInterval(() => {
        if (!running && db) void schemaFingerprint(db).then((f) => f !== lastApplied && kick(), () => {});
      }, pollMs);
    }
    const files = watched.length > 0 ? watched.map((f) => path.relative(ctx.projectRoot, f) || f) : [`the schema of ${base.database}`];
    o.onEvent({ type: 'ready', server: server.description, database: base.database, files, seed, runs: o.runs ?? 5 });
    kick();
    await new Promise<void>((resolve) => (o.signal.aborted ? resolve() : o.signal.addEventListener('abort', () => resolve(), { once: true })));
  } finally {
    if (timer) clearTimeout(timer);
    if (poller) clearInterval(poller);
    await watcher?.close();
    (pass as AbortController | null)?.abort();
    await (running as Promise<void> | null)?.catch(() => {});
    await (db as ConnectionPool | null)?.dispose().catch(() => {});
    await server.release();
    o.onEvent({ type: 'stopped', stoppedServer: server.startedHere });
  }
}

function asError(e: unknown): TenantproofError {
  if (isTenantproofError(e)) return e;
  return new TenantproofError('watch-failed', e instanceof Error ? e.message : String(e), 'fix the problem above and save again', { cause: e });
}
