/**
 * One typed model of everything the isolation engine needs to know about a
 * database, read from pg_catalog once (introspect). Plain data, JSON-safe and
 * deterministically ordered: it can be snapshotted and compared (the `check`
 * command proves it left a database as found by comparing two catalogs).
 *
 * Names: relations are `schema.name` (unquoted), functions carry a
 * `signature` `schema.name(argtypes)`, roles are plain role names, and the
 * pseudo-role PUBLIC is the string `PUBLIC`.
 */

export * from './setting-types.js';
import type { RelationRead, SettingRead, SettingWrite } from './setting-types.js';

export const PUBLIC_ROLE = 'PUBLIC';

export interface Catalog {
  /** server_version_num, e.g. 150018 or 180004. */
  serverVersion: number;
  database: string;
  /** The schemas that were scanned, sorted. */
  scannedSchemas: string[];
  schemas: Schema[];
  relations: Relation[];
  functions: Func[];
  sequences: Sequence[];
  /** Every role of the cluster except the predefined pg_* ones, with direct memberships. */
  roles: Role[];
  /** One entry per actor role asked for, in the order given. */
  actors: ActorRole[];
  defaultPrivileges: DefaultPrivilege[];
  types: UserType[];
  tenancy: Tenancy;
}

export interface Schema {
  name: string;
  owner: string;
  privileges: Array<{ role: string; usage: boolean; create: boolean }>;
}

export type RelationKind = 'table' | 'partitioned-table' | 'view' | 'materialized-view' | 'foreign-table';

export interface Relation {
  oid: number;
  schema: string;
  name: string;
  /** `schema.name` */
  qualifiedName: string;
  kind: RelationKind;
  owner: string;
  /** Set when this relation is a partition: the parent's `schema.name`. */
  partitionOf: string | null;
  partitionBound: string | null;
  /** For partitioned tables: `PARTITION BY` text; and their direct partitions. */
  partitionKey: string | null;
  /** For partitioned tables: the plain columns of the key, in order (an expression in the key is left out). */
  partitionColumns: string[];
  partitions: string[];
  rls: { enabled: boolean; forced: boolean };
  /** View options (reloptions). */
  securityInvoker: boolean;
  securityBarrier: boolean;
  checkOption: string | null;
  viewDefinition: string | null;
  /** Relations a view or materialized view reads directly (pg_depend through its rewrite rule). */
  dependsOn: string[];
  foreignServer: string | null;
  /** The extension that owns the relation, if any (not the user's to fix). */
  extension: string | null;
  columns: Column[];
  primaryKey: KeyConstraint | null;
  uniqueConstraints: KeyConstraint[];
  foreignKeys: ForeignKey[];
  checks: CheckConstraint[];
  indexes: Index[];
  policies: Policy[];
  /** Privileges of each existing actor role (inherited membership counts). */
  privileges: RelationPrivileges[];
  /** Privileges granted to PUBLIC directly in the relation's ACL. */
  publicPrivileges: string[];
  /** In a scanned schema; false for relations read only because the engine needs them (a users table in `auth`). */
  inScope: boolean;
  /** User triggers (not foreign-key ones), by name. */
  triggers: Trigger[];
  /** How the relation belongs to a tenant, or null when it does not (see Tenancy). */
  tenancy: TenantScope | null;
}

export interface Column {
  name: string;
  position: number;
  /** format_type text, e.g. `uuid`, `character varying(20)`, `app.status[]`. */
  type: string;
  /** The type's own schema and name (for arrays: the element type's). */
  typeSchema: string;
  typeName: string;
  /** pg_type.typcategory: U user, S string, N numeric, A array, E enum, B boolean, D datetime, ... */
  category: string;
  isArray: boolean;
  notNull: boolean;
  default: string | null;
  identity: 'always' | 'by-default' | null;
  generated: boolean;
}

export interface KeyConstraint {
  name: string;
  /** Columns in key order. */
  columns: string[];
}

export interface ForeignKey {
  name: string;
  columns: string[];
  /** Referenced relation, `schema.name`. */
  references: string;
  referencedColumns: string[];
  onDelete: string;
  onUpdate: string;
  /** True when every referencing column is NOT NULL (such a key always points at a row). */
  notNull: boolean;
  deferrable: boolean;
  validated: boolean;
  /** Cloned from the partitioned parent. */
  inherited: boolean;
}

