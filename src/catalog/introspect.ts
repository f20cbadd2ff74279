/**
 * introspect(db, options) -> Catalog: one consistent snapshot of pg_catalog.
 *
 * All queries run in one transaction (a savepoint when `db` already is one,
 * so a test's uncommitted changes are seen) with an empty search_path, so
 * that pg_get_expr and format_type print every user object schema-qualified.
 * The transaction is always rolled back: introspection leaves nothing behind.
 */
import { isTransaction, IsolationLevel, sql, type Queryable, type Transaction } from '@databases/pg';
import { queryConstraints, queryIndexes, type ConstraintRow, type IndexRow } from './queries/constraints.js';
import { queryFunctions, queryTriggers, type FunctionRow } from './queries/functions.js';
import { queryPolicies } from './queries/policies.js';
import { queryDefaultPrivileges, queryRelationPrivileges, type RelationPrivilegeRow } from './queries/privileges.js';
import { queryColumns, queryRelations, queryViewDependencies, type ColumnRow, type RelationRow } from './queries/relations.js';
import { queryMemberships, queryRoleFlags, queryRoles, type MembershipRow, type RoleFlagRow, type RoleRow } from './queries/roles.js';
import { querySchemas } from './queries/schemas.js';
import { querySequences } from './queries/sequences.js';
import { queryServer } from './queries/server.js';
import { queryUserTypes } from './queries/types.js';
import { analyzeFunctions, attachPolicies } from './code-facts.js';
import { CallGraph } from './sql/call-graph.js';
import { loadParser } from './sql/parser.js';
import { computeTenancy } from './tenancy.js';
import type { ActorRole, Catalog, DefaultPrivilegeObject, Func, FunctionKind, Relation, RelationKind, Role } from './types.js';

export interface IntrospectOptions {
  /** Database roles of the configured actors; missing roles are reported with exists: false. */
  actorRoles: readonly string[];
  /** Tenant column names, in order of preference (default `tenant_id`). */
  tenantColumns?: readonly string[];
  /** Per-relation tenant column overrides, keyed `schema.name`. */
  relationColumns?: Readonly<Record<string, string>>;
  /** Relations outside the scanned schemas that the engine needs (principals, sessions...), `schema.name`. */
  extraRelations?: readonly string[];
  /** Schemas to scan; default every non-system schema. */
  schemas?: readonly string[];
  excludeSchemas?: readonly string[];
  /** `schema.name`; inferred from foreign keys when undefined; null: there is none. */
  tenantTable?: string | null;
  tenantKey?: string;
  /** Relations global on purpose: never tenant-scoped. */
  globalRelations?: readonly string[];
}

class Rollback extends Error {}

export async function introspect(db: Queryable, options: IntrospectOptions): Promise<Catalog> {
  await loadParser();
  let result: Catalog | undefined;
  const run = async (tx: Transaction) => {
    // Transaction-local: gone with the rollback below.
    await tx.query(sql`select set_config('search_path', '', true)`);
    result = await readCatalog(tx, options);
    throw new Rollback();
  };
  try {
    if (isTransaction(db)) await db.tx(run);
    else await db.tx(run, { readOnly: true, isolationLevel: IsolationLevel.REPEATABLE_READ });
  } catch (e) {
    if (!(e instanceof Rollback)) throw e;
  }
  if (!result) throw new Error('introspection produced no catalog');
  return result;
}

const RELKIND: Record<string, RelationKind> = { r: 'table', p: 'partitioned-table', v: 'view', m: 'materialized-view', f: 'foreign-table' };
const PROKIND: Record<string, FunctionKind> = { f: 'function', p: 'procedure', a: 'aggregate', w: 'window' };
const VOLATILITY: Record<string, Func['volatility']> = { i: 'immutable', s: 'stable', v: 'volatile' };
const FK_ACTION: Record<string, string> = { a: 'no action', r: 'restrict', c: 'cascade', n: 'set null', d: 'set default' };
const DEFACL_TYPE: Record<string, DefaultPrivilegeObject> = { r: 'table', S: 'sequence', f: 'function', T: 'type', n: 'schema' };

