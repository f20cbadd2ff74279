/**
 * The server side of the probes: installed once per connection as temporary
 * objects (nothing is left in the schema under test), called once per world.
 *
 * One call runs every check of a world, each in its own subtransaction
 * (a BEGIN ... EXCEPTION block), so the cost per check is the server's, not a
 * network round trip's. A check:
 *   1. switches to the actor's role and enters its context (transaction-local),
 *   2. runs the probe statement, collecting the keys of the rows it saw
 *      (read) or its row count (writes),
 *   3. switches back to the privileged role and judges what happened against
 *      the snapshot taken before any probe ran,
 *   4. raises TPRBK to roll the subtransaction back, so no check sees what
 *      another did.
 *
 * Rows are identified by `tableoid:ctid`: stable within the transaction for
 * rows nobody changed, present on every table, partition and materialized view,
 * and independent of column privileges.
 */

/** Snapshot of every row of the world: its key, relation, tenant and whether it is shared on purpose. */
export const SNAPSHOT_TABLE = 'tp_snapshot';

export const RUNNER_SQL = `
create temporary table if not exists ${SNAPSHOT_TABLE} (
  key text primary key,
  reloid oid not null,
  row_ctid tid not null,
  tenant text,
  shared boolean not null default false
) on commit delete rows;
create index if not exists ${SNAPSHOT_TABLE}_row on ${SNAPSHOT_TABLE} (reloid, row_ctid);
-- The actor classifies what it reads in the same statement, joining the snapshot.
-- A temporary table is visible to this session only; granting it reveals nothing.
grant select on ${SNAPSHOT_TABLE} to public;

create or replace function pg_temp.tp_run_cases(cases jsonb)
returns table (id int, stage text, a bigint, b bigint, c bigint, d bigint, code text, message text)
language plpgsql
as $fn$
declare
  k jsonb;
  s text;
  keys text[];
  rc bigint;
begin
  for k in select value from jsonb_array_elements(cases) loop
    id := (k->>'id')::int;
    stage := 'context'; a := null; b := null; c := null; d := null; code := null; message := null;
    -- A partition with no row in this world can show nothing: skip its checks cheaply.
    if k ? 'onlyIfRows' and not exists (
      select 1 from pg_temp.tp_snapshot s where s.reloid = any (array(select jsonb_array_elements_text(k->'onlyIfRows')::oid))
    ) then
      stage := 'empty';
      return next;
      continue;
    end if;
    begin
      perform set_config('role', k->>'role', true);
      for s in select value from jsonb_array_elements_text(k->'context') loop
        execute s;
      end loop;
      stage := 'probe';
      if k->>'mode' = 'keys' then
        execute k->>'sql' into keys;
      elsif k->>'mode' = 'pair' then
        execute k->>'sql' into a, b, c, d;
      else
        execute k->>'sql';
        get diagnostics rc = row_count;
        a := rc;
      end if;
      stage := 'judge';
      perform set_config('role', 'none', true);
      if k->>'mode' = 'keys' then
        execute k->>'judge' into a, b, c using coalesce(keys, '{}'::text[]);
      elsif k->>'mode' = 'count' and k ? 'judge' then
        execute k->>'judge' into b, c;
      end if;
      stage := 'done';
      raise exception using errcode = 'TPRBK';
    exception
      when sqlstate 'TPRBK' then null;
      when others then
        code := sqlstate;
        message := sqlerrm;
    end;
    return next;
  end loop;
end
$fn$;
`;