export interface Trigger {
  name: string;
  /** Signature of the trigger function. */
  function: string;
  timing: 'before' | 'after' | 'instead of';
  events: Array<'insert' | 'update' | 'delete' | 'truncate'>;
  row: boolean;
}

export interface CheckConstraint {
  name: string;
  definition: string;
  inherited: boolean;
}

export interface Index {
  name: string;
  /** Key columns in order; null where the key is an expression. */
  columns: Array<string | null>;
  /** Each key as text (a column name or an expression). */
  keys: string[];
  unique: boolean;
  primary: boolean;
  /** WHERE clause of a partial index. */
  predicate: string | null;
  /** The constraint the index implements, if any. */
  constraint: string | null;
  valid: boolean;
  definition: string;
}

export type PolicyCommand = 'all' | 'select' | 'insert' | 'update' | 'delete';

export interface Policy {
  name: string;
  /** `schema.name` of the policy's relation. */
  relation: string;
  command: PolicyCommand;
  permissive: boolean;
  /** Role names; `PUBLIC` when the policy has no TO clause (or TO PUBLIC). */
  roles: string[];
  appliesToPublic: boolean;
  /** pg_get_expr text, names schema-qualified (introspected with an empty search_path). */
  using: string | null;
  withCheck: string | null;
  /** Custom settings the policy reads, directly or through the functions it calls. */
  settings: SettingRead[];
  /** Signatures of the functions the expressions call (pg_depend). */
  functions: string[];
  /** Other relations the expressions reference, e.g. in subqueries (pg_depend). */
  relations: string[];
  /** Reads current_user / session_user / current_role, directly or through a function. */
  readsCurrentUser: boolean;
  /** Relations read by the functions the expressions call, through the whole call graph. */
  relationsThroughCalls: RelationRead[];
  /** PostgreSQL's message when an expression could not be parsed (its facts then come from text heuristics). */
  parseError: string | null;
}

export interface RelationPrivileges {
  role: string;
  select: boolean;
  insert: boolean;
  update: boolean;
  delete: boolean;
  truncate: boolean;
  references: boolean;
  trigger: boolean;
  /** Column-level grants, listed only where the table-level privilege is absent. */
  columns: { select: string[]; insert: string[]; update: string[]; references: string[] };
}

export type FunctionKind = 'function' | 'procedure' | 'aggregate' | 'window';

export interface Func {
  oid: number;
  schema: string;
  name: string;
  /** `schema.name(identity args)`: unique per function. */
  signature: string;
  argTypes: string[];
  /** Input argument names ('' where unnamed), in order: how the body refers to them. */
  argNames: string[];
  /** How many trailing arguments have defaults (may be left out of a call). */
  argDefaults: number;
  variadic: boolean;
  /** pg_get_function_result text, e.g. `SETOF app.tasks` or `TABLE(id uuid, tenant_id uuid)`. */
  result: string;
  returnType: string;
  returnsSet: boolean;
  /** When the result type is a relation's row type: that relation. */
  returnsRelation: string | null;
  /** RETURNS TABLE columns, or null. */
  returnsTable: Array<{ name: string; type: string }> | null;
  /** Trigger and event-trigger functions cannot be called directly. */
  isTrigger: boolean;
  kind: FunctionKind;
  language: string;
  securityDefiner: boolean;
  leakproof: boolean;
  volatility: 'immutable' | 'stable' | 'volatile';
  /** proconfig entries, e.g. `search_path=pg_catalog, pg_temp`. */
  config: string[];
  /** The search_path fixed by proconfig, or null when it is inherited from the caller (mutable). */
  searchPath: string | null;
  owner: string;
  /** Source of SQL and PL/pgSQL functions (null for C and others). */
  body: string | null;
  /** Existing actor roles that may EXECUTE it. */
  executableBy: string[];
  /** Executable by PUBLIC (the default unless revoked). */
  publicExecute: boolean;
  extension: string | null;
  /** Inside the scanned schemas (others are listed because a policy or function calls them). */
  inScope: boolean;
  /** Custom settings read by the body, directly (via: this function) or through called functions. */
  settings: SettingRead[];
  /** Custom settings the body writes, directly or through called functions. */
  settingsWritten: SettingWrite[];
  /** Signatures of the known functions the body calls (resolved by schema, name and number of arguments). */
  calls: string[];
  /** Relations the body names (read or written). */
  relationsReferenced: string[];
  /** Relations the body reads, directly or through called functions. */
  relationsRead: RelationRead[];
  readsCurrentUser: boolean;
  /** pg_get_function_arguments: names, modes and defaults of every argument. */
  arguments: string;
  /** PostgreSQL's message when the body could not be parsed (its facts then come from text heuristics). */
  parseError: string | null;
}

