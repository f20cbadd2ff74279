/**
 * The SQL of the probes, built in one place from the catalog: the row's
 * tenant, what a read counts, how a payload becomes a row, the snapshot of a
 * world. Every builder takes its varying parts as SQL expressions, so that
 * the runner passes its variables (`v_allowed`, `v_payload`) and a replay
 * passes literals, and both run the same statement.
 */
import type { Catalog, Column, Relation } from '../catalog/types.js';
import type { ResolvedConfig } from '../config/schema.js';
import { quoteIdent, quoteLiteral, quoteRelation } from '../sql/text.js';
import type { TenancyModel } from '../tenancy/model.js';

/** The runner's temporary objects (per session: nothing is left in the schema under test). */
export const T = {
  snapshot: 'pg_temp.tp_snapshot',
  access: 'pg_temp.tp_access',
  leaves: 'pg_temp.tp_leaves',
  byTenant: 'pg_temp.tp_by_tenant',
} as const;

/** Expressions a statement may need: runner variables or literals. */
export interface Bindings {
  /** text[]: the tenants whose rows the subject may see. */
  allowed: string;
  /** jsonb: the check's payload. */
  payload: string;
  /**
   * The runner's bounds of a partitioned table's key column `k` (readBounds fills them): a read is
   * bounded by them. A replay has none and reads the whole table.
   */
  keyBound?: (r: Relation, k: number, end: 'low' | 'high') => string;
}

const keyBound = (r: Relation, k: number, end: 'low' | 'high') => `v_k${end === 'low' ? 'l' : 'h'}${r.oid}_${k}`;

export const RUNNER_BINDINGS: Bindings = { allowed: 'v_allowed', payload: 'v_payload', keyBound };

export function literalBindings(allowed: readonly string[], payload: unknown): Bindings {
  return {
    allowed: `array[${allowed.map(quoteLiteral).join(', ')}]::text[]`,
    payload: payload === null || payload === undefined ? 'null::jsonb' : `${quoteLiteral(JSON.stringify(payload))}::jsonb`,
  };
}

export interface Statements {
  /** The tenant of row `alias` of `r`, as text, computed as the privileged role (through foreign keys when indirect); null when unknown. */
  tenantOf(r: Relation, alias: string): string | null;
  /** A stored relation's leaf tables' oids (a partitioned table's partitions). */
  leafOids(r: Relation): number[];
  /** The column a view (or any relation) exposes that names the tenant, or null. */
  exposedTenantColumn(r: Relation): string | null;
  /**
   * A read of `r` as the actor: (rows of other tenants seen, own rows seen). With `b.keyBound` (the
   * runner), a partitioned table is read between the lowest and highest key of its rows.
   */
  read(r: Relation, b: Bindings): string | null;
  /** The runner's variables for bounded reads, per partitioned table: declarations and the statement that fills them. */
  readBounds(): Array<{ variables: string[]; declarations: string[]; fill: string }>;
  /** `insert into r (cols) select cols from jsonb_to_record(payload) as x(cols)`. */
  insertPayload(r: Relation, columns: readonly string[], b: Bindings, suffix?: string): string;
  /** `(cols) = (select x.cols from jsonb_to_record(...) as x(cols))`: a SET list that reads no column of the target. */
  setFromPayload(r: Relation, columns: readonly string[], b: Bindings): string;
  /** Privileged: rows of `r` not in the snapshot whose tenant the subject may not see (what a write planted). */
  plantedForeign(r: Relation, b: Bindings): string | null;
  /** Privileged: rows of other tenants in the snapshot that are gone or changed (what an upsert or update did). */
  foreignChanged(r: Relation, b: Bindings): string;
  /** Statements that fill the snapshot and the access list after a world is written. */
  snapshot(o: { children: ReadonlySet<string> }): string[];
  /**
   * What a victim view of stored relation `name` adds to its WHERE so that PostgreSQL initializes one
   * partition, not all (see pruneColumns); empty for a relation that is not partitioned.
   */
  victimKeyPredicate(name: string): string;
}

/**
 * Key types whose text (keyText) reads back as the same value whatever the actor's settings: a key of
 * another type prunes nothing, and is still correct.
 */
const PRUNABLE_TYPES = new Set(['int2', 'int4', 'int8', 'numeric', 'float4', 'float8', 'text', 'varchar', 'bpchar', 'uuid', 'date', 'timestamp', 'timestamptz', 'bool']);
/** Of those, the ones without min() and max(): a read is not bounded by them. */
const NO_MIN_MAX = new Set(['uuid', 'bool']);

