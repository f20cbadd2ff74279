/**
 * insert, insert-returning: the actor plants a row stamped with another
 * tenant, without and with RETURNING. With RETURNING the SELECT policies
 * apply to the returned row, so a WITH CHECK (true) INSERT fails there and
 * a probe that only wrote with RETURNING would wrongly say "refused"
 * (pitfall 9). A trigger that re-stamps the row is no leak: the judge counts
 * the rows that landed in a tenant the actor may not write.
 */
import type { ProbeId } from '../ids.js';
import { isolated, plantedReplay, saltOf, writable } from '../kit.js';
import type { CheckDraft, ProbeDefinition } from '../probe.js';
import { AS_CHECKER, REFUSED_HOLDS, rolledBackBlock } from '../runner.js';
import { RUNNER_BINDINGS, type Bindings } from '../statements.js';

function insertProbe<Id extends ProbeId>(id: Id, returning: boolean): ProbeDefinition<Id> {
  return {
    id,
    family: 'write',
    severity: 'error',
    title: returning ? 'INSERT ... RETURNING crossed the tenant boundary' : 'An actor inserted a row into another tenant',
    why: returning ? 'The row written, or returned, belongs to another tenant.' : 'An INSERT policy without a tenant-pinning WITH CHECK lets an actor write into other tenants.',
    fix: "give INSERT policies a WITH CHECK that pins the row to the actor's tenant (not WITH CHECK (true))",
    phrase: returning ? { tenant: 'inserts rows into other tenants (RETURNING)', none: 'inserts tenant rows (RETURNING)' } : { tenant: 'inserts rows into other tenants', none: 'inserts tenant rows' },
    checks(cx, actor) {
      if (!isolated(actor)) return [];
      return writable(cx).flatMap((p): CheckDraft[] => {
        const columns = cx.columnsOf(p.relation.qualifiedName);
        const judge = cx.statements.plantedForeign(p.relation, RUNNER_BINDINGS);
        if (!columns || !judge) return [];
        const statement = (b: Bindings) => cx.statements.insertPayload(p.relation, columns, b, returning ? ' returning 1' : '');
        const run = returning ? `with planted as (${statement(RUNNER_BINDINGS)}) select count(*) from planted into n;` : `${statement(RUNNER_BINDINGS)};\nget diagnostics n = row_count;`;
        const salt = saltOf(`${id}|${p.relation.qualifiedName}`);
        return [
          {
            probe: id,
            subject: p.relation.qualifiedName,
            mode: 'context',
            describe: `insert into ${p.relation.qualifiedName} a row of another tenant${returning ? ', with RETURNING' : ''}`,
            block: rolledBackBlock(
              `${run}\nif n > 0 then\n  ${AS_CHECKER}\n  ${judge} into m;\n  if m > 0 then v_state := 'l'; v_note := 'l|' || m || '|' || coalesce(v_vt, ''); else v_state := 'h'; end if;\nelse v_state := 'h'; end if;`,
              REFUSED_HOLDS,
            ),
            bind: (bc) => (bc.victimTenant === null ? null : bc.extraRow(p.relation.qualifiedName, bc.victimTenant, salt)),
            replay: (rc) => plantedReplay(cx, p.relation, statement, rc),
          },
        ];
      });
    },
  };
}

export const insert = insertProbe('insert', false);
export const insertReturning = insertProbe('insert-returning', true);
