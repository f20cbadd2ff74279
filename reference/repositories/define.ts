/**
 * The generic tenant-scoped repository. An entity is a table of the reference
 * schema with `tenant_id`, `id` and a primary key on both; it is described
 * once (zod schemas for its public row, create and update inputs, the
 * sortable and filterable columns, soft or hard delete) and gets create, get,
 * list, update and remove, all run through withTenant.
 *
 * Scoping is enforced twice: by the database's policies (the actor's role
 * and app.tenant_id, set transaction-locally by withTenant) and by an
 * explicit `tenant_id = <tenant>` predicate on every statement, so that a
 * role that bypasses RLS (tp_platform) acting for one tenant still only
 * reaches that tenant's rows, and the planner can use the (tenant_id, id) keys.
 */
import { z } from 'zod';
import { sql, type SQLQuery, type Transaction } from '@databases/pg';
import { TenantproofError } from 'tenantproof';
import { withTenant } from '../db/tenant.js';
import { fail, invalidInput, mapDatabaseError, notFound, ok, RepositoryFailure, type RepoError, type Result } from './result.js';

export type Db = Parameters<typeof withTenant>[0];

export interface RepoContext {
  tenantId: string;
  /** The database role the actor acts as (tp_admin, tp_member...). */
  role: string;
  /** Recorded in the audit trail (app.user_id); never used to decide access. */
  actorUserId?: string;
}

const contextSchema = z.object({
  tenantId: z.guid(),
  role: z.string().regex(/^[a-z_][a-z0-9_]{0,62}$/, 'a role name'),
  actorUserId: z.guid().optional(),
});

export const idSchema = z.guid();

export const MAX_PAGE_SIZE = 100;
const MAX_PAGE = 1_000_000;

export interface Page<T> {
  items: T[];
  total: number;
  page: number;
  pageSize: number;
}

class Rollback {
  constructor(readonly result: { ok: false; error: unknown }) {}
}

/**
 * Runs `fn` in one transaction as `ctx`'s actor. A failed Result rolls the
 * transaction back; database errors become typed results (or a
 * RepositoryFailure when they are not the caller's to handle).
 */
export async function inTenant<T, E = never>(
  db: Db,
  ctx: RepoContext,
  operation: string,
  fn: (tx: Transaction, ctx: RepoContext) => Promise<Result<T, E | RepoError>>,
): Promise<Result<T, E | RepoError>> {
  const parsed = contextSchema.safeParse(ctx);
  if (!parsed.success) return invalidInput(parsed.error);
  const c = parsed.data;
  try {
    return await withTenant(db, { tenantId: c.tenantId, role: c.role }, async (tx) => {
      if (c.actorUserId) await tx.query(sql`select set_config('app.user_id', ${c.actorUserId}, true)`);
      const result = await fn(tx, c);
      if (!result.ok) throw new Rollback(result);
      return result;
    });
  } catch (e) {
    if (e instanceof Rollback) return e.result as { ok: false; error: E | RepoError };
    const mapped = mapDatabaseError(e);
    if (mapped) return fail(mapped);
    if (e instanceof TenantproofError) throw e;
    throw new RepositoryFailure(operation, e);
  }
}

type AnyObject = z.ZodObject<z.core.$ZodShape>;
type Direction = 'asc' | 'desc';

export interface EntitySpec<
  Row extends AnyObject,
  Create extends z.ZodType,
  Update extends z.ZodType,
  Sort extends keyof z.output<Row> & string,
  Filter extends AnyObject,
