/**
 * The dynamic half of the engine: random worlds, every check on every world,
 * then, for each cell that failed, the smallest world that still fails
 * (fast-check's shrinking) and SQL that replays it.
 */
import fc from 'fast-check';
import { sql, type ConnectionPool, type Queryable } from '@databases/pg';
import type { Catalog } from '../catalog/types.js';
import { contextSettings, contextStatements, sqlIdentifier, sqlLiteral } from '../config/context.js';
import type { ResolvedConfig } from '../config/schema.js';
import { TenantproofError } from '../errors.js';
import { findingId } from '../findings/findings.js';
import type { Finding, MatrixCell } from '../findings/types.js';
import { pathToFileURL } from 'node:url';
import { tsImport } from 'tsx/esm/api';
import { worldShapeArbitrary, type BuildOptions, type RowFactory, type WorldRow, type WorldShape } from '../world/build.js';
import { discoverGenerators } from '../world/discover.js';
import { worldInsertText } from '../world/insert.js';
import { planWorld, type WorldPlan } from '../world/plan.js';
import { cellKey, SIDE_CHANNEL_PROBES, type ProbeCase, type ProbeId } from './cases.js';
import { installRunner, runWorld, type CaseOutcome, type EngineContext, type WorldOutcome } from './world-run.js';

export interface ProbeOptions {
  runs: number;
  seed: number;
  /** Connections working in parallel (default 2: one per core of the machines this runs on). */
  connections?: number;
  /** Most failing cells shrunk to a minimal world (the rest keep the first failing world; default 8). */
  maxShrunk?: number;
  /**
   * Worlds each shrink may try before it settles for the smallest failing world found so far
   * (default 100). A count, not a time: the same run always settles on the same world, so reports
   * stay byte-stable on a loaded machine.
   */
  shrinkSteps?: number;
  onProgress?: (p: ProbeProgress) => void;
  signal?: AbortSignal;
  /**
   * Run one shard of the worlds: world i (0-based) runs in shard (i mod count) + 1.
   * Every shard samples the same worlds from the same seed; `report --merge` joins them.
   */
  shard?: { index: number; count: number };
}

export interface ProbeProgress {
  worlds: number;
  of: number;
  checks: number;
  failures: number;
  phase: 'worlds' | 'shrinking';
}

export interface ProbeRun {
  seed: number;
  findings: Finding[];
  matrix: MatrixCell[];
  coverage: { relations: number; actors: number; worlds: number; rows: number; checks: number };
  /** Rows the database refused (and why), and columns no value could be found for: a reviewer sees what was not probed. */
  notes: string[];
  /** What each cell counted, sorted by cell key: the raw material `report --merge` joins shards from. */
  cells: CellStats[];
}

/** One cell's counts, as plain data. `index` fields are world indexes: the lowest one wins, as in a whole run. */
export interface CellStats {
  relation: string;
  actor: string;
  probe: string;
  pass: number;
  fail: number;
  /** Why checks could not judge, and how often, sorted by detail. */
  inconclusive: Array<[string, number]>;
  firstFailure: { index: number; detail: string | null } | null;
  overRestricted: number;
  overExample: { index: number; example: string } | null;
}

interface CellAgg {
  relation: string;
  actor: string;
  probe: ProbeId;
  pass: number;
  fail: number;
  inconclusive: Map<string, number>;
  /** Reads that hid some of the actor's own rows: how many, and one example. */
  overRestricted: number;
  overExample?: { index: number; example: string };
  firstFailure?: { world: WorldOutcome; outcome: CaseOutcome; index: number };
}

