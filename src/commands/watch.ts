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
 * the probe results per relation. One introspection per successful apply
 * (the schema changed, so it must be read again), none for a failed one.
 */
import { existsSync, readdirSync, readFileSync, realpathSync, statSync } from 'node:fs';
import path from 'node:path';
import { format } from 'node:util';
import chokidar, { type FSWatcher } from 'chokidar';
import { sql, type ConnectionPool } from '@databases/pg';
import { introspect } from '../catalog/introspect.js';
import { catalogOptions } from '../catalog/options.js';
import type { Catalog, Func, Relation } from '../catalog/types.js';
import type { ResolvedConfig } from '../config/schema.js';
import { openPool } from '../db/pool.js';
import { withDatabase, type ServerHandle } from '../db/server.js';
import { TenantproofError, isTenantproofError } from '../errors.js';
import type { Finding, SourceLocation } from '../findings/types.js';
import { lint } from '../lint/lint.js';
import { locateObjects } from '../lint/locations.js';
import { applyCurrent, resetDatabase } from '../migrate/index.js';
import { loadGmrc } from '../migrate/settings.js';
import { runProbes, type ProbeProgress } from '../probes/engine.js';
import { devDatabase, serverFor, type CommandContext } from './context.js';
import { resolveConfig } from './isolation-config.js';

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
// Affected relations: compare the catalog before and after the apply.

export interface ChangeSet {
  /** Everything must be probed: first pass, or the actors' roles or the tenancy changed. */
  all: boolean;
  /** Relations (schema.name) and function signatures whose definition changed, appeared or disappeared. */
  changed: string[];
  /** The changed subjects and everything whose behaviour depends on them. */
  affected: Set<string>;
}

// oid changes when an object is dropped and recreated identically; that is no change for isolation.
const relationKey = ({ oid: _oid, ...rest }: Relation) => JSON.stringify(rest);
const functionKey = ({ oid: _oid, ...rest }: Func) => JSON.stringify(rest);

/**
 * What a save changed, from two catalogs. Changed: any difference in a
 * relation (columns, keys, RLS flags, policies, grants, tenancy) or a
 * function (body, security, grants). Affected adds, to a fixpoint, what
 * depends on a changed subject: views over it (dependsOn), relations whose
 * policies read it or call it (pg_depend), functions that name it, call it or
 * return its rows; partitions and their parent go together. A schema grant
 * affects its relations, a type its columns, a sequence the tables drawing
 * from it. Actor roles, memberships or the tenant table changing affect
 * everything. Foreign-key children are not dependents: a child's policies
 * and keys decide its isolation, not its parent's policies.
 */