export interface Sequence {
  schema: string;
  name: string;
  qualifiedName: string;
  owner: string;
  /** OWNED BY column (serial / identity), `schema.table.column`. */
  ownedBy: string | null;
  /** Columns whose default draws from it, `schema.table.column`. */
  usedBy: string[];
  privileges: Array<{ role: string; usage: boolean; select: boolean; update: boolean }>;
}

export interface Role {
  name: string;
  superuser: boolean;
  bypassRls: boolean;
  login: boolean;
  inherit: boolean;
  createRole: boolean;
  createDb: boolean;
  replication: boolean;
  /**
   * Direct memberships (this role is a member of `role`). `inherit` and `set`
   * are the grant's options on PostgreSQL 16+; before 16 `inherit` is the
   * member's rolinherit and `set` is always true.
   */
  memberOf: Array<{ role: string; admin: boolean; inherit: boolean; set: boolean }>;
}

export interface ActorRole {
  role: string;
  exists: boolean;
  superuser: boolean;
  bypassRls: boolean;
  login: boolean;
  inherit: boolean;
  /** Every role reached through memberships, transitively (the actor itself excluded). */
  reaches: RoleReach[];
}

export interface RoleReach {
  role: string;
  /** Shortest membership chain from the actor to `role`, both ends included. */
  path: string[];
  /** The actor holds `role`'s privileges without SET ROLE (pg_has_role USAGE). */
  inheritsPrivileges: boolean;
  /** The actor may SET ROLE to it (pg_has_role SET on 16+, MEMBER before). */
  canSetRole: boolean;
}

export type DefaultPrivilegeObject = 'table' | 'sequence' | 'function' | 'type' | 'schema';

export interface DefaultPrivilege {
  /** The role whose future objects get the grant. */
  owner: string;
  /** null: in every schema. */
  schema: string | null;
  objectType: DefaultPrivilegeObject;
  grantee: string;
  privileges: string[];
}

export interface UserType {
  schema: string;
  name: string;
  kind: 'enum' | 'domain';
  /** Enum labels in order. */
  labels: string[];
  /** Domain base type and constraints. */
  baseType: string | null;
  notNull: boolean;
  checks: string[];
}

export interface Tenancy {
  /** The first tenant column name (what most messages say). */
  tenantColumn: string;
  /** Every tenant column name, in order of preference. */
  tenantColumns: string[];
  /** Per-relation overrides, keyed `schema.name`. */
  relationColumns: Record<string, string>;
  /** The SQL type of tenant ids: the tenant key's, else the first tenant column's (format_type text). */
  tenantType: string;
  /** `schema.name` of the tenant table (configured or inferred), or null. */
  tenantTable: string | null;
  /** The tenant table's key column that tenant columns reference. */
  tenantKey: string | null;
  /** How the tenant table was found. */
  tenantTableSource: 'config' | 'inferred' | 'none';
  /** Relations declared global (config): never tenant-scoped. */
  globalRelations: string[];
}

export type TenantScopeKind = 'tenant-table' | 'direct' | 'indirect' | 'derived';

export interface TenantScope {
  /**
   * tenant-table: the tenant table itself (its key is the tenant);
   * direct: has the tenant column;
   * indirect: reaches a tenant relation through NOT NULL foreign keys;
   * derived: a view or materialized view over tenant relations.
   */
  kind: TenantScopeKind;
  /** The column holding the tenant (direct: tenant column, tenant-table: key), else null. */
  column: string | null;
  /** Indirect: the foreign keys followed; derived: the relations read. First hop first. */
  path: TenancyHop[];
}

export interface TenancyHop {
  from: string;
  to: string;
  /** Foreign key name, or `view` for a view's dependency. */
  via: string;
  columns: string[];
}