export async function runProbes(db: ConnectionPool, catalog: Catalog, config: ResolvedConfig, o: ProbeOptions): Promise<ProbeRun> {
  const planned = planWorld(catalog);
  if ('error' in planned) throw new TenantproofError('no-tenant-table', planned.error, 'name the tenant table in the config: tenancy.tenantTable');
  const plan: WorldPlan = planned;
  const notes = plan.unfillable.map((u) => `${u.relation}: not filled (${u.reason})`);
  const discovery = await discoverGenerators(db, catalog, plan);
  for (const u of discovery.unresolved) notes.push(`${u.column}: ${u.reason}; rows may be refused (set probes.columns["${u.column}"])`);
  const factoryModule = config.probes.factories ? await loadFactories(config.probes.factories) : undefined;
  const build: BuildOptions = {
    ...(factoryModule ? { factories: factoryModule.factories, makeFaker: factoryModule.seededFaker } : {}),
    existing: await existingParents(db, plan),
    types: new Map(catalog.types.map((t) => [`${t.schema}.${t.name}`, t])),
    overrides: config.probes.columns,
    generators: discovery.generators,
  };
  const ex: EngineContext = { catalog, config, plan, build };
  const { tenantsPerWorld, maxRowsPerTable } = config.probes;
  const arbitrary = worldShapeArbitrary(plan, { minTenants: tenantsPerWorld.min, maxTenants: tenantsPerWorld.max, maxRows: maxRowsPerTable });
  const shapes = fc.sample(arbitrary, { numRuns: o.runs, seed: o.seed });
  const mine = shapes.map((_, i) => i).filter((i) => !o.shard || i % o.shard.count === o.shard.index - 1);

  const cells = new Map<string, CellAgg>();
  const dropped = new Map<string, { count: number; reason: string; index: number }>();
  const skipped = new Map<string, number>();
  let rows = 0;
  let checks = 0;
  let failures = 0;
  let done = 0;
  const record = (world: WorldOutcome, index: number) => {
    for (const [rel, list] of world.inserted.rows) rows += list.length;
    for (const [rel, d] of world.inserted.dropped) {
      const prev = dropped.get(rel);
      // The reason of the lowest world index, whichever connection finished first.
      const first = !prev || index < prev.index;
      dropped.set(rel, { count: (prev?.count ?? 0) + d.count, reason: first ? d.reason : prev.reason, index: first ? index : prev.index });
    }
    for (const [rel, n] of world.skipped) skipped.set(rel, (skipped.get(rel) ?? 0) + n);
    for (const outcome of world.outcomes) {
      const c = outcome.case;
      const key = cellKey(c.relation, c.actor, c.probe);
      let agg = cells.get(key);
      if (!agg) cells.set(key, (agg = { relation: c.relation, actor: c.actor, probe: c.probe, pass: 0, fail: 0, inconclusive: new Map(), overRestricted: 0 }));
      const j = outcome.judgement;
      if (j.status === 'pass') {
        agg.pass++;
        if (j.overRestricted && c.probe === 'read') {
          agg.overRestricted++;
          if (!agg.overExample || index < agg.overExample.index) agg.overExample = { index, example: j.overRestricted };
        }
      }
      else if (j.status === 'fail') {
        agg.fail++;
        failures++;
        if (!agg.firstFailure || index < agg.firstFailure.index) agg.firstFailure = { world, outcome, index };
      } else agg.inconclusive.set(j.detail, (agg.inconclusive.get(j.detail) ?? 0) + 1);
      if (j.status !== 'inconclusive') checks++;
    }
  };

  // Each connection takes the next world; the order of results does not matter, the indexes keep them reproducible.
  let next = 0;
  const workers = Math.max(1, o.connections ?? 2);
  await Promise.all(
    Array.from({ length: workers }, () =>
      db.task(async (conn) => {
        await installRunner(conn);
        for (let k = next++; k < mine.length; k = next++) {
          if (o.signal?.aborted) throw o.signal.reason ?? new Error('interrupted');
          const i = mine[k]!;
          record(await runWorld(conn, ex, shapes[i]!), i);
          done++;
          o.onProgress?.({ worlds: done, of: mine.length, checks, failures, phase: 'worlds' });
        }
      }),
    ),
  );

  for (const [rel, d] of [...dropped].sort(byKey)) notes.push(`${rel}: ${d.count} generated row(s) refused by the database, e.g. ${d.reason}`);
  for (const [rel, n] of [...skipped].sort(byKey)) {
    const missing = plan.relations.find((p) => p.relation.qualifiedName === rel)?.parents.filter((p) => p.fk.notNull).map((p) => p.fk.references) ?? [];
    notes.push(`${rel}: ${n} row(s) not generated: no parent row to reference in ${missing.join(' or ') || 'a parent'} (a global table needs existing rows)`);
  }
  const findings: Finding[] = [];
  const failing = [...cells.values()].filter((c) => c.fail > 0).sort((a, b) => (cellKey(a.relation, a.actor, a.probe) < cellKey(b.relation, b.actor, b.probe) ? -1 : 1));
  const maxShrunk = o.maxShrunk ?? 8;
  for (const [i, cell] of failing.entries()) {
    o.onProgress?.({ worlds: done, of: mine.length, checks, failures, phase: 'shrinking' });
    const minimal = i < maxShrunk ? await shrinkCell(db, ex, arbitrary, cell, o) : null;
    findings.push(probeFinding(cell, minimal ?? { ...cell.firstFailure!, seed: o.seed, path: null, shrunk: false }, ex));
  }
  findings.push(...(await pooledContextFindings(db, config)));
  const stats = [...cells.values()].map(cellStats).sort((a, b) => (cellKey(a.relation, a.actor, a.probe) < cellKey(b.relation, b.actor, b.probe) ? -1 : 1));
  for (const cell of stats) {
    const f = overRestrictionFinding(cell);
    if (f) findings.push(f);
  }
  const matrix: MatrixCell[] = stats.map(matrixCellOf);

  return {
    seed: o.seed,
    findings,
    matrix,
    coverage: {
      relations: new Set(matrix.map((m) => m.relation)).size,
      actors: new Set(matrix.map((m) => m.actor)).size,
      worlds: done,
      rows,
      checks,
    },
    notes,
    cells: stats,
  };
}