export function statements(catalog: Catalog, config: ResolvedConfig, model: TenancyModel): Statements {
  const byName = new Map(catalog.relations.map((r) => [r.qualifiedName, r]));

  const tenantOf = (r: Relation, alias: string, depth = 0): string | null => {
    const scope = r.tenancy;
    if (!scope) return null;
    if ((scope.kind === 'direct' || scope.kind === 'tenant-table') && scope.column) return `${alias}.${quoteIdent(scope.column)}::text`;
    if (scope.kind !== 'indirect' || depth > 8) return null;
    const hop = scope.path[0];
    const fk = hop ? r.foreignKeys.find((k) => k.name === hop.via) : undefined;
    const parent = hop ? byName.get(hop.to) : undefined;
    if (!fk || !parent) return null;
    const p = `p${depth}`;
    const inner = tenantOf(parent, p, depth + 1);
    if (!inner) return null;
    const on = fk.columns.map((c, i) => `${p}.${quoteIdent(fk.referencedColumns[i]!)} = ${alias}.${quoteIdent(c)}`).join(' and ');
    return `(select ${inner} from ${quoteRelation(parent.qualifiedName)} ${p} where ${on})`;
  };

  const leafOids = (r: Relation): number[] => {
    if (r.kind !== 'partitioned-table') return [r.oid];
    return r.partitions.flatMap((p) => {
      const child = byName.get(p);
      return child ? leafOids(child) : [];
    });
  };

  /** A view's column that carries the tenant: the tenant column by name, or the column of its base relation that does (the key of the tenant table). */
  const exposedTenantColumn = (r: Relation, depth = 0): string | null => {
    const has = (name: string) => r.columns.some((c) => c.name === name);
    if (r.tenancy?.column && has(r.tenancy.column)) return r.tenancy.column;
    const named = catalog.tenancy.tenantColumns.find(has);
    if (named) return named;
    const base = r.tenancy?.kind === 'derived' ? byName.get(r.tenancy.path[0]?.to ?? '') : undefined;
    if (!base || depth > 8) return null;
    const inherited = base.tenancy?.column ?? exposedTenantColumn(base, depth + 1);
    return inherited && has(inherited) ? inherited : null;
  };

  /**
   * The columns a write through a victim view narrows the partitions by: the plain key columns of a
   * partitioned table and of its partitioned partitions, of a type with an exact text form. A write
   * through a partitioned table of 49 partitions initialized all 49 (four times the cost of a write
   * to one table); with the victim row's key values the generic plan drops all but one at startup.
   */
  const pruneColumns = (r: Relation): Column[] => {
    const names = new Set<string>();
    const walk = (x: Relation | undefined, depth: number) => {
      if (x?.kind !== 'partitioned-table' || depth > 8) return;
      for (const c of x.partitionColumns) names.add(c);
      for (const p of x.partitions) walk(byName.get(p), depth + 1);
    };
    walk(r, 0);
    return r.columns.filter((c) => names.has(c.name) && !c.isArray && (c.category === 'E' || (c.typeSchema === 'pg_catalog' && PRUNABLE_TYPES.has(c.typeName))));
  };
  /**
   * The key columns a read of a partitioned table is bounded by. A read counts the rows of the world,
   * which lie between the lowest and highest key the relation holds (or have a NULL key): bounded so,
   * the generic plan keeps the partitions the world wrote to (2-5 of the reference's 49), not all.
   */
  const rangeColumns = (r: Relation): Column[] => pruneColumns(r).filter((c) => !(c.typeSchema === 'pg_catalog' && NO_MIN_MAX.has(c.typeName)));

  // The victim's key values, one text per column (SQL NULL for a NULL key), as the snapshot wrote them.
  const victimKey = (i: number) => `(nullif(current_setting('tp.vk', true), '')::text[])[${i + 1}]`;

  const allowedOf = (tenant: string, b: Bindings) => `coalesce(${tenant} = any(${b.allowed}), false)`;
  const stored = (r: Relation) => r.kind === 'table' || r.kind === 'partitioned-table';

  return {
    tenantOf: (r, alias) => tenantOf(r, alias),
    leafOids,
    exposedTenantColumn: (r) => exposedTenantColumn(r),
    read(r, b) {
      const rel = quoteRelation(r.qualifiedName);
      if (stored(r)) {
        const bound = b.keyBound;
        const within = bound
          ? rangeColumns(r).map((c, k) => {
              const col = `t.${quoteIdent(c.name)}`;
              return `((${col} >= ${bound(r, k, 'low')} and ${col} <= ${bound(r, k, 'high')}) or ${col} is null)`;
            })
          : [];
        return (
          `select count(*) filter (where not (${allowedOf('s.tenant', b)} or s.shared)), count(*) filter (where ${allowedOf('s.tenant', b)}) ` +
          `from ${rel} t join ${T.snapshot} s on s.reloid = t.tableoid and s.row_ctid = t.ctid${within.length ? ` where ${within.join(' and ')}` : ''}`
        );
      }
      const col = exposedTenantColumn(r);
      if (!col) return null;
      const tenant = `t.${quoteIdent(col)}::text`;
      return `select count(*) filter (where not ${allowedOf(tenant, b)}), count(*) filter (where ${allowedOf(tenant, b)}) from ${rel} t`;
    },
    insertPayload(r, columns, b, suffix = '') {
      const rel = quoteRelation(r.qualifiedName);
      const cols = columns.map(quoteIdent).join(', ');
      return `insert into ${rel} (${cols}) overriding system value select ${cols} from ${payloadRecord(r, columns, b.payload)}${suffix}`;
    },
    setFromPayload(r, columns, b) {
      return `(${columns.map(quoteIdent).join(', ')}) = (select ${columns.map((c) => `x.${quoteIdent(c)}`).join(', ')} from ${payloadRecord(r, columns, b.payload)})`;
    },
    plantedForeign(r, b) {
      const tenant = tenantOf(r, 't');
      if (!tenant) return null;
      return `select count(*) from ${quoteRelation(r.qualifiedName)} t where not exists (select 1 from ${T.snapshot} s where s.reloid = t.tableoid and s.row_ctid = t.ctid) and not ${allowedOf(tenant, b)}`;
    },
    foreignChanged(r, b) {
      const rel = quoteRelation(r.qualifiedName);
      return `select count(*) from ${T.snapshot} s where s.reloid = any('{${leafOids(r).join(',')}}'::oid[]) and not (${allowedOf('s.tenant', b)} or s.shared_write) and not exists (select 1 from ${rel} t where t.tableoid = s.reloid and t.ctid = s.row_ctid)`;
    },
    snapshot({ children }) {
      // As few statements as possible: one per kind of fact, over every relation at once.
      const out: string[] = [];
      // Materialized views hold what they held at their last refresh: show them the world.
      for (const r of catalog.relations)
        if (r.kind === 'materialized-view' && r.tenancy && !r.extension && r.inScope) out.push(`refresh materialized view ${quoteRelation(r.qualifiedName)}`);
      const rows: string[] = [];
      for (const r of catalog.relations) {
        if (!r.tenancy || r.partitionOf !== null || !stored(r) || !r.inScope) continue;
        const tenant = tenantOf(r, 't');
        if (!tenant) continue;
        rows.push(
          `select t.tableoid, t.ctid, ${tenant}, ${sharedPredicate(r, config, 'read')}, ${sharedPredicate(r, config, 'write')}, false, ${rowKey(r)}, ${snapshotKey(pruneColumns(r))} from ${quoteRelation(r.qualifiedName)} t`,
        );
      }
      if (rows.length > 0)
        out.push(`insert into ${T.snapshot} (reloid, row_ctid, tenant, shared, shared_write, children, row_key, key_values, unkeyed) ${rows.join('\nunion all ')}`);
      // Rows other rows reference: a delete of them may fail for a reason that has nothing to do with isolation.
      const parents: string[] = [];
      for (const r of catalog.relations) {
        if (!r.tenancy || !stored(r) || !r.inScope) continue;
        for (const fk of r.foreignKeys) {
          if (fk.inherited || !children.has(fk.references) || !['no action', 'restrict'].includes(fk.onDelete)) continue;
          const on = fk.columns.map((c, i) => `p.${quoteIdent(fk.referencedColumns[i]!)} = c.${quoteIdent(c)}`).join(' and ');
          parents.push(`select p.tableoid, p.ctid from ${quoteRelation(fk.references)} p where exists (select 1 from ${quoteRelation(r.qualifiedName)} c where ${on})`);
        }
      }
      if (parents.length > 0)
        out.push(`update ${T.snapshot} s set children = true from (${parents.join('\nunion all ')}) p (reloid, row_ctid) where s.reloid = p.reloid and s.row_ctid = p.row_ctid`);
      out.push(
        `insert into ${T.byTenant} (i, tenant, n, shared, shared_write) select lv.i, s.tenant, count(*), count(*) filter (where s.shared), count(*) filter (where s.shared_write) ` +
          `from ${T.snapshot} s join ${T.leaves} lv on lv.reloid = s.reloid group by lv.i, s.tenant`,
      );
      if (model.memberships) {
        const m = model.memberships;
        out.push(
          `insert into ${T.access} (principal, tenant) select m.${quoteIdent(m.principalColumn)}::text, m.${quoteIdent(m.tenantColumn)}::text from ${quoteRelation(m.relation.qualifiedName)} m`,
        );
      }
      return out;
    },
    readBounds() {
      return catalog.relations.flatMap((r) => {
        const cols = rangeColumns(r);
        if (cols.length === 0) return [];
        const variables = cols.flatMap((_, k) => [keyBound(r, k, 'low'), keyBound(r, k, 'high')]);
        return [
          {
            variables,
            declarations: cols.flatMap((c, k) => [`${keyBound(r, k, 'low')} ${typeName(c)};`, `${keyBound(r, k, 'high')} ${typeName(c)};`]),
            fill: `select ${cols.map((c) => `min(t.${quoteIdent(c.name)}), max(t.${quoteIdent(c.name)})`).join(', ')} into ${variables.join(', ')} from ${quoteRelation(r.qualifiedName)} t;`,
          },
        ];
      });
    },
    victimKeyPredicate(name) {
      const r = byName.get(name);
      const cols = r ? pruneColumns(r) : [];
      return cols.map((c, i) => `(${quoteIdent(c.name)} = ${victimKey(i)}::${typeName(c)} or (${quoteIdent(c.name)} is null and ${victimKey(i)} is null))`).join(' and ');
    },
  };
}