async function readCatalog(db: Queryable, options: IntrospectOptions): Promise<Catalog> {
  const server = await queryServer(db);
  const roleRows = await queryRoles(db);
  const roleNames = new Set(roleRows.map((r) => r.name));
  // has_*_privilege raises on an unknown role: ask only about the ones that exist.
  const actorRoles = [...new Set(options.actorRoles)].filter((r) => roleNames.has(r)).sort();

  const allSchemas = await querySchemas(db, actorRoles);
  const exclude = new Set(options.excludeSchemas ?? []);
  const scanned = allSchemas
    .map((s) => s.name)
    .filter((n) => (options.schemas ? options.schemas.includes(n) : true) && !exclude.has(n))
    .sort();

  const [memberships, flags, relationRows, functionRows, sequenceRows, defaultRows, typeRows] = [
    await queryMemberships(db, server.version),
    await queryRoleFlags(db, actorRoles, server.version),
    await queryRelations(db, scanned, options.extraRelations ?? []),
    await queryFunctions(db, actorRoles),
    await querySequences(db, scanned, actorRoles),
    await queryDefaultPrivileges(db),
    await queryUserTypes(db, scanned),
  ];
  const oids = relationRows.map((r) => r.oid);
  const viewOids = relationRows.filter((r) => r.relkind === 'v' || r.relkind === 'm').map((r) => r.oid);
  const [columns, constraints, indexes, policies, privileges, viewDeps] = [
    await queryColumns(db, oids),
    await queryConstraints(db, oids),
    await queryIndexes(db, oids),
    await queryPolicies(db, oids),
    await queryRelationPrivileges(db, oids, actorRoles),
    await queryViewDependencies(db, viewOids),
  ];

  const relations = buildRelations(relationRows, { columns, constraints, indexes, privileges, viewDeps });
  const functions = buildFunctions(functionRows, new Set(scanned));
  const graph = new CallGraph(functions, relations);
  analyzeFunctions(functions, graph);
  attachTriggers(relations, await queryTriggers(db, oids), functions);
  attachPolicies(relations, policies, functions, graph);

  const tenancyOptions = {
    tenantColumns: options.tenantColumns && options.tenantColumns.length > 0 ? options.tenantColumns : ['tenant_id'],
    relationColumns: options.relationColumns,
    tenantTable: options.tenantTable,
    tenantKey: options.tenantKey,
    globalRelations: options.globalRelations,
  };
  const inScope = new Set(scanned);
  for (const r of relations) r.inScope = inScope.has(r.schema);
  const { tenancy, scopes } = computeTenancy(relations, tenancyOptions);
  for (const r of relations) r.tenancy = scopes.get(r.qualifiedName) ?? null;

  return {
    serverVersion: server.version,
    database: server.database,
    scannedSchemas: scanned,
    schemas: allSchemas.filter((s) => scanned.includes(s.name)),
    relations,
    functions,
    sequences: sequenceRows.map((s) => ({ ...s, qualifiedName: `${s.schema}.${s.name}` })),
    roles: buildRoles(roleRows, memberships),
    actors: buildActors(options.actorRoles, roleRows, memberships, flags),
    defaultPrivileges: defaultRows.map((d) => ({
      owner: d.owner,
      schema: d.schema,
      objectType: DEFACL_TYPE[d.objtype] ?? 'table',
      grantee: d.grantee,
      privileges: d.privileges,
    })),
    types: typeRows.map((t) => ({
      schema: t.schema,
      name: t.name,
      kind: t.kind === 'e' ? 'enum' : 'domain',
      labels: t.labels,
      baseType: t.baseType,
      notNull: t.notNull,
      checks: t.checks,
    })),
    tenancy,
  };
}

interface RelationParts {
  columns: ColumnRow[];
  constraints: ConstraintRow[];
  indexes: IndexRow[];
  privileges: RelationPrivilegeRow[];
  viewDeps: Array<{ view: number; relation: string }>;
}

function groupBy<T, K>(items: readonly T[], key: (t: T) => K): Map<K, T[]> {
  const m = new Map<K, T[]>();
  for (const it of items) {
    const k = key(it);
    const list = m.get(k);
    if (list) list.push(it);
    else m.set(k, [it]);
  }
  return m;
}

function reloption(options: string[] | null, name: string): string | null {
  const entry = options?.find((o) => o.toLowerCase().startsWith(`${name}=`));
  return entry === undefined ? null : entry.slice(name.length + 1);
}