const byKey = <T>(a: [string, T], b: [string, T]) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0);

function cellStats(c: CellAgg): CellStats {
  const j = c.firstFailure?.outcome.judgement;
  return {
    relation: c.relation,
    actor: c.actor,
    probe: c.probe,
    pass: c.pass,
    fail: c.fail,
    inconclusive: [...c.inconclusive.entries()].sort(byKey),
    firstFailure: c.firstFailure ? { index: c.firstFailure.index, detail: j?.status === 'fail' ? j.detail : null } : null,
    overRestricted: c.overRestricted,
    overExample: c.overExample ?? null,
  };
}

/** A cell's line in the matrix: failed if any check failed, else passed if any passed, else skipped with the most common reason. */
export function matrixCellOf(c: CellStats): MatrixCell {
  const base = { relation: c.relation, actor: c.actor, probe: c.probe };
  if (c.fail > 0) return c.firstFailure && c.firstFailure.detail !== null ? { ...base, status: 'fail', checks: c.pass + c.fail, reason: c.firstFailure.detail } : { ...base, status: 'fail', checks: c.pass + c.fail };
  if (c.pass > 0) return { ...base, status: 'pass', checks: c.pass };
  // Ties between reasons go to the first by name, not to whichever world finished first.
  const [reason] = [...c.inconclusive].sort((a, b) => b[1] - a[1] || byKey(a, b))[0] ?? ['never applicable'];
  return { ...base, status: 'skipped', checks: 0, reason };
}

/** Reads that hid some of the actor's own rows: an info finding, or null. */
export function overRestrictionFinding(cell: CellStats): Finding | null {
  if (cell.overRestricted === 0) return null;
  return {
    id: findingId('probe-over-restriction', { relation: cell.relation }, cell.actor),
    rule: 'probe-over-restriction',
    severity: 'info',
    relation: cell.relation,
    actor: cell.actor,
    message: `${cell.actor} did not see all of its own tenant's rows in ${cell.relation} (${cell.overRestricted} of ${cell.pass + cell.fail} reads; e.g. ${cell.overExample?.example}): not a leak, but stricter than the tenant boundary`,
    fix: 'if the actor should see every row of its tenant, widen the SELECT policy to the tenant; if not, nothing to do',
    reproduction: null,
  };
}

/** A project's factories module: `factories` (one row factory per relation) and `seededFaker(seed)`. */
const factoryModules = new Map<string, Promise<{ factories: Record<string, RowFactory>; seededFaker: (seed: number) => unknown }>>();

/** Loaded once per process: importing the module (and faker) costs most of a watch pass otherwise. */
function loadFactories(file: string): Promise<{ factories: Record<string, RowFactory>; seededFaker: (seed: number) => unknown }> {
  let loaded = factoryModules.get(file);
  if (!loaded) {
    loaded = importFactories(file);
    factoryModules.set(file, loaded);
    loaded.catch(() => factoryModules.delete(file));
  }
  return loaded;
}

