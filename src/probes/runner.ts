/**
 * The server side of the probes, generated once per run and installed once
 * per connection as temporary objects (nothing is left in the schema under
 * test): the snapshot tables, one victim view per stored relation, and one
 * PL/pgSQL function holding every check as a static statement. Static
 * statements keep their cached plans across worlds: each always runs under
 * the same role, so planning under row level security happens once per run,
 * not once per check.
 *
 * One call runs one world. Checks are grouped by actor and context: a group
 * logs in (transaction-local session authorization: session_user is the
 * application's login, never the checker), sets the role and enters the
 * context once, then runs each of its checks in its own subtransaction,
 * rolled back so that no check sees what another did. Each check leaves one
 * outcome character per subject slot (a group runs once for each tenant or
 * principal the actor acts as in the world): h held, l leaked, e nothing of another tenant to touch,
 * i inconclusive (with a note), x nothing to plant in this world, c the
 * context could not be entered, - not run. Notes carry counts and errors.
 */
import { quoteIdent, quoteLiteral, quoteRelation } from '../sql/text.js';
import { stepToPlpgsql } from '../tenancy/steps.js';
import type { ContextMode } from '../tenancy/adapters/index.js';
import type { ActorModel } from '../tenancy/model.js';
import type { CheckDraft, ProbedRelation } from './probe.js';
import { T, type Statements } from './statements.js';

export interface PlannedCheck extends CheckDraft {
  id: number;
  actor: ActorModel;
  group: number;
}

export interface PlannedGroup {
  id: number;
  actor: ActorModel;
  mode: ContextMode;
  checks: PlannedCheck[];
  /**
   * Its checks read nothing of the subject beyond the context it enters (no context of its own: unset,
   * empty, malformed; no payload, no victim): subjects that enter alike give the same outcomes.
   */
  subjectFree: boolean;
}

export interface RunnerSpec {
  groups: PlannedGroup[];
  relations: readonly ProbedRelation[];
  /** Leaf tables per runner index (for views: their base relation's). */
  leaves: ReadonlyMap<number, readonly number[]>;
  /** Victim views: runner index -> stored relation. */
  victimViews: ReadonlyMap<number, string>;
  principalModel: boolean;
  statements: Statements;
  /** Time every check (microseconds, in the result's `t`): for the bench's "where the time goes". */
  profile?: boolean;
}

export const victimViewName = (index: number) => `pg_temp.tp_v${index}`;

/** Every outcome character and what it means (the engine decodes with this table). */
export const OUTCOMES = { h: 'held', l: 'leaked', e: 'nothing', i: 'inconclusive', x: 'unbound', c: 'context', '-': 'skipped' } as const;
export type OutcomeChar = keyof typeof OUTCOMES;