function isOn(value: string | null): boolean {
  return value !== null && ['true', 'on', 'yes', '1'].includes(value.toLowerCase());
}

function buildRelations(rows: RelationRow[], parts: RelationParts): Relation[] {
  const cols = groupBy(parts.columns, (c) => c.relid);
  const cons = groupBy(parts.constraints, (c) => c.relid);
  const idx = groupBy(parts.indexes, (i) => i.relid);
  const privs = groupBy(parts.privileges, (p) => p.relid);
  const deps = groupBy(parts.viewDeps, (d) => d.view);
  const relations: Relation[] = rows.map((r) => {
    const columns = (cols.get(r.oid) ?? []).map((c) => ({
      name: c.name,
      position: c.position,
      type: c.type,
      typeSchema: c.typeSchema,
      typeName: c.typeName,
      category: c.category,
      isArray: c.isArray,
      notNull: c.notNull,
      default: c.default,
      identity: c.identity === 'a' ? ('always' as const) : c.identity === 'd' ? ('by-default' as const) : null,
      generated: c.generated !== '',
    }));
    const notNull = new Set(columns.filter((c) => c.notNull).map((c) => c.name));
    const own = cons.get(r.oid) ?? [];
    const pk = own.find((c) => c.type === 'p');
    return {
      oid: r.oid,
      schema: r.schema,
      name: r.name,
      qualifiedName: `${r.schema}.${r.name}`,
      kind: RELKIND[r.relkind] ?? 'table',
      owner: r.owner,
      partitionOf: r.parent,
      partitionBound: r.bound,
      partitionKey: r.partitionKey,
      partitionColumns: r.partitionColumns ?? [],
      partitions: [],
      rls: { enabled: r.rlsEnabled, forced: r.rlsForced },
      securityInvoker: isOn(reloption(r.options, 'security_invoker')),
      securityBarrier: isOn(reloption(r.options, 'security_barrier')),
      checkOption: reloption(r.options, 'check_option'),
      viewDefinition: r.viewDefinition,
      dependsOn: (deps.get(r.oid) ?? []).map((d) => d.relation).sort(),
      foreignServer: r.foreignServer,
      extension: r.extension,
      columns,
      primaryKey: pk ? { name: pk.name, columns: pk.columns } : null,
      uniqueConstraints: own.filter((c) => c.type === 'u').map((c) => ({ name: c.name, columns: c.columns })),
      foreignKeys: own
        .filter((c) => c.type === 'f')
        .map((c) => ({
          name: c.name,
          columns: c.columns,
          references: c.references ?? '',
          referencedColumns: c.referencedColumns,
          onDelete: FK_ACTION[c.onDelete] ?? c.onDelete,
          onUpdate: FK_ACTION[c.onUpdate] ?? c.onUpdate,
          notNull: c.columns.every((col) => notNull.has(col)),
          deferrable: c.deferrable,
          validated: c.validated,
          inherited: c.inherited,
        })),
      checks: own.filter((c) => c.type === 'c').map((c) => ({ name: c.name, definition: c.definition, inherited: c.inherited })),
      indexes: (idx.get(r.oid) ?? []).map((i) => ({
        name: i.name,
        columns: i.columns,
        keys: i.keys,
        unique: i.unique,
        primary: i.primary,
        predicate: i.predicate,
        constraint: i.constraint,
        valid: i.valid,
        definition: i.definition,
      })),
      policies: [],
      privileges: (privs.get(r.oid) ?? []).map((p) => ({
        role: p.role,
        select: p.select,
        insert: p.insert,
        update: p.update,
        delete: p.delete,
        truncate: p.truncate,
        references: p.references,
        trigger: p.trigger,
        columns: { select: p.colSelect, insert: p.colInsert, update: p.colUpdate, references: p.colReferences },
      })),
      publicPrivileges: r.publicPrivileges,
      inScope: true,
      triggers: [],
      tenancy: null,
    };
  });
  const byName = new Map(relations.map((r) => [r.qualifiedName, r]));
  for (const r of relations) if (r.partitionOf) byName.get(r.partitionOf)?.partitions.push(r.qualifiedName);
  for (const r of relations) r.partitions.sort();
  return relations;
}