> {
  /** For messages: "create document failed". */
  entity: string;
  table: { schema: string; name: string };
  /** The public row: its keys are the select list, so a column it lacks (a secret) is never read. */
  row: Row;
  /** Columns of `row` computed by an expression instead of read (e.g. `totp_secret is not null`). */
  computed?: Partial<Record<keyof z.output<Row> & string, SQLQuery>>;
  create: Create;
  update: Update;
  /** Column values from the validated create input (hashing, defaults); default: the input itself. */
  toInsert?: (input: z.output<Create>) => Record<string, unknown> | Promise<Record<string, unknown>>;
  toUpdate?: (input: z.output<Update>) => Record<string, unknown> | Promise<Record<string, unknown>>;
  sort: { columns: readonly [Sort, ...Sort[]]; default: Sort; direction?: Direction };
  /** Equality filters a list accepts; keys must be columns of `row`. */
  filter?: Filter;
  /** `soft` sets a boolean column (default is_active) to false and hides the row from lists; `hard` deletes it. */
  deletion: { mode: 'soft'; column?: string } | { mode: 'hard' };
  /** jsonb columns: sent as JSON text (a JS array would otherwise become a PostgreSQL array). */
  jsonColumns?: readonly string[];
  maxPageSize?: number;
}

export type ListQuery<Sort extends string, FilterIn> = {
  page?: number;
  pageSize?: number;
  sort?: Sort;
  direction?: Direction;
  filter?: FilterIn;
  /** Soft-deleted rows too (soft-delete entities only). */
  includeInactive?: boolean;
};

/** Building blocks for entity-specific operations, inside an `inTenant` transaction. */
export interface RepositoryInternals<T> {
  table: SQLQuery;
  columns: SQLQuery;
  parseRow(row: unknown): T;
  insert(tx: Transaction, ctx: RepoContext, values: Record<string, unknown>): Promise<T>;
  updateById(tx: Transaction, ctx: RepoContext, id: string, values: Record<string, unknown>): Promise<T | undefined>;
  selectById(tx: Transaction, ctx: RepoContext, id: string): Promise<T | undefined>;
}

export interface Repository<T, CreateIn, UpdateIn, Sort extends string, FilterIn> {
  create(db: Db, ctx: RepoContext, input: CreateIn): Promise<Result<T>>;
  get(db: Db, ctx: RepoContext, id: string): Promise<Result<T>>;
  list(db: Db, ctx: RepoContext, query?: ListQuery<Sort, FilterIn>): Promise<Result<Page<T>>>;
  update(db: Db, ctx: RepoContext, id: string, patch: UpdateIn): Promise<Result<T>>;
  /** Soft delete (the row stays, inactive) or hard delete, as the entity is defined; returns the row as it was left. */
  remove(db: Db, ctx: RepoContext, id: string): Promise<Result<T>>;
  /** Reactivates a soft-deleted row (soft-delete entities; otherwise `invalid`). */
  restore(db: Db, ctx: RepoContext, id: string): Promise<Result<T>>;
  /** The list query's schema: sort columns are an enum, so an unknown column is refused. */
  listQuery: z.ZodType<unknown>;
  internals: RepositoryInternals<T>;
}

export function defineRepository<
  Row extends AnyObject,
  Create extends z.ZodType,
  Update extends z.ZodType,
  Sort extends keyof z.output<Row> & string,
  Filter extends AnyObject = z.ZodObject<{}>,