/** Objects that live as long as the session: created once per connection. */
export function installSql(spec: RunnerSpec): string[] {
  const out = [
    // An earlier runner's thousands of cached plans are let go first: while they are valid, every DDL
    // statement below makes PostgreSQL test each of them (a reinstall took 3.6 s instead of 0.9 s).
    'discard plans',
    // tp_run is replaced below, never dropped: a function of the same oid is compiled again at its next
    // call and PL/pgSQL frees the old copy and its plans; a dropped one's copy stayed in the backend for
    // good (~50 MB a runner, and every invalidation walked its plans: a long watch session slowed down).
    // Dropped first: a connection may hold the objects of an earlier runner of another shape.
    `drop table if exists pg_temp.tp_snapshot, pg_temp.tp_access`,
    `create temporary table if not exists tp_snapshot (reloid oid not null, row_ctid tid not null, tenant text, shared boolean not null, shared_write boolean not null, children boolean not null, row_key text not null, key_values text, unkeyed boolean not null, primary key (reloid, row_ctid)) on commit delete rows`,
    `create temporary table if not exists tp_access (principal text not null, tenant text not null) on commit delete rows`,
    `create index if not exists tp_access_principal on pg_temp.tp_access (principal)`,
    // Rows per relation and tenant: what a subject's counts are summed from (relations x tenants rows, not the snapshot).
    `drop table if exists pg_temp.tp_by_tenant`,
    `create temporary table tp_by_tenant (i int not null, tenant text, n bigint not null, shared bigint not null, shared_write bigint not null) on commit delete rows`,
    `drop table if exists pg_temp.tp_leaves`,
    `create temporary table tp_leaves (i int not null, reloid oid not null)`,
    // Temporary objects are visible to this session only: granting them to the actors reveals nothing.
    `grant select on pg_temp.tp_snapshot, pg_temp.tp_access, pg_temp.tp_leaves, pg_temp.tp_by_tenant to public`,
  ];
  const leaves = [...spec.leaves].flatMap(([i, oids]) => oids.map((o) => `(${i}, ${o})`));
  if (leaves.length > 0) out.push(`insert into pg_temp.tp_leaves (i, reloid) values ${leaves.join(', ')}`);
  for (const [i, rel] of spec.victimViews) {
    const view = victimViewName(i);
    out.push(`drop view if exists ${view}`);
    // security_invoker: the actor's privileges and policies apply; the view's WHERE reads no column of the
    // table in the actor's statement, so UPDATE and DELETE meet the write policies alone, as a statement
    // that reads no column would (an attacker's temporary view does the same).
    // On a partitioned table it also names the row's partition key values (tp.vk): its plan then keeps one
    // partition, not every one (statements.ts victimKeyPredicate). Those columns are the view's own
    // WHERE, like tableoid and ctid: the actor's statement still reads none.
    const key = spec.statements.victimKeyPredicate(rel);
    out.push(
      `create temporary view ${view.slice('pg_temp.'.length)} with (security_invoker = true) as select * from ${quoteRelation(rel)} ` +
        `where tableoid = nullif(current_setting('tp.vrel', true), '')::oid and ctid = nullif(current_setting('tp.vrow', true), '')::tid${key ? ` and ${key}` : ''}`,
    );
    out.push(`grant select, insert, update, delete on ${view} to public`);
  }
  // Not validated when created: PL/pgSQL parses the body again at its first call anyway, and an error
  // surfaces there, with the world that called it.
  out.push('set check_function_bodies = off', runnerFunction(spec), 'reset check_function_bodies');
  return out;
}

function runnerFunction(spec: RunnerSpec): string {
  const n = spec.relations.length;
  const body: string[] = [];
  for (const g of spec.groups) body.push(groupBlock(spec, g));
  const timed = spec.profile === true;
  const text = body.join('\n');
  const caches = [...new Set(text.match(CACHE_VARIABLE) ?? [])].sort();
  // Bounds of reads of partitioned tables (statements.ts readBounds), filled as the checker before any group logs in.
  // A relation's bounds are used together: one search of the (megabytes of) text per relation.
  const bounds = spec.statements.readBounds().filter((b) => text.includes(b.variables[0]!));
  return `create or replace function pg_temp.tp_run(p jsonb) returns jsonb language plpgsql as $tp$
declare${caches.map((v) => `\n  ${v} ${CACHE_TYPES[v.slice(-1) as keyof typeof CACHE_TYPES]};`).join('')}${bounds.map((b) => `\n  ${b.declarations.join(' ')}`).join('')}
  v_checker text := session_user;
  v_tenant text; v_principal text; v_login text; v_role text; v_session text;
  v_own text; v_vt text; v_vp text;
  v_allowed text[]; v_counted text[]; v_foreign bigint[]; v_wforeign bigint[]; v_ownn bigint[];
  -- The counts of each set of tenants a subject had in this world (the same tenants come back in every group).
  v_tenant_sets text[] := '{}'; v_set_f text[] := '{}'; v_set_w text[] := '{}'; v_set_o text[] := '{}'; v_si int;
  v_statements text[]; v_statement text;
  v_mask text := p->>'mask';
  v_notes text[] := '{}';
  v_payload jsonb; v_group jsonb; v_slots jsonb; v_slot int;
  -- Taken apart once: p->'b' copies the whole object each time it is written.
  v_payloads jsonb := coalesce(p->'b', '{}'::jsonb);
  v_groups jsonb := coalesce(p->'g', '{}'::jsonb);
  -- token -> its tenant: what a function's result may show of another tenant (bind.ts tokensOf).
  v_tokens jsonb := coalesce(p->'k', '{}'::jsonb);
  -- Outcomes as an array: appending to a text copies it whole every time.
  v_outs text[] := '{}';
  v_us bigint[] := '{}'; v_t0 timestamptz;
  n bigint; m bigint; v_state text; v_note text;
  v_rel oid; v_row tid; v_vtenant text; v_rels oid[]; v_rows tid[]; v_vtenants text[]; v_keys text[]; v_k int;
  v_result text; v_hit boolean; v_constraint text; v_code text; v_message text;
begin
${bounds.map((b) => `  ${b.fill}`).join('\n')}
${text}
  return jsonb_build_object('o', array_to_string(v_outs, ''), 'n', to_jsonb(v_notes)${timed ? ", 't', to_jsonb(v_us)" : ''});
end
$tp$`.replaceAll('$N$', String(n));
}

