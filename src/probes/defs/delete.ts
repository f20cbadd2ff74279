/**
 * delete: the actor deletes rows of other tenants, one row at a time through
 * a view that selects it by identity: its DELETE reads no column, so only
 * the DELETE policies decide (a filtered DELETE also meets the SELECT
 * policies, and one DELETE over every row fails whole when one row is
 * refused for an unrelated reason, such as a child's foreign key).
 */
import { isolated, victimReplay, writable } from '../kit.js';
import type { ProbeDefinition } from '../probe.js';
import { FOREIGN_FOR_WRITE, perRowBlock, victimViewName } from '../runner.js';

export const deleteProbe: ProbeDefinition<'delete'> = {
  id: 'delete',
  family: 'write',
  severity: 'error',
  title: "An actor deleted another tenant's rows",
  why: "A DELETE policy's USING is not restricted to the actor's tenant: it can delete rows of other tenants (even rows it cannot read).",
  fix: "restrict DELETE policies' USING to the actor's tenant",
  phrase: { tenant: "deletes other tenants' rows", none: 'deletes tenant rows' },
  checks(cx, actor) {
    if (!isolated(actor)) return [];
    return writable(cx).map((p) => ({
      probe: 'delete',
      subject: p.relation.qualifiedName,
      mode: 'context',
      describe: `delete rows of other tenants from ${p.relation.qualifiedName}, one at a time`,
      block: `if v_wforeign[${p.index}] = 0 then v_state := 'e';\nelse\n${perRowBlock({ oids: cx.statements.leafOids(p.relation), where: FOREIGN_FOR_WRITE, statement: `delete from ${victimViewName(p.index)}`, relation: p.relation.qualifiedName })}\nend if;`,
      replay: (rc) => victimReplay(p.relation, rc, 'delete from pg_temp.tp_victim', 'the row of another tenant is gone (no row below)'),
    }));
  },
};