export function diffCatalogs(before: Catalog | null, after: Catalog): ChangeSet {
  const subjects = [...after.relations.map((r) => r.qualifiedName), ...after.functions.map((f) => f.signature)];
  if (!before) return { all: true, changed: [], affected: new Set(subjects) };
  if (JSON.stringify(before.actors) !== JSON.stringify(after.actors) || JSON.stringify(before.tenancy) !== JSON.stringify(after.tenancy)) {
    return { all: true, changed: ['actor roles or tenancy'], affected: new Set(subjects) };
  }
  const changed = new Set<string>();
  const diff = <T>(a: readonly T[], b: readonly T[], name: (x: T) => string, key: (x: T) => string) => {
    const old = new Map(a.map((x) => [name(x), key(x)]));
    const now = new Map(b.map((x) => [name(x), key(x)]));
    for (const [n, k] of now) if (old.get(n) !== k) changed.add(n);
    for (const n of old.keys()) if (!now.has(n)) changed.add(n);
  };
  diff(before.relations, after.relations, (r) => r.qualifiedName, relationKey);
  diff(before.functions, after.functions, (f) => f.signature, functionKey);

  const direct = new Set(changed);
  const changedSchemas = new Set<string>();
  diff(before.schemas, after.schemas, (s) => `schema:${s.name}`, (s) => JSON.stringify(s));
  diff(before.types, after.types, (t) => `type:${t.schema}.${t.name}`, (t) => JSON.stringify(t));
  diff(before.sequences, after.sequences, (s) => `sequence:${s.qualifiedName}`, (s) => JSON.stringify(s));
  const seqUsers = new Map([...before.sequences, ...after.sequences].map((s) => [`sequence:${s.qualifiedName}`, s.usedBy]));
  for (const c of changed) {
    if (c.startsWith('schema:')) changedSchemas.add(c.slice('schema:'.length));
    else if (c.startsWith('type:')) {
      const t = c.slice('type:'.length);
      for (const r of after.relations) if (r.columns.some((col) => `${col.typeSchema}.${col.typeName}` === t)) direct.add(r.qualifiedName);
    } else if (c.startsWith('sequence:')) {
      for (const col of seqUsers.get(c) ?? []) direct.add(col.split('.').slice(0, 2).join('.'));
    }
  }
  for (const r of after.relations) if (changedSchemas.has(r.schema)) direct.add(r.qualifiedName);
  for (const f of after.functions) if (changedSchemas.has(f.schema)) direct.add(f.signature);

  const affected = new Set(direct);
  for (let grew = true; grew; ) {
    grew = false;
    const add = (s: string) => {
      if (!affected.has(s)) {
        affected.add(s);
        grew = true;
      }
    };
    for (const r of after.relations) {
      if (affected.has(r.qualifiedName)) {
        for (const p of r.partitions) add(p);
        if (r.partitionOf) add(r.partitionOf);
        continue;
      }
      const reads = [...r.dependsOn, ...r.policies.flatMap((p) => [...p.relations, ...p.functions])];
      if (reads.some((x) => affected.has(x))) add(r.qualifiedName);
    }
    for (const f of after.functions) {
      if (affected.has(f.signature)) continue;
      const reads = [...f.relationsReferenced, ...f.calls, ...(f.returnsRelation ? [f.returnsRelation] : [])];
      if (reads.some((x) => affected.has(x))) add(f.signature);
    }
  }
  return { all: false, changed: [...changed].sort(), affected };
}

/**
 * The catalog the probes see for a partial pass: the affected relations plus
 * what a world needs to fill them (the tenant table, foreign-key parents,
 * the relations views and policies read, partitions), transitively; and only
 * the affected functions. Everything else is left out, so its cases are not
 * built and its rows are not generated.
 */
export function probeScope(catalog: Catalog, affected: ReadonlySet<string>): Catalog {
  const byName = new Map(catalog.relations.map((r) => [r.qualifiedName, r]));
  const need = new Set<string>();
  const queue = [...catalog.relations.filter((r) => affected.has(r.qualifiedName)).map((r) => r.qualifiedName)];
  if (catalog.tenancy.tenantTable) queue.push(catalog.tenancy.tenantTable);
  for (const f of catalog.functions) if (affected.has(f.signature) && f.returnsRelation) queue.push(f.returnsRelation);
  while (queue.length > 0) {
    const name = queue.pop()!;
    const r = byName.get(name);
    if (!r || need.has(name)) continue;
    need.add(name);
    queue.push(...r.foreignKeys.map((k) => k.references), ...r.dependsOn, ...r.policies.flatMap((p) => p.relations), ...r.partitions);
    if (r.partitionOf) queue.push(r.partitionOf);
  }
  return {
    ...catalog,
    relations: catalog.relations.filter((r) => need.has(r.qualifiedName)),
    functions: catalog.functions.filter((f) => affected.has(f.signature)),
  };
}

// ---------------------------------------------------------------------------
// The verdict.

