/**
 * A schema with many failing cells, for the share of a run spent shrinking:
 * the project's own schema plus, on each of the first `tables` tables with a
 * tenant column (by name), a permissive `FOR SELECT ... USING (true)` policy
 * for every tenant-scoped actor. Each such table then fails read, read-unset,
 * read-empty and read-malformed for each actor: well over 100 failing cells.
 *
 * The leak goes into the copy's current.sql, so the gate applies it as it
 * would a developer's pending change. Names come from the config, none are
 * written here.
 */
import type { ResolvedConfig } from '../src/config/schema.js';
import { tenantColumnsOf } from '../src/config/schema.js';
import { quoteIdent, quoteLiteral } from '../src/sql/text.js';

export const PLANTED_POLICY = 'bench_planted_leak';

export function plantedLeaksSql(config: ResolvedConfig, tables: number): string {
  const roles = [...new Set(config.actors.filter((a) => a.expect === 'tenant').map((a) => a.role))];
  if (roles.length === 0) throw new Error('the config has no tenant-scoped actor to leak rows to');
  const columns = tenantColumnsOf(config.tenancy).map(quoteLiteral).join(', ');
  const to = roles.map(quoteIdent).join(', ');
  return `-- bench: ${tables} tables leak every tenant's rows to ${roles.join(', ')}
do $bench$
declare r record;
begin
  for r in
    select c.oid::regclass as rel
    from pg_class c
    join pg_namespace n on n.oid = c.relnamespace
    where c.relkind = 'r' and not c.relispartition and c.relrowsecurity
      and n.nspname not in ('pg_catalog', 'information_schema') and n.nspname not like 'pg\\_%'
      and exists (select from pg_attribute a where a.attrelid = c.oid and a.attname in (${columns}) and not a.attisdropped)
    order by n.nspname, c.relname
    limit ${tables}
  loop
    execute format('create policy ${PLANTED_POLICY} on %s for select to ${to.replaceAll("'", "''")} using (true)', r.rel);
  end loop;
end
$bench$;
`;
}
