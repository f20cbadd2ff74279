/**
 * What PostgreSQL said about candidate values, remembered for the life of the process.
 *
 * Discovery (discover.ts, row-checks.ts) asks the server which candidates pass an expression: a
 * CHECK, a domain, a cast to a column's type. The answer is a pure function of the expression, the
 * candidates and the definitions they depend on (functions, CHECK and domain constraints, column
 * types, enum labels, the server's version), so it is kept under a fingerprint of all of those. A
 * watch pass after a policy edit, or the next check of a test file on a clone of the same template,
 * then asks nothing again; any change to a definition changes the fingerprint and asks afresh.
 */
import { createHash } from 'node:crypto';
import { sql, type Queryable } from '@databases/pg';

/** Everything a tried expression may depend on, hashed on the server in one query. */
const FINGERPRINT_SQL = sql`
select md5(version() || E'\n' || coalesce(string_agg(x, E'\n' order by x), '')) as h from (
  select 'f ' || n.nspname || '.' || p.proname || '(' || pg_get_function_identity_arguments(p.oid) || ') ' || p.prokind::text || p.provolatile::text || p.prorettype::regtype::text
         || ' ' || md5(coalesce(p.prosrc, '')) || ' ' || coalesce(array_to_string(p.proconfig, ','), '') as x
    from pg_proc p join pg_namespace n on n.oid = p.pronamespace
   where n.nspname <> 'information_schema' and n.nspname not like 'pg\\_%'
  union all
  select 'c ' || c.conrelid::regclass::text || ' ' || c.contypid::regtype::text || ' ' || pg_get_constraintdef(c.oid)
    from pg_constraint c join pg_namespace n on n.oid = c.connamespace
   where c.contype = 'c' and n.nspname <> 'information_schema' and n.nspname not like 'pg\\_%'
  union all
  select 'a ' || k.oid::regclass::text || ' ' || a.attname || ' ' || format_type(a.atttypid, a.atttypmod) || ' ' || a.attnotnull
    from pg_attribute a join pg_class k on k.oid = a.attrelid join pg_namespace n on n.oid = k.relnamespace
   where a.attnum > 0 and not a.attisdropped and k.relkind in ('r', 'p', 'v', 'm', 'f', 'c')
     and n.nspname <> 'information_schema' and n.nspname not like 'pg\\_%'
  union all
  select 'd ' || t.oid::regtype::text || ' ' || format_type(t.typbasetype, t.typtypmod) || ' ' || t.typnotnull from pg_type t where t.typtype = 'd'
  union all
  select 'e ' || e.enumtypid::regtype::text || ' ' || e.enumsortorder::text || ' ' || e.enumlabel from pg_enum e
) s`;

export async function definitionsFingerprint(db: Queryable): Promise<string> {
  const [row] = await db.query(FINGERPRINT_SQL);
  return String(row?.h ?? '');
}

// pg_catalog, pg_toast and every session's pg_temp are left out: the runner's and discovery's own
// temporary functions differ from connection to connection, and the built-ins go with version().

// Bounded: a long watch session or test run must not grow without end (an entry is one boolean per candidate).
const MAX_ENTRIES = 4000;
const memo = new Map<string, boolean[]>();

/** `ask`'s answer for these arguments under `fingerprint`, asked once per process. */
export async function tried(fingerprint: string, args: readonly unknown[], ask: () => Promise<boolean[]>): Promise<boolean[]> {
  const key = createHash('sha256').update(fingerprint).update('\0').update(JSON.stringify(args)).digest('base64');
  const known = memo.get(key);
  if (known) return known;
  const answer = await ask();
  if (memo.size >= MAX_ENTRIES) memo.delete(memo.keys().next().value!);
  memo.set(key, answer);
  return answer;
}