function groupBlock(spec: RunnerSpec, g: PlannedGroup): string {
  const count = g.checks.length;
  const steps = g.actor.adapter.steps(g.mode) ?? [];
  const allowed =
    g.mode !== 'context' || g.actor.expect !== 'tenant'
      ? `v_allowed := '{}';`
      : spec.principalModel && g.actor.as === 'principal'
        ? `select coalesce(array_agg(a.tenant), '{}') into v_allowed from ${T.access} a where a.principal = v_principal;`
        : `v_allowed := array[v_tenant];`;
  // Garbage in the context must be refused or show nothing: a refusal to enter is a held check.
  const onEnterError =
    g.mode === 'empty' || g.mode === 'malformed'
      ? `v_outs := v_outs || array_fill('h'::text, array[${count}]); v_notes := v_notes || ('g${g.id}:' || v_slot || '|refused|' || sqlstate || '|' || sqlerrm);`
      : `v_outs := v_outs || array_fill('c'::text, array[${count}]); v_notes := v_notes || ('g${g.id}:' || v_slot || '|context|' || sqlstate || '|' || sqlerrm);`;
  return `
  -- group ${g.id}: ${g.actor.name}, ${g.mode}: once per subject slot
  v_slots := coalesce(v_groups->'${g.id}', '[]'::jsonb);
  for v_slot in 0 .. jsonb_array_length(v_slots) - 1 loop
    v_group := v_slots->v_slot;
    v_tenant := v_group->>'t'; v_principal := v_group->>'p'; v_login := v_group->>'l'; v_role := v_group->>'r'; v_session := v_group->>'s';
    v_own := v_group->>'o'; v_vt := v_group->>'vt'; v_vp := v_group->>'vp';
    v_statements := array(select jsonb_array_elements_text(coalesce(v_group->'st', '[]'::jsonb)));
    ${allowed}
    -- What exists of other tenants, and of the subject's, per relation: counted once per set of tenants
    -- and world (~300 us each; a world's groups meet the same few sets again and again).
    if v_counted is distinct from v_allowed then
      v_si := array_position(v_tenant_sets, v_allowed::text);
      if v_si is not null then
        v_foreign := v_set_f[v_si]::bigint[]; v_wforeign := v_set_w[v_si]::bigint[]; v_ownn := v_set_o[v_si]::bigint[];
      else
        select coalesce(array_agg(x.f order by x.i), '{}'), coalesce(array_agg(x.w order by x.i), '{}'), coalesce(array_agg(x.o order by x.i), '{}')
          into v_foreign, v_wforeign, v_ownn
          from (select l.i,
                       coalesce(sum(b.n - b.shared) filter (where not coalesce(b.tenant = any(v_allowed), false)), 0) as f,
                       coalesce(sum(b.n - b.shared_write) filter (where not coalesce(b.tenant = any(v_allowed), false)), 0) as w,
                       coalesce(sum(b.n) filter (where coalesce(b.tenant = any(v_allowed), false)), 0) as o
                  from generate_series(1, $N$) l(i)
                  left join ${T.byTenant} b on b.i = l.i
                 group by l.i) x;
        v_tenant_sets := v_tenant_sets || v_allowed::text;
        v_set_f := v_set_f || v_foreign::text; v_set_w := v_set_w || v_wforeign::text; v_set_o := v_set_o || v_ownn::text;
      end if;
      v_counted := v_allowed;
    end if;
    begin
      begin
        perform set_config('session_authorization', v_login, true);
        if v_role is distinct from v_login then perform set_config('role', v_role, true); end if;
        ${steps.map(stepToPlpgsql).join('\n        ')}
      exception when others then
        ${onEnterError}
        raise exception using errcode = 'TPRBK';
      end;
${g.checks.map((c) => checkBlock(c, spec.profile === true)).join('\n')}
      raise exception using errcode = 'TPRBK';
    exception when sqlstate 'TPRBK' then null;
    end;
  end loop;`;
}

