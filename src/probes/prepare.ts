/**
 * Everything a run builds once before its first world: existing rows of
 * global parents, the world plan, value generators PostgreSQL confirms, the
 * project's factories, the columns each relation's rows carry, the checks
 * and the runner, the snapshot statements and the world writer's context.
 */
import { pathToFileURL } from 'node:url';
import { sql, type ConnectionPool } from '@databases/pg';
import { tsImport } from 'tsx/esm/api';
import type { Catalog } from '../catalog/types.js';
import type { ResolvedConfig } from '../config/schema.js';
import { TenantproofError } from '../errors.js';
import { quoteIdent, quoteLiteral, quoteRelation } from '../sql/text.js';
import { TENANT_PLACEHOLDER } from '../config/placeholders.js';
import type { TenancyModel } from '../tenancy/model.js';
import { plannedColumns, type BuildOptions, type RowFactory } from '../world/build.js';
import { discoverGenerators } from '../world/discover.js';
import { globalParents, planWorld } from '../world/plan.js';
import { planChecks } from './plan.js';
import { writerFor, type EngineContext } from './world-run.js';

export interface PreparedRun extends EngineContext {
  /** Columns no generated value could be found for. */
  unresolved: Array<{ column: string; reason: string }>;
}

export async function prepareRun(db: ConnectionPool, catalog: Catalog, config: ResolvedConfig, model: TenancyModel, only?: ReadonlySet<string>): Promise<PreparedRun> {
  // Loading the factories (faker and its locales: ~0.7 s) overlaps the server's work below.
  const factoriesLoaded = config.probes.factories ? loadFactories(config.probes.factories) : undefined;
  factoriesLoaded?.catch(() => {}); // awaited below; a failure is reported there, not as an unhandled rejection
  const existing = new Map<string, Record<string, unknown>[]>();
  for (const name of globalParents(catalog, model)) existing.set(name, await db.query(sql.__dangerous__rawValue(`select * from ${quoteRelation(name)} limit 50`)));
  const contextSettings = new Set(model.actors.flatMap((a) => a.adapter.writes.settings));
  const world = planWorld(catalog, model, { existing, contextSettings });
  const discovery = await discoverGenerators(db, catalog, world);
  const factoryModule = await factoriesLoaded;
  const faker = factoryModule?.seededFaker(0);
  const columns = new Map<string, string[]>();
  for (const p of world.relations) {
    const fixed: string[] = [];
    if (p.role === 'membership' && model.memberships)
      fixed.push(model.memberships.principalColumn, model.memberships.tenantColumn, ...(model.memberships.roleColumn ? [model.memberships.roleColumn] : []));
    if (p.role === 'session') fixed.push(...model.sessions.filter((s) => s.relation === p.relation).flatMap((s) => [s.principalColumn, s.key]));
    if (p.role === 'principals' && model.principals) fixed.push(model.principals.key);
    if (p.role === 'tenant-table') for (const a of model.actors) if (a.adapter.tenantRoles?.column) fixed.push(a.adapter.tenantRoles.column);
    for (const patch of discovery.patches.get(p.relation.qualifiedName) ?? []) fixed.push(...patch.columns);
    for (const key of Object.keys(config.probes.columns)) if (key.startsWith(`${p.relation.qualifiedName}.`)) fixed.push(key.slice(p.relation.qualifiedName.length + 1));
    columns.set(p.relation.qualifiedName, plannedColumns(p, factoryModule?.factories[p.relation.qualifiedName], faker, fixed));
  }
  const build: BuildOptions = {
    ...(factoryModule ? { factories: factoryModule.factories, makeFaker: factoryModule.seededFaker } : {}),
    existing,
    types: new Map(catalog.types.map((t) => [`${t.schema}.${t.name}`, t])),
    overrides: config.probes.columns,
    generators: discovery.generators,
    patches: discovery.patches,
    columns,
    ...(await existingTenants(db, model)),
  };
  const plan = planChecks(catalog, config, model, world, columns, only);
  const writable = new Set([...plan.spec.victimViews.values()]);
  const snapshot = plan.spec.statements.snapshot({ children: writable });
  return { plan, world, build, snapshot, writer: world.relations.some((p) => p.inContext) ? writerFor(model) : null, unresolved: discovery.unresolved };
}