const PROBE_PHRASES: Record<string, { tenant: string; none: string }> = {
  read: { tenant: "reads other tenants' rows", none: 'reads tenant rows' },
  'read-unset': { tenant: 'reads rows with no tenant set', none: 'reads tenant rows' },
  'read-empty': { tenant: 'reads rows with an empty tenant', none: 'reads tenant rows' },
  'read-malformed': { tenant: 'reads rows with a malformed tenant', none: 'reads tenant rows' },
  'read-forged': { tenant: "reads other tenants' rows by forging a setting", none: 'reads tenant rows by forging a setting' },
  'read-escalated': { tenant: 'escapes to a role that bypasses row level security', none: 'escapes to a role that bypasses row level security' },
  insert: { tenant: 'inserts rows into other tenants', none: 'inserts tenant rows' },
  'insert-returning': { tenant: 'inserts rows into other tenants (RETURNING)', none: 'inserts tenant rows (RETURNING)' },
  update: { tenant: "updates other tenants' rows", none: 'updates tenant rows' },
  delete: { tenant: "deletes other tenants' rows", none: 'deletes tenant rows' },
  move: { tenant: 'moves its rows into another tenant', none: 'moves tenant rows' },
  steal: { tenant: "takes over other tenants' rows", none: 'takes over tenant rows' },
  reference: { tenant: "references other tenants' rows", none: 'references tenant rows' },
  upsert: { tenant: "overwrites other tenants' rows by upsert", none: 'overwrites tenant rows by upsert' },
  call: { tenant: "gets other tenants' rows from a function", none: 'gets tenant rows from a function' },
  'call-other-tenant': { tenant: "gets another tenant's rows by passing its id", none: 'gets tenant rows by passing a tenant id' },
  'duplicate-key': { tenant: "learns other tenants' values from duplicate-key errors", none: 'learns tenant values from duplicate-key errors' },
};

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
    private readonly db: ConnectionPool,
    private readonly config: ResolvedConfig,
    private readonly o: { projectRoot: string; migrationsDir: string; runs: number; seed: number },
  ) {}

  /** Reads the catalog again, lints it, probes what changed, and says what is exposed. */
  async evaluate(options: { signal?: AbortSignal; applyMs?: number; onProgress?: (p: ProbeProgress) => void; onProbing?: (subjects: number, all: boolean) => void } = {}): Promise<WatchVerdict> {
    const t0 = performance.now();
    const catalog = await introspect(this.db, catalogOptions(this.config));
    const tCatalog = performance.now();
    const change = diffCatalogs(this.catalog, catalog);
    this.catalog = catalog;
    if (change.all) this.pendingAll = true;
    for (const s of change.affected) this.pending.add(s);

    const locations = await locateObjects(this.o.migrationsDir, catalog, { relativeTo: this.o.projectRoot });
    const lintFindings = lint(catalog, this.config, { locations });
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

    // As in the gate, a pass that judged nothing proves nothing.
    const vacuous: Finding[] =
      hasWork && checks === 0 && subjects.size > 0
        ? [{
            id: 'coverage-vacuous',
            rule: 'coverage-vacuous',
            severity: 'error',
            relation: null,
            actor: null,
            message: `the probes judged nothing on ${subjects.size} relations and functions (0 checks)`,
            fix: 'run tenantproof gate and read its notes on refused rows; set probes.columns for columns no value could be found for',
            reproduction: null,
          }]
        : [];
    const findings = [...lintFindings, ...[...this.probes.values()].flatMap((p) => p.findings), ...this.general, ...vacuous];
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

/** The files graphile-migrate reads as the current migration: current.sql (through its link) or the current/ folder. */
export function currentMigrationFiles(migrationsDir: string): string[] {
  const out: string[] = [];
  const file = path.join(migrationsDir, 'current.sql');
  if (existsSync(file)) out.push(realpathSync(file));
  const dir = path.join(migrationsDir, 'current');
  if (existsSync(dir) && statSync(dir).isDirectory()) out.push(realpathSync(dir));
  return out;
}

function readCurrent(files: readonly string[]): string {
  const parts: string[] = [];
  for (const f of files) {
    try {
      if (statSync(f).isDirectory()) {
        for (const name of readdirSync(f).filter((n) => n.endsWith('.sql')).sort()) parts.push(readFileSync(path.join(f, name), 'utf8'));
      } else parts.push(readFileSync(f, 'utf8'));
    } catch {
      parts.push('\u0000missing'); // deleted mid-save: not the same as any content
    }
  }
  return parts.join('\n\u0000\n');
}

/**
 * While graphile-migrate runs, what it prints through console (its error
 * block, which repeats what our error says; with the default logger, its
 * progress too) goes to the narration log instead of between the verdicts.
 */
export async function withMigrationLog<T>(log: (line: string) => void, fn: () => Promise<T>): Promise<T> {
  const saved = { log: console.log, info: console.info, warn: console.warn, error: console.error };
  const to = (...args: unknown[]) => log(format(...args));
  console.log = console.info = console.warn = console.error = to;
  try {
    return await fn();
  } finally {
    Object.assign(console, saved);
  }
}

async function databaseExists(serverUrl: string, database: string): Promise<boolean> {
  const admin = await openPool({ connectionString: serverUrl, poolSize: 1, warm: 1 });
  try {
    return (await admin.query(sql`select 1 from pg_database where datname = ${database}`)).length > 0;
  } finally {
    await admin.dispose();
  }
}

/**
 * Watches current.sql until `o.signal` aborts. Resolves after the watcher is
 * closed, the pass in flight stopped, the pool closed and the server released
 * (stopped only if this call started it). Throws only for what prevents
 * watching at all (config, server); migration and probe errors are events.
 */
export async function watchProject(ctx: CommandContext, o: WatchOptions): Promise<void> {
  const { config } = await resolveConfig(ctx.projectRoot, o.config);
  const gmrc = loadGmrc(ctx.projectRoot);
  const migrationsDir = path.resolve(ctx.projectRoot, gmrc.migrationsFolder ?? './migrations');
  const seed = o.seed ?? config.probes.seed ?? Math.floor(Math.random() * 2 ** 31);
  const settleMs = o.settleMs ?? 50;
  if (o.signal.aborted) return;

  const server: ServerHandle = await serverFor(ctx);
  ctx.log(`server: ${server.description}`);
  let db: ConnectionPool | null = null;
  let watcher: FSWatcher | null = null;
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<void> | null = null;
  let pass: AbortController | null = null;
  try {
    const target = { projectRoot: ctx.projectRoot, serverUrl: server.url, database: devDatabase(ctx) };
    // graphile-migrate's narration is worth reading at start-up; on every save our one line says it.
    const migrate = <T>(fn: () => Promise<T>, narrate = false) => withMigrationLog(narrate ? ctx.log : () => {}, fn);
    // A fresh server has no development database yet: build it from the committed migrations.
    if (!(await databaseExists(server.url, target.database))) await migrate(() => resetDatabase(target), true);
    db = await openPool({ connectionString: withDatabase(server.url, target.database), poolSize: 4 });
    // The probes read every tenant's rows to judge what an actor saw: like `check`, they need a judge that bypasses RLS.
    const [me] = await db.query(sql`select rolsuper or rolbypassrls as ok, current_user as name from pg_roles where rolname = current_user`);
    if (!me?.ok) {
      throw new TenantproofError(
        'watch-needs-bypass',
        `the probes need a connection that sees every tenant's rows, and ${String(me?.name)} is neither a superuser nor BYPASSRLS`,
        'set DATABASE_URL to a superuser or BYPASSRLS connection, or unset it to use the embedded server',
      );
    }
    const session = new WatchSession(db, config, { projectRoot: ctx.projectRoot, migrationsDir, runs: o.runs ?? 5, seed });

    let lastApplied: string | null = null;
    // A successful apply whose verdict a newer save pre-empted: evaluated even if that newer save fails.
    let unevaluated = false;
    const files = currentMigrationFiles(migrationsDir);
    // graphile-migrate creates current.sql when it is missing; chokidar reports it as added.
    const watched = files.length > 0 ? files : [path.join(migrationsDir, 'current.sql')];
    let again = false;

    const cycle = async (first: boolean): Promise<void> => {
      const text = readCurrent(watched);
      if (!first && text === lastApplied) {
        o.onEvent({ type: 'unchanged' });
        return;
      }
      const t0 = performance.now();
      try {
        await migrate(() => applyCurrent(target, { once: true }), first);
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
    o.onEvent({ type: 'ready', server: server.description, database: target.database, files: watched.map((f) => path.relative(ctx.projectRoot, f) || f), seed, runs: o.runs ?? 5 });
    kick();
    await new Promise<void>((resolve) => (o.signal.aborted ? resolve() : o.signal.addEventListener('abort', () => resolve(), { once: true })));
  } finally {
    if (timer) clearTimeout(timer);
    await watcher?.close();
    (pass as AbortController | null)?.abort();
    await (running as Promise<void> | null)?.catch(() => {});
    await db?.dispose().catch(() => {});
    await server.release();
    o.onEvent({ type: 'stopped', stoppedServer: server.startedHere });
  }
}

function asError(e: unknown): TenantproofError {
  if (isTenantproofError(e)) return e;
  return new TenantproofError('watch-failed', e instanceof Error ? e.message : String(e), 'fix the problem above and save again', { cause: e });
}