function checkBlock(c: PlannedCheck, timed: boolean): string {
  const needsPayload = c.bind !== undefined;
  const inner = needsPayload
    ? `v_payload := v_payloads->('${c.id}:' || v_slot);
        if v_payload is null then v_state := 'x';
        else
${indent(c.block, 10)}
        end if;`
    : indent(c.block, 8);
  return `      -- #${c.id} ${c.probe} ${c.subject.replaceAll('\n', ' ')}
      v_state := '-';${timed ? ' v_t0 := clock_timestamp();' : ''}
      if v_mask is null or substr(v_mask, ${c.id + 1}, 1) = '1' then
${inner}
      end if;
      v_outs := v_outs || v_state;${timed ? '\n      v_us := v_us || (extract(epoch from clock_timestamp() - v_t0) * 1000000)::bigint;' : ''}
      if v_note is not null then v_notes := v_notes || ('${c.id}:' || v_slot || '|' || v_note); v_note := null; end if;`;
}

function indent(text: string, n: number): string {
  const pad = ' '.repeat(n);
  return text
    .split('\n')
    .map((l) => (l.length ? pad + l : l))
    .join('\n');
}

// ---- building blocks the probes compose their blocks from ----

/** A subtransaction that is always rolled back, with an error handler. */
export function rolledBackBlock(statements: string, onError: string): string {
  return `begin
  ${statements.split('\n').join('\n  ')}
  raise exception using errcode = 'TPRBK';
exception
  when sqlstate 'TPRBK' then null;
  when others then
    ${onError.split('\n').join('\n    ')}
end;`;
}

/** Error handler: a refusal (insufficient privilege, a policy's WITH CHECK) holds; anything else is inconclusive with its error. */
export const REFUSED_HOLDS = `if sqlstate = '42501' then v_state := 'h'; v_note := null;
elsif v_state is distinct from 'l' and v_state is distinct from 'h' then v_state := 'i'; v_note := 'e|' || sqlstate || '|' || sqlerrm;
end if;`;

/** Error handler for a context of garbage (empty, malformed): any error means the context failed closed. */
export const ANY_ERROR_HOLDS = `v_state := 'h'; v_note := null;`;

/** Switch to the checker (superuser) to judge; the check's rollback restores the actor. */
export const AS_CHECKER = `perform set_config('session_authorization', v_checker, true); perform set_config('role', 'none', true);`;

/**
 * Try `statement` on up to `limit` rows chosen by `where` over the snapshot, each in its own
 * subtransaction, childless rows first: one refusal never masks another row. A row the statement
 * reaches is a leak; a refusal holds; either decides the check. An unrelated error (a foreign key, a
 * CHECK, a trigger) makes that row inconclusive and the next row is tried. Rows are taken in the
 * order of their keys, random from world to world, so other worlds try other rows.
 */
