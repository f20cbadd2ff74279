import { sql, type Queryable } from '@databases/pg';

/**
 * A text digest of everything a migration defines outside system schemas:
 * relations, columns, constraints, indexes, policies, RLS flags, functions,
 * triggers, privileges and owners. Two databases with equal fingerprints have
 * the same schema for every purpose tenantproof cares about.
 */
export async function schemaFingerprint(db: Queryable): Promise<string[]> {
  const rows = await db.query(sql`
    with ns as (
      select oid, nspname from pg_namespace
      where nspname not in ('pg_catalog', 'information_schema', 'pg_toast') and not starts_with(nspname, 'pg_')
    )
    select 'rel ' || ns.nspname || '.' || c.relname || ' ' || c.relkind::text || ' owner=' || pg_get_userbyid(c.relowner)
           || ' rls=' || c.relrowsecurity || ' force=' || c.relforcerowsecurity || ' acl=' || coalesce(c.relacl::text, '-') as line
      from pg_class c join ns on ns.oid = c.relnamespace
    union all
    select 'col ' || ns.nspname || '.' || c.relname || '.' || a.attname || ' ' || format_type(a.atttypid, a.atttypmod)
           || ' notnull=' || a.attnotnull || ' default=' || coalesce(pg_get_expr(d.adbin, d.adrelid), '-')
      from pg_attribute a join pg_class c on c.oid = a.attrelid join ns on ns.oid = c.relnamespace
      left join pg_attrdef d on d.adrelid = a.attrelid and d.adnum = a.attnum
     where a.attnum > 0 and not a.attisdropped
    union all
    select 'con ' || ns.nspname || '.' || c.relname || ' ' || co.conname || ' ' || pg_get_constraintdef(co.oid)
      from pg_constraint co join pg_class c on c.oid = co.conrelid join ns on ns.oid = c.relnamespace
    union all
    select 'idx ' || pg_get_indexdef(i.indexrelid)
      from pg_index i join pg_class c on c.oid = i.indrelid join ns on ns.oid = c.relnamespace
    union all
    select 'pol ' || schemaname || '.' || tablename || ' ' || policyname || ' ' || permissive || ' ' || cmd
           || ' to=' || roles::text || ' using=' || coalesce(qual, '-') || ' check=' || coalesce(with_check, '-')
      from pg_policies
    union all
    select 'fn ' || ns.nspname || '.' || p.proname || '(' || pg_get_function_identity_arguments(p.oid) || ') owner='
           || pg_get_userbyid(p.proowner) || ' acl=' || coalesce(p.proacl::text, '-') || ' ' || md5(pg_get_functiondef(p.oid))
      from pg_proc p join ns on ns.oid = p.pronamespace where p.prokind in ('f', 'p')
    union all
    select 'trg ' || pg_get_triggerdef(t.oid)
      from pg_trigger t join pg_class c on c.oid = t.tgrelid join ns on ns.oid = c.relnamespace where not t.tgisinternal
    union all
    select 'ns ' || nspname || ' owner=' || pg_get_userbyid(n.nspowner) || ' acl=' || coalesce(n.nspacl::text, '-')
      from pg_namespace n where n.oid in (select oid from ns)
    union all
    select 'defacl ' || pg_get_userbyid(d.defaclrole) || ' ' || coalesce(n.nspname, '*') || ' ' || d.defaclobjtype::text || ' ' || d.defaclacl::text
      from pg_default_acl d left join pg_namespace n on n.oid = d.defaclnamespace
    order by 1`);
  return rows.map((r) => r.line as string);
}
