/**
 * move: the actor moves one of its own rows into another tenant: the tenant
 * column and every tenant-scoped foreign key re-pointed at the victim's
 * parents, as an attacker who knows one id of the victim would (a composite
 * foreign key refuses the naive move, so a WITH CHECK (true) UPDATE policy
 * would otherwise pass). For indirect tenancy the foreign key that carries
 * the tenant is re-pointed.
 */
import { isolated, repoint, repointColumns, victimReplay, writable } from '../kit.js';
import type { CheckDraft, ProbeDefinition } from '../probe.js';
import { AS_CHECKER, OWN_ROWS, perRowBlock, victimViewName } from '../runner.js';
import { literalBindings, RUNNER_BINDINGS, type Bindings } from '../statements.js';

export const move: ProbeDefinition<'move'> = {
  id: 'move',
  family: 'write',
  severity: 'error',
  title: 'An actor moved a row into another tenant',
  why: 'An UPDATE policy without a tenant-pinning WITH CHECK lets a row change tenant.',
  fix: "give UPDATE policies a WITH CHECK that keeps the row in the actor's tenant",
  phrase: { tenant: 'moves its rows into another tenant', none: 'moves tenant rows' },
  checks(cx, actor) {
    if (actor.expect !== 'tenant' || !isolated(actor)) return [];
    return writable(cx).flatMap((p): CheckDraft[] => {
      const columns = repointColumns(cx, p.relation);
      const judge = cx.statements.plantedForeign(p.relation, RUNNER_BINDINGS);
      if (columns.length === 0 || !judge) return [];
      const statement = (b: Bindings, view: string) => `update ${view} set ${cx.statements.setFromPayload(p.relation, columns, b)}`;
      return [
        {
          probe: 'move',
          subject: p.relation.qualifiedName,
          mode: 'context',
          describe: `move its rows of ${p.relation.qualifiedName} into another tenant`,
          block: `if v_ownn[${p.index}] = 0 then v_state := 'e';\nelse\n${perRowBlock({
            oids: cx.statements.leafOids(p.relation),
            where: OWN_ROWS,
            statement: statement(RUNNER_BINDINGS, victimViewName(p.index)),
            relation: p.relation.qualifiedName,
            judge: `if n > 0 then\n  ${AS_CHECKER}\n  ${judge} into m;\n  if m > 0 then v_state := 'l'; v_note := 'l|' || m || '|' || coalesce(v_vt, '') || '|' || v_rel || '|' || v_row; else v_state := 'h'; end if;\nelse v_state := 'h'; end if;`,
          })}\nend if;`,
          bind: (bc) => (bc.victimTenant === null ? null : repoint(bc, cx, p.relation, bc.victimTenant)),
          replay: (rc) => victimReplay(p.relation, rc, statement(literalBindings(rc.allowed, rc.payload), 'pg_temp.tp_victim'), 'the row now belongs to another tenant'),
        },
      ];
    });
  },
};