async function importFactories(file: string): Promise<{ factories: Record<string, RowFactory>; seededFaker: (seed: number) => unknown }> {
  let mod: Record<string, unknown>;
  try {
    mod = (await tsImport(pathToFileURL(file).href, import.meta.url)) as Record<string, unknown>;
  } catch (e) {
    throw new TenantproofError('config-factories', `probes.factories could not be loaded from ${file}: ${(e as Error).message}`, 'fix the module, or remove probes.factories to use type-driven values');
  }
  const factories = mod.factories;
  const seededFaker = mod.seededFaker;
  if (typeof factories !== 'object' || factories === null || typeof seededFaker !== 'function') {
    throw new TenantproofError('config-factories', `${file} must export \`factories\` (an object of row factories keyed "schema.table") and \`seededFaker(seed)\``, 'export both from the module named by probes.factories');
  }
  return { factories: factories as Record<string, RowFactory>, seededFaker: seededFaker as (seed: number) => unknown };
}

/** Rows of global tables that tenant rows reference (reference data the world does not generate). */
async function existingParents(db: Queryable, plan: WorldPlan): Promise<Map<string, Record<string, unknown>[]>> {
  const out = new Map<string, Record<string, unknown>[]>();
  for (const p of plan.relations) {
    for (const parent of p.parents) {
      if (parent.source !== 'existing' || out.has(parent.fk.references)) continue;
      const [schema, name] = splitName(parent.fk.references);
      const cols = sql.join(parent.fk.referencedColumns.map((c) => sql.ident(c)), ', ');
      out.set(parent.fk.references, await db.query(sql`select ${cols} from ${sql.ident(schema, name)} limit 50`));
    }
  }
  return out;
}

const splitName = (q: string): [string, string] => {
  const dot = q.indexOf('.');
  return [q.slice(0, dot), q.slice(dot + 1)];
};

interface Minimal {
  world: WorldOutcome;
  outcome: CaseOutcome;
  seed: number;
  path: string | null;
  shrunk: boolean;
}

/**
 * Jumps straight to the cell's first failing world (fast-check's replay `path`
 * is the index of the run) and lets fast-check shrink it, running only this
 * cell's checks, within a budget of worlds.
 */
async function shrinkCell(db: ConnectionPool, ex: EngineContext, arbitrary: fc.Arbitrary<WorldShape>, cell: CellAgg, o: ProbeOptions): Promise<Minimal | null> {
  const only = new Set([cellKey(cell.relation, cell.actor, cell.probe)]);
  let last: { world: WorldOutcome; outcome: CaseOutcome } | null = null;
  let steps = 0;
  const budget = o.shrinkSteps ?? 100;
  const details = await db.task(async (conn): Promise<fc.RunDetails<[WorldShape]>> => {
    await installRunner(conn);
    return fc.check(
      fc.asyncProperty(arbitrary, async (shape) => {
        // Out of budget: every further candidate passes, and fast-check keeps the smallest failure it found.
        if (steps++ >= budget) return true;
        const world = await runWorld(conn, ex, shape, only);
        const failed = world.outcomes.find((x) => x.judgement.status === 'fail');
        if (failed) last = { world, outcome: failed };
        return !failed;
      }),
      { seed: o.seed, path: String(cell.firstFailure?.index ?? 0), numRuns: o.runs, endOnFailure: false },
    ) as Promise<fc.RunDetails<[WorldShape]>>;
  });
  if (!details.failed || !last) return null;
  // The last failing run fast-check saw is its smallest counterexample.
  const counter = details.counterexample?.[0];
  const replay = counter ? await db.task(async (conn) => {
    await installRunner(conn);
    const world = await runWorld(conn, ex, counter, only);
    const failed = world.outcomes.find((x) => x.judgement.status === 'fail');
    return failed ? { world, outcome: failed } : null;
  }) : null;
  const chosen = replay ?? last;
  return { ...(chosen as { world: WorldOutcome; outcome: CaseOutcome }), seed: details.seed, path: details.counterexamplePath, shrunk: true };
}