/** Role per tenant with `reuse`: the tenants whose login role exists. None is a config mistake (exit 2). */
async function existingTenants(db: ConnectionPool, model: TenancyModel): Promise<Pick<BuildOptions, 'existingTenants' | 'existingTenantRoles'>> {
  const actor = model.actors.find((a) => a.adapter.tenantRoles?.reuse);
  if (!actor) return {};
  const roles = actor.adapter.tenantRoles!;
  if (!model.tenantTable || !model.tenantKey)
    throw new TenantproofError(
      'tenants-missing',
      `actor "${actor.name}" reuses existing tenants, but the schema has no tenant table`,
      'name the tenant table (tenancy.tenantTable), or let the world create tenants (rolePerTenant.reuse: false)',
    );
  const key = `t.${quoteIdent(model.tenantKey)}::text`;
  const role = roles.column ? `t.${quoteIdent(roles.column)}` : `replace(${quoteLiteral(roles.template)}, ${quoteLiteral(TENANT_PLACEHOLDER)}, ${key})`;
  const rows = await db.query(
    sql.__dangerous__rawValue(
      `select ${key} as tenant, r.rolname::text as role from ${quoteRelation(model.tenantTable.qualifiedName)} t join pg_roles r on r.rolname = ${role} order by 1 limit 50`,
    ),
  );
  if (rows.length < 2) {
    throw new TenantproofError(
      'tenant-roles-missing',
      `actor "${actor.name}" reuses the tenants that exist, but ${rows.length === 0 ? 'no' : 'only one'} tenant of ${model.tenantTable.qualifiedName} has a login role named ${roles.column ? `in its ${roles.column} column` : `by the template "${roles.template}"`}`,
      'create the tenants and their roles first (two at least), fix the template or column, or set rolePerTenant.reuse: false so that each world creates its own',
    );
  }
  return { existingTenants: rows.map((r) => String(r.tenant)), existingTenantRoles: new Map(rows.map((r) => [String(r.tenant), String(r.role)])) };
}

type FactoryModule = { factories: Record<string, RowFactory>; seededFaker: (seed: number) => unknown };
const factoryModules = new Map<string, Promise<FactoryModule>>();

/** Loaded once per process: importing the module (and faker) costs most of a watch pass otherwise. */
function loadFactories(file: string): Promise<FactoryModule> {
  let loaded = factoryModules.get(file);
  if (!loaded) {
    loaded = importFactories(file);
    factoryModules.set(file, loaded);
    loaded.catch(() => factoryModules.delete(file));
  }
  return loaded;
}

async function importFactories(file: string): Promise<FactoryModule> {
  let mod: Record<string, unknown>;
  try {
    mod = (await tsImport(pathToFileURL(file).href, import.meta.url)) as Record<string, unknown>;
  } catch (e) {
    throw new TenantproofError(
      'config-factories',
      `probes.factories could not be loaded from ${file}: ${(e as Error).message}`,
      'fix the module, or remove probes.factories to use type-driven values',
    );
  }
  const { factories, seededFaker } = mod;
  if (typeof factories !== 'object' || factories === null || typeof seededFaker !== 'function') {
    throw new TenantproofError(
      'config-factories',
      `${file} must export \`factories\` (an object of row factories keyed "schema.table") and \`seededFaker(seed)\``,
      'export both from the module named by probes.factories',
    );
  }
  return { factories: factories as Record<string, RowFactory>, seededFaker: seededFaker as (seed: number) => unknown };
}