>(
  spec: EntitySpec<Row, Create, Update, Sort, Filter>,
): Repository<z.output<Row>, z.input<Create>, z.input<Update>, Sort, z.input<Filter>> {
  type T = z.output<Row>;
  const rowKeys = Object.keys(spec.row.shape);
  const computed = (spec.computed ?? {}) as Record<string, SQLQuery | undefined>;
  const plain = rowKeys.filter((k) => !computed[k]);
  // Mistakes in a definition fail at import, not at the first request.
  for (const key of ['tenant_id', 'id']) if (!plain.includes(key)) throw new Error(`${spec.entity}: row must include ${key}`);
  for (const c of spec.sort.columns) if (!plain.includes(c)) throw new Error(`${spec.entity}: sort column ${c} is not a plain column of the row`);
  const filterKeys = spec.filter ? Object.keys(spec.filter.shape) : [];
  for (const c of filterKeys) if (!plain.includes(c)) throw new Error(`${spec.entity}: filter ${c} is not a plain column of the row`);
  const softColumn = spec.deletion.mode === 'soft' ? (spec.deletion.column ?? 'is_active') : undefined;
  if (softColumn && !plain.includes(softColumn)) throw new Error(`${spec.entity}: soft-delete column ${softColumn} is not in the row`);

  const table = sql.ident(spec.table.schema, spec.table.name);
  const columns = sql.join(
    rowKeys.map((k) => (computed[k] ? sql`${computed[k]} as ${sql.ident(k)}` : sql.ident(k))),
    ', ',
  );
  const json = new Set(spec.jsonColumns ?? []);
  const encode = (column: string, value: unknown) => (json.has(column) && value !== null ? sql`${JSON.stringify(value)}::jsonb` : sql`${value}`);
  const maxPageSize = spec.maxPageSize ?? MAX_PAGE_SIZE;

  const listQuery = z.strictObject({
    page: z.int().min(1).max(MAX_PAGE).default(1),
    pageSize: z.int().min(1).max(maxPageSize).default(Math.min(20, maxPageSize)),
    sort: z.enum(spec.sort.columns as unknown as [Sort, ...Sort[]]).default(spec.sort.default),
    direction: z.enum(['asc', 'desc']).default(spec.sort.direction ?? 'asc'),
    filter: (spec.filter ? spec.filter.strict() : z.strictObject({})).optional(),
    includeInactive: z.boolean().default(false),
  });

  function parseRow(row: unknown): T {
    const parsed = spec.row.safeParse(row);
    if (parsed.success) return parsed.data as T;
    // Paths only: values could be anything the row holds.
    const paths = parsed.error.issues.map((i) => i.path.join('.')).join(', ');
    throw new TenantproofError('row-shape', `${spec.entity} row does not match its schema at: ${paths}`, 'migrate the database to the level this version expects');
  }

  const scope = (ctx: RepoContext, id: string) => sql`tenant_id = ${ctx.tenantId} and id = ${id}`;
  const defined = (values: Record<string, unknown>) => Object.entries(values).filter(([, v]) => v !== undefined);

  const internals: RepositoryInternals<T> = {
    table,
    columns,
    parseRow,
    async insert(tx, ctx, values) {
      const entries = [['tenant_id', ctx.tenantId] as [string, unknown], ...defined(values).filter(([k]) => k !== 'tenant_id')];
      const [row] = await tx.query(sql`
        insert into ${table} (${sql.join(entries.map(([k]) => sql.ident(k)), ', ')})
        values (${sql.join(entries.map(([k, v]) => encode(k, v)), ', ')})
        returning ${columns}`);
      return parseRow(row);
    },
    async updateById(tx, ctx, id, values) {
      // The keys are never rewritten: a row cannot be moved to another tenant or renumbered.
      const entries = defined(values).filter(([k]) => k !== 'tenant_id' && k !== 'id');
      if (entries.length === 0) return internals.selectById(tx, ctx, id);
      const [row] = await tx.query(sql`
        update ${table} set ${sql.join(entries.map(([k, v]) => sql`${sql.ident(k)} = ${encode(k, v)}`), ', ')}
        where ${scope(ctx, id)}
        returning ${columns}`);
      return row === undefined ? undefined : parseRow(row);
    },
    async selectById(tx, ctx, id) {
      const [row] = await tx.query(sql`select ${columns} from ${table} where ${scope(ctx, id)}`);
      return row === undefined ? undefined : parseRow(row);
    },
  };

  async function byId(db: Db, ctx: RepoContext, operation: string, id: unknown, fn: (tx: Transaction, ctx: RepoContext, id: string) => Promise<T | undefined>) {
    const parsedId = idSchema.safeParse(id);
    if (!parsedId.success) return invalidInput(parsedId.error);
    return inTenant<T>(db, ctx, operation, async (tx, c) => {
      const row = await fn(tx, c, parsedId.data);
      return row === undefined ? notFound() : ok(row);
    });
  }

  const setActive = (active: boolean) => (db: Db, ctx: RepoContext, id: string) => {
    if (!softColumn) return Promise.resolve(fail({ kind: 'invalid' as const, issues: [{ path: '', message: `${spec.entity} has no soft delete` }] }));
    return byId(db, ctx, `${active ? 'restore' : 'remove'} ${spec.entity}`, id, (tx, c, i) => internals.updateById(tx, c, i, { [softColumn]: active }));
  };

  return {
    listQuery,
    internals,

    async create(db, ctx, input) {
      const parsed = spec.create.safeParse(input);
      if (!parsed.success) return invalidInput(parsed.error);
      const values = spec.toInsert ? await spec.toInsert(parsed.data) : (parsed.data as Record<string, unknown>);
      return inTenant<T>(db, ctx, `create ${spec.entity}`, async (tx, c) => ok(await internals.insert(tx, c, values)));
    },

    get(db, ctx, id) {
      return byId(db, ctx, `get ${spec.entity}`, id, internals.selectById);
    },

    async list(db, ctx, query = {}) {
      const parsed = listQuery.safeParse(query);
      if (!parsed.success) return invalidInput(parsed.error);
      const q = parsed.data;
      if (q.includeInactive && !softColumn) return fail({ kind: 'invalid', issues: [{ path: 'includeInactive', message: `${spec.entity} has no soft delete` }] });
      const dir = q.direction === 'desc' ? sql`desc` : sql`asc`;
      const sortCol = sql.ident(q.sort);
      // One statement, one snapshot: the total and the page always agree, and a
      // page past the end still reports the total.
      return inTenant<Page<T>>(db, ctx, `list ${spec.entity}`, async (tx, c) => {
        const conditions = [sql`tenant_id = ${c.tenantId}`];
        for (const [k, v] of defined((q.filter ?? {}) as Record<string, unknown>)) conditions.push(sql`${sql.ident(k)} = ${v}`);
        if (softColumn && !q.includeInactive) conditions.push(sql.ident(softColumn));
        const where = sql.join(conditions, ' AND ');
        const rows = await tx.query(sql`
          select counted.total as "__total", p.*
          from (select count(*)::int as total from ${table} where ${where}) counted
          left join lateral (
            select ${columns} from ${table} where ${where}
            order by ${sortCol} ${dir}, id asc
            limit ${q.pageSize} offset ${(q.page - 1) * q.pageSize}
          ) p on true
          order by p.${sortCol} ${dir}, p.id asc`);
        const total = Number(rows[0]?.__total ?? 0);
        const items = rows.filter((r) => r.id !== null).map(({ __total, ...row }) => parseRow(row));
        return ok({ items, total, page: q.page, pageSize: q.pageSize });
      });
    },

    async update(db, ctx, id, patch) {
      const parsed = spec.update.safeParse(patch);
      if (!parsed.success) return invalidInput(parsed.error);
      const values = spec.toUpdate ? await spec.toUpdate(parsed.data) : (parsed.data as Record<string, unknown>);
      return byId(db, ctx, `update ${spec.entity}`, id, (tx, c, i) => internals.updateById(tx, c, i, values));
    },

    remove(db, ctx, id) {
      if (softColumn) return setActive(false)(db, ctx, id);
      return byId(db, ctx, `remove ${spec.entity}`, id, async (tx, c, i) => {
        const [row] = await tx.query(sql`delete from ${table} where ${scope(c, i)} returning ${columns}`);
        return row === undefined ? undefined : parseRow(row);
      });
    },

    restore: setActive(true),
  };
}

/** An update schema must change something: `{}` is refused instead of silently doing nothing. */
export function nonEmptyPatch<S extends z.core.$ZodShape>(shape: S) {
  return z
    .strictObject(shape)
    .partial()
    .refine((o) => Object.values(o).some((v) => v !== undefined), { message: 'nothing to update' });
}