const FIXES: Record<ProbeId, string> = {
  read: "restrict the relation's SELECT policies to the actor's tenant (USING (tenant_column = <current tenant>)), ENABLE and FORCE row level security, give the actor no bypass, and make views security_invoker",
  'read-unset': 'make the tenant context fail closed: an unset or empty tenant must match no row (never `IS NULL OR ...`)',
  'read-empty': "make the tenant context fail closed: read it with nullif(current_setting('...', true), '') so an empty value matches no row",
  'read-malformed': 'a malformed tenant must match no row or raise, never widen access',
  'read-forged': 'never trust a custom setting for access decisions: any session can set_config any custom setting; use a role attribute or membership instead',
  'read-escalated': 'do not let the actor SET ROLE to a role that bypasses row level security or owns the tables (revoke the membership)',
  insert: "give INSERT policies a WITH CHECK that pins the row to the actor's tenant (not WITH CHECK (true))",
  'insert-returning': "give INSERT policies a WITH CHECK that pins the row to the actor's tenant",
  update: "restrict UPDATE policies' USING to the actor's tenant",
  delete: "restrict DELETE policies' USING to the actor's tenant",
  move: "give UPDATE policies a WITH CHECK that keeps the row in the actor's tenant",
  steal: "restrict UPDATE policies' USING to the actor's tenant: an open USING lets it re-stamp other tenants' rows as its own",
  reference: 'make the foreign key include the tenant column: FOREIGN KEY (tenant_id, parent_id) REFERENCES parent (tenant_id, id)',
  upsert: "restrict UPDATE policies to the actor's tenant, and put the tenant column in every unique key",
  call: 'make the function SECURITY INVOKER (or filter by the caller\'s tenant inside it), and revoke EXECUTE from actors that must not call it',
  'call-other-tenant': "never trust a tenant id passed as an argument: derive the tenant from the caller's context inside the function",
  'duplicate-key': 'put the tenant column first in the unique key (UNIQUE (tenant_id, ...)), so that values are unique per tenant and errors reveal nothing across tenants',
};

function probeFinding(cell: CellAgg, m: Minimal, ex: EngineContext): Finding {
  const c = m.outcome.case;
  const detail = m.outcome.judgement.status === 'fail' ? m.outcome.judgement.detail : '';
  const rule = `probe-${cell.probe}`;
  return {
    id: findingId(rule, { relation: cell.relation }, cell.actor),
    rule,
    severity: SIDE_CHANNEL_PROBES.has(cell.probe) ? 'warning' : 'error',
    relation: cell.relation,
    actor: cell.actor,
    message: `${cell.actor} (${c.role}) could ${c.describe}: ${detail} (in ${cell.fail} of ${cell.pass + cell.fail} checks; minimal world of ${m.world.tenants.length} tenants, ${countRows(m.world.inserted.rows)} rows${m.shrunk ? ', shrunk' : ''})`,
    fix: FIXES[cell.probe],
    reproduction: reproduction(c, m, ex),
  };
}

const countRows = (rows: ReadonlyMap<string, WorldRow[]>) => [...rows.values()].reduce((n, l) => n + l.length, 0);

