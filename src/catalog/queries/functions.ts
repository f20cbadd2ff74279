import { sql, type Queryable } from '@databases/pg';

export interface FunctionRow {
  oid: number;
  schema: string;
  name: string;
  identityArgs: string;
  arguments: string;
  argTypes: string[];
  argNames: string[];
  argDefaults: number;
  variadic: boolean;
  result: string;
  returnType: string;
  returnsSet: boolean;
  returnsRelation: string | null;
  tableColumns: Array<{ name: string; type: string }> | null;
  isTrigger: boolean;
  kind: string;
  language: string;
  securityDefiner: boolean;
  leakproof: boolean;
  volatility: string;
  config: string[] | null;
  owner: string;
  body: string | null;
  executableBy: string[];
  publicExecute: boolean;
  extension: string | null;
}

/**
 * Functions of every non-system schema (the caller marks which are in
 * scope): a policy may call a helper in a schema that is not scanned. Bodies
 * of SQL and PL/pgSQL functions are kept so that the settings they read and
 * the functions they call can be followed. Who may execute is asked through
 * has_function_privilege (PUBLIC's default EXECUTE included).
 */
export async function queryFunctions(db: Queryable, roles: readonly string[]): Promise<FunctionRow[]> {
  return db.query(sql`
    select p.oid, n.nspname::text as schema, p.proname::text as name,
           pg_get_function_identity_arguments(p.oid) as "identityArgs",
           coalesce(pg_get_function_arguments(p.oid), '') as arguments,
           array(select format_type(t, null) from unnest(p.proargtypes::oid[]) with ordinality u(t, ord) order by ord) as "argTypes",
           -- proargnames covers OUT arguments too (proargmodes says which): keep the input ones, in order.
           case when p.proargmodes is null
                then array(select coalesce(p.proargnames[ord], '') from generate_series(1, p.pronargs::int) ord)
                else array(select coalesce(p.proargnames[u.ord::int], '') from unnest(p.proargmodes) with ordinality u(m, ord)
                            where u.m in ('i', 'b', 'v') order by u.ord) end as "argNames",
           p.pronargdefaults::int as "argDefaults", p.provariadic <> 0 as variadic,
           coalesce(pg_get_function_result(p.oid), '') as result,
           format_type(p.prorettype, null) as "returnType",
           p.proretset as "returnsSet",
           (select rn.nspname || '.' || rc.relname from pg_type rt
              join pg_class rc on rc.oid = rt.typrelid and rc.relkind in ('r', 'p', 'v', 'm', 'f')
              join pg_namespace rn on rn.oid = rc.relnamespace
             where rt.oid = p.prorettype) as "returnsRelation",
           case when p.proargmodes is not null and 't' = any(p.proargmodes::text[]) then
             (select json_agg(json_build_object('name', u.nm, 'type', format_type(u.ty, null)) order by u.ord)
                from unnest(p.proargnames, p.proallargtypes, p.proargmodes::text[]) with ordinality u(nm, ty, md, ord)
               where u.md = 't') end as "tableColumns",
           p.prorettype in ('trigger'::regtype, 'event_trigger'::regtype) as "isTrigger",
           p.prokind::text as kind, l.lanname::text as language, p.prosecdef as "securityDefiner",
           p.proleakproof as leakproof, p.provolatile::text as volatility, p.proconfig::text[] as config,
           pg_get_userbyid(p.proowner)::text as owner,
           case when p.prosqlbody is not null then pg_get_function_sqlbody(p.oid)
                when l.lanname in ('sql', 'plpgsql') then p.prosrc end as body,
           array(select r.role from unnest(${roles}::text[]) as r(role)
                  where has_function_privilege(r.role, p.oid, 'EXECUTE') order by 1) as "executableBy",
           (p.proacl is null or exists (select from aclexplode(p.proacl) a where a.grantee = 0 and a.privilege_type = 'EXECUTE')) as "publicExecute",
           (select e.extname::text from pg_depend d join pg_extension e on e.oid = d.refobjid
             where d.classid = 'pg_proc'::regclass and d.objid = p.oid and d.refclassid = 'pg_extension'::regclass
               and d.deptype = 'e' limit 1) as extension
    from pg_proc p
    join pg_namespace n on n.oid = p.pronamespace
    join pg_language l on l.oid = p.prolang
    where n.nspname not in ('pg_catalog', 'information_schema')
      and n.nspname not like 'pg\_temp\_%' and n.nspname not like 'pg\_toast%'
    order by n.nspname, p.proname, 4`);
}

export interface TriggerRow {
  relation: number;
  name: string;
  function: number;
  timing: string;
  events: string[];
  row: boolean;
}

/** User triggers of the given relations (internal ones, such as foreign-key triggers, left out). */
export async function queryTriggers(db: Queryable, oids: readonly number[]): Promise<TriggerRow[]> {
  if (oids.length === 0) return [];
  return db.query(sql`
    select t.tgrelid::int as relation, t.tgname::text as name, t.tgfoid::int as "function",
           case when t.tgtype & 2 <> 0 then 'before' when t.tgtype & 64 <> 0 then 'instead of' else 'after' end as timing,
           array_remove(array[case when t.tgtype & 4 <> 0 then 'insert' end, case when t.tgtype & 8 <> 0 then 'delete' end,
                               case when t.tgtype & 16 <> 0 then 'update' end, case when t.tgtype & 32 <> 0 then 'truncate' end], null) as events,
           t.tgtype & 1 <> 0 as row
    from pg_trigger t
    where not t.tgisinternal and t.tgrelid = any(${oids}::oid[])
    order by t.tgrelid, t.tgname`);
}