export function perRowBlock(o: { oids: readonly number[]; where: string; statement: string; judge?: string; relation: string; limit?: number }): string {
  const judge = o.judge ?? `if n > 0 then v_state := 'l'; v_note := 'l|' || n || '|' || v_vtenant || '|' || v_rel || '|' || v_row; else v_state := 'h'; v_note := null; end if;`;
  // The candidates are read into arrays, not walked by a FOR over the query: that opens a cursor, and
  // a cursor copies the function's parameter list, which grows with every check (5% of the runner).
  // A plain aggregate over a sorted subquery takes its rows in that order (a sort in the aggregate
  // would cost a quarter of the query again), and the three arrays come from the same rows.
  // A row whose partition key has no exact text cannot be reached through the victim view (unkeyed).
  const read = (
    into: string,
  ) => `select coalesce(array_agg(x.reloid), '{}'), coalesce(array_agg(x.row_ctid), '{}'), coalesce(array_agg(x.tenant), '{}'), coalesce(array_agg(x.key_values), '{}')
  into ${into}
  from (select s.reloid, s.row_ctid, s.tenant, s.key_values from ${T.snapshot} s
         where s.reloid = any('{${o.oids.join(',')}}'::oid[]) and not s.unkeyed and ${o.where}
         order by s.children, s.tenant, s.row_key limit ${o.limit ?? 4}) x;`;
  // The snapshot does not change during a world: checks of one relation that pick their rows alike
  // (update, delete, steal) share them while the subject's tenants stay the same (candidateCache).
  const cache = cacheableWhere(o.where) ? candidateCache(`${o.oids.join(',')}|${o.where}|${o.limit ?? 4}`) : null;
  const pick = cache
    ? `if ${cache}_k is distinct from v_allowed then
  ${read(`${cache}_r, ${cache}_w, ${cache}_t, ${cache}_p`)}
  ${cache}_k := v_allowed;
end if;
v_rels := ${cache}_r; v_rows := ${cache}_w; v_vtenants := ${cache}_t; v_keys := ${cache}_p;`
    : read('v_rels, v_rows, v_vtenants, v_keys');
  return `v_state := 'e';
${pick}
for v_k in 1 .. cardinality(v_rels) loop
  v_rel := v_rels[v_k]; v_row := v_rows[v_k]; v_vtenant := v_vtenants[v_k];
  perform set_config('tp.vrel', v_rel::text, true), set_config('tp.vrow', v_row::text, true), set_config('tp.vk', coalesce(v_keys[v_k], ''), true);
  ${rolledBackBlock(`${o.statement};\nget diagnostics n = row_count;\n${judge}`, REFUSED_HOLDS).split('\n').join('\n  ')}
  -- The first row that shows something decides: a leak, or a refusal (the next world tries other rows).
  exit when v_state in ('l', 'h');
end loop;
if v_state = 'l' then
  ${AS_CHECKER}
  select v_note || '|' || coalesce((select to_jsonb(t)::text from ${quoteRelation(o.relation)} t where t.tableoid = v_rel and t.ctid = v_row), '') into v_note;
  perform set_config('session_authorization', v_login, true);
  if v_role is distinct from v_login then perform set_config('role', v_role, true); end if;
end if;`;
}

/**
 * The variables of one cached choice of candidate rows (`<name>_k` the tenants it was read for, `_r`,
 * `_w`, `_t`, `_p` the rows), named after what picks them, so that every check picking alike shares them;
 * runnerFunction declares the names its checks use.
 */
function candidateCache(key: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193);
  return `v_cand_${(h >>> 0).toString(36)}`;
}
// A prefix of its own: a runner variable that merely starts with v_c (v_count_w) must not be taken for one.
const CACHE_VARIABLE = /\bv_cand_[0-9a-z]+_[krwtp]\b/g;
const CACHE_TYPES = { k: 'text[]', r: 'oid[]', w: 'tid[]', t: 'text[]', p: 'text[]' } as const;

/** A choice of rows that depends on nothing but the snapshot and the subject's tenants. */
const cacheableWhere = (where: string) => (where.match(/\bv_[a-z_]+/g) ?? []).every((v) => v === 'v_allowed');

/** Rows of other tenants the subject may not write (shared-for-write rows excepted). */
export const FOREIGN_FOR_WRITE = `not (coalesce(s.tenant = any(v_allowed), false) or s.shared_write)`;
/** The subject's own rows. */
export const OWN_ROWS = `coalesce(s.tenant = any(v_allowed), false)`;

export { quoteIdent, quoteLiteral };