/** SQL that replays the failure on a migrated database: `psql -f repro.sql`. Nothing is committed. */
function reproduction(c: ProbeCase, m: Minimal, ex: EngineContext): string {
  const lines = [
    `-- tenantproof: ${c.actor} could ${c.describe}`,
    `-- seed ${m.seed}${m.path ? `, path ${m.path}` : ''} (tenantproof gate --seed ${m.seed} replays the run)`,
    `-- Run as a superuser on a migrated database; everything is rolled back.`,
    'begin;',
    '-- the minimal world, written by the privileged role',
    ...worldInsertText(ex.plan, { shape: m.world.shape, tenants: m.world.tenants, rows: m.world.inserted.rows, skipped: new Map(m.world.skipped) }).map((s) => `${s};`),
    `-- act as ${c.actor}${c.tenant ? ` in tenant ${c.tenant}` : ' with no tenant'}`,
    `set local role ${sqlIdentifier(c.role)};`,
    ...c.context.map((s) => `${s};`),
  ];
  if (c.probe.startsWith('call')) {
    lines.push(`-- rows of other tenants appear in the second count:`, `${c.sql};`);
  } else if (c.probe.startsWith('read')) {
    // The probe's own statement joins the runner's temporary snapshot; a reviewer reads the rows themselves.
    const tenantCol = ex.catalog.relations.find((r) => r.qualifiedName === c.relation)?.tenancy?.column;
    const rel = c.relation.split('.').map(sqlIdentifier).join('.');
    lines.push(`-- every row this returns that is not of tenant ${c.tenant ?? '(none)'} is a leak:`, tenantCol ? `select ${sqlIdentifier(tenantCol)}, count(*) from ${rel} group by 1;` : `select * from ${rel};`);
  } else {
    lines.push(`${c.sql};`, 'reset role;', `-- what the statement did to other tenants' rows: compare with the world above`);
    const tenantCol = ex.catalog.relations.find((r) => r.qualifiedName === c.relation)?.tenancy?.column;
    if (tenantCol) lines.push(`select * from ${c.relation.split('.').map(sqlIdentifier).join('.')} where ${sqlIdentifier(tenantCol)}::text is distinct from ${sqlLiteral(c.tenant ?? '')};`);
  }
  lines.push('rollback;');
  return stableOids(lines.join('\n'), ex.catalog);
}

/**
 * Relation oids differ from one migrated database to the next (the gate
 * migrates a fresh one each run): in replay SQL they become regclass casts of
 * the relation names, which mean the same and read the same on every run.
 */
function stableOids(text: string, catalog: Catalog): string {
  const names = new Map(catalog.relations.map((r) => [String(r.oid), r.qualifiedName]));
  return text.replace(/'\{(\d+(?:,\d+)*)\}'::oid\[\]/g, (whole, list: string) => {
    const parts = list.split(',').map((oid) => names.get(oid));
    if (parts.some((n) => n === undefined)) return whole;
    return `array[${parts.map((n) => `${sqlLiteral(n!.split('.').map(sqlIdentifier).join('.'))}::regclass`).join(', ')}]::oid[]`;
  });
}

/**
 * After COMMIT, a new transaction on the same pooled connection must carry no
 * tenant: a context written with session-level SET or set_config(..., false)
 * leaks it to the next user of the connection (pitfall 22).
 */
async function pooledContextFindings(db: ConnectionPool, config: ResolvedConfig): Promise<Finding[]> {
  const findings: Finding[] = [];
  const tenant = '00000000-0000-4000-8000-0000000000aa';
  for (const actor of config.actors) {
    if (!actor.context || actor.expect !== 'tenant') continue;
    const settings = contextSettings(actor, tenant).settings;
    if (settings.length === 0) continue;
    const leaked = await db.task(async (conn) => {
      try {
        await conn.tx(async (tx) => {
          await tx.query(sql`select set_config('role', ${actor.role}, true)`);
          for (const s of contextStatements(actor, tenant)) await tx.query(sql.__dangerous__rawValue(s));
        });
      } catch {
        return []; // a context that cannot even be entered is reported by the read probes
      }
      const out: string[] = [];
      for (const s of settings) {
        const [row] = await conn.query(sql`select coalesce(current_setting(${s}, true), '') as v`);
        if ((row.v as string) !== '') out.push(`${s} = '${row.v as string}'`);
      }
      // Leave the connection as found for the next user of the pool.
      await conn.query(sql`reset all`);
      return out;
    });
    if (leaked.length > 0) {
      findings.push({
        id: findingId('probe-pooled-context', { relation: null }, actor.name),
        rule: 'probe-pooled-context',
        severity: 'error',
        relation: null,
        actor: actor.name,
        message: `${actor.name}'s tenant context outlives its transaction: after COMMIT the connection still has ${leaked.join(', ')}, so the next user of a pooled connection inherits the tenant`,
        fix: "set the context transaction-locally: set_config('...', $tenant, true) or SET LOCAL",
        reproduction: [`-- tenantproof: ${actor.name}'s tenant context survives COMMIT on a pooled connection`, 'begin;', `set local role ${sqlIdentifier(actor.role)};`, ...contextStatements(actor, tenant).map((s) => `${s};`), 'commit;', ...settings.map((s) => `select current_setting(${sqlLiteral(s)}, true); -- should be empty`)].join('\n'),
      });
    }
  }
  return findings;
}