/**
 * A row's partition key values for the victim view (text[] as text: a NULL key stays NULL, an empty
 * string stays one), and whether a value failed to read back as itself: that row is no victim (it
 * could not be reached through the view; see perRowBlock).
 */
function snapshotKey(cols: readonly Column[]): string {
  if (cols.length === 0) return 'null::text, false';
  const col = (c: Column) => `t.${quoteIdent(c.name)}`;
  const exact = cols.map((c) => `(${col(c)} is null or ${keyText(c, col(c))}::${typeName(c)} = ${col(c)})`).join(' and ');
  const values = `array[${cols.map((c) => keyText(c, col(c))).join(', ')}]::text`;
  return `case when ${exact} then ${values} end, not coalesce(${exact}, false)`;
}

/**
 * A key value as text that reads back as itself whatever DateStyle and TimeZone the actor has (dates
 * and times in ISO form, written without the session's settings); other key types' text depends on no
 * setting. The snapshot checks that it reads back (a BC date or an infinity does not).
 */
function keyText(c: Column, value: string): string {
  if (c.typeSchema !== 'pg_catalog') return `${value}::text`;
  if (c.typeName === 'timestamptz') return `(to_char(${value} at time zone 'UTC', 'YYYY-MM-DD HH24:MI:SS.US') || '+00')`;
  if (c.typeName === 'timestamp') return `to_char(${value}, 'YYYY-MM-DD HH24:MI:SS.US')`;
  if (c.typeName === 'date') return `to_char(${value}, 'YYYY-MM-DD')`;
  return `${value}::text`;
}