/** Each relation's user triggers, with the signature of the function each runs. */
function attachTriggers(relations: Relation[], rows: Awaited<ReturnType<typeof queryTriggers>>, functions: readonly Func[]): void {
  const byOid = new Map(relations.map((r) => [r.oid, r]));
  const fnByOid = new Map(functions.map((f) => [f.oid, f.signature]));
  for (const t of rows) {
    byOid.get(t.relation)?.triggers.push({
      name: t.name,
      function: fnByOid.get(t.function) ?? String(t.function),
      timing: t.timing as Relation['triggers'][number]['timing'],
      events: t.events as Relation['triggers'][number]['events'],
      row: t.row,
    });
  }
}

function buildFunctions(rows: FunctionRow[], scanned: Set<string>): Func[] {
  return rows.map((f) => {
    const searchPath = (f.config ?? []).find((c) => c.toLowerCase().startsWith('search_path='));
    return {
      oid: f.oid,
      schema: f.schema,
      name: f.name,
      signature: `${f.schema}.${f.name}(${f.identityArgs})`,
      argTypes: f.argTypes,
      argNames: f.argNames,
      argDefaults: f.argDefaults,
      variadic: f.variadic,
      result: f.result,
      returnType: f.returnType,
      returnsSet: f.returnsSet,
      returnsRelation: f.returnsRelation,
      returnsTable: f.tableColumns,
      isTrigger: f.isTrigger,
      kind: PROKIND[f.kind] ?? 'function',
      language: f.language,
      securityDefiner: f.securityDefiner,
      leakproof: f.leakproof,
      volatility: VOLATILITY[f.volatility] ?? 'volatile',
      config: f.config ?? [],
      searchPath: searchPath === undefined ? null : searchPath.slice('search_path='.length),
      owner: f.owner,
      body: f.body,
      executableBy: f.executableBy,
      publicExecute: f.publicExecute,
      extension: f.extension,
      inScope: scanned.has(f.schema),
      settings: [],
      settingsWritten: [],
      calls: [],
      relationsReferenced: [],
      relationsRead: [],
      readsCurrentUser: false,
      arguments: f.arguments,
      parseError: null,
    };
  });
}

function buildRoles(rows: RoleRow[], memberships: MembershipRow[]): Role[] {
  const edges = groupBy(memberships, (m) => m.member);
  return rows
    .filter((r) => !r.name.startsWith('pg_'))
    .map((r) => ({
      ...r,
      memberOf: (edges.get(r.name) ?? []).map((e) => ({ role: e.role, admin: e.admin, inherit: e.inherit, set: e.set })),
    }));
}

/** Each actor's reachable roles: shortest membership path (BFS) plus the server's USAGE/SET answers. */
function buildActors(requested: readonly string[], rows: RoleRow[], memberships: MembershipRow[], flags: RoleFlagRow[]): ActorRole[] {
  const roles = new Map(rows.map((r) => [r.name, r]));
  const edges = groupBy(memberships, (m) => m.member);
  const flagsOf = groupBy(flags, (f) => f.actor);
  return [...new Set(requested)].map((name) => {
    const role = roles.get(name);
    if (!role) return { role: name, exists: false, superuser: false, bypassRls: false, login: false, inherit: false, reaches: [] };
    const paths = new Map<string, string[]>([[name, [name]]]);
    const queue = [name];
    while (queue.length > 0) {
      const current = queue.shift()!;
      for (const e of edges.get(current) ?? []) {
        if (paths.has(e.role)) continue;
        paths.set(e.role, [...paths.get(current)!, e.role]);
        queue.push(e.role);
      }
    }
    const reaches = (flagsOf.get(name) ?? [])
      // pg_has_role says yes to everything for a superuser: keep its real memberships only.
      .filter((f) => f.member && (!role.superuser || paths.has(f.role)))
      .map((f) => ({ role: f.role, path: paths.get(f.role) ?? [name, f.role], inheritsPrivileges: f.usage, canSetRole: f.set }))
      .sort((a, b) => (a.role < b.role ? -1 : 1));
    return { role: name, exists: true, superuser: role.superuser, bypassRls: role.bypassRls, login: role.login, inherit: role.inherit, reaches };
  });
}