/** A column's type as SQL, named by its schema outside pg_catalog (whatever search_path the actor has). */
const typeName = (c: Column) => (c.typeSchema === 'pg_catalog' ? c.type : `${quoteIdent(c.typeSchema)}.${quoteIdent(c.typeName)}${c.isArray ? '[]' : ''}`);

/**
 * A payload as a record of just `columns`, typed as the relation types them. Not
 * `jsonb_populate_record(null::r, ...)`: that copies the relation's row type with its defaults and
 * constraints each time a statement starts (3% of the runner), and fills every column of it. The
 * conversion of each value is the same (both are populate_record); a type outside pg_catalog is
 * named by its schema, whatever search_path the actor has.
 */
function payloadRecord(r: Relation, columns: readonly string[], payload: string): string {
  const typed = columns.map((name) => {
    const c = r.columns.find((x) => x.name === name);
    if (!c) throw new Error(`${r.qualifiedName} has no column ${name}`);
    return `${quoteIdent(name)} ${typeName(c)}`;
  });
  return `jsonb_to_record(${payload}) as x(${typed.join(', ')})`;
}

/**
 * A row's identity that does not depend on where it lies on disk: its key as text (or its whole
 * value). Victims are tried in this order, so the same world gives the same verdicts whichever
 * worlds a connection ran before (aborted inserts leave free space that moves later rows).
 */
function rowKey(r: Relation): string {
  const key = r.primaryKey?.columns;
  if (!key?.length) return 'md5(t::text)';
  return key.map((k) => `coalesce(t.${quoteIdent(k)}::text, '')`).join(` || ',' || `);
}

/** Rows shared on purpose (a reviewed exception): reading them, or writing them where the exception says so, is no leak. */
function sharedPredicate(r: Relation, config: ResolvedConfig, access: 'read' | 'write'): string {
  const preds: string[] = [];
  for (const s of config.sharedRows) {
    if (s.relation !== r.qualifiedName || (access === 'write' && s.access !== 'write')) continue;
    const text = s.predicate ?? r.policies.find((p) => p.name === s.policy)?.using ?? null;
    if (text) preds.push(`(${text})`);
  }
  if (preds.length === 0) return 'false';
  return `coalesce((select ${preds.join(' or ')} from ${quoteRelation(r.qualifiedName)} x where x.tableoid = t.tableoid and x.ctid = t.ctid), false)`;
}
