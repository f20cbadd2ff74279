/**
 * steal: the actor re-stamps a row of another tenant as its own (and points
 * its foreign keys at its own parents). A strict WITH CHECK passes such a
 * row when USING is open: the row changes hands.
 */
import { isolated, repoint, repointColumns, victimReplay, writable } from '../kit.js';
import type { CheckDraft, ProbeDefinition } from '../probe.js';
import { FOREIGN_FOR_WRITE, perRowBlock, victimViewName } from '../runner.js';
import { literalBindings, RUNNER_BINDINGS, type Bindings } from '../statements.js';

export const steal: ProbeDefinition<'steal'> = {
  id: 'steal',
  family: 'write',
  severity: 'error',
  title: "An actor took over another tenant's rows",
  why: "An open UPDATE USING lets an actor re-stamp other tenants' rows as its own.",
  fix: "restrict UPDATE policies' USING to the actor's tenant: an open USING lets it take other tenants' rows",
  phrase: { tenant: "takes over other tenants' rows", none: 'takes over tenant rows' },
  checks(cx, actor) {
    if (actor.expect !== 'tenant' || !isolated(actor)) return [];
    return writable(cx)
      .filter((p) => p.relation.tenancy?.kind === 'direct')
      .map((p): CheckDraft => {
        const columns = repointColumns(cx, p.relation);
        const statement = (b: Bindings, view: string) => `update ${view} set ${cx.statements.setFromPayload(p.relation, columns, b)}`;
        return {
          probe: 'steal',
          subject: p.relation.qualifiedName,
          mode: 'context',
          describe: `re-stamp rows of other tenants in ${p.relation.qualifiedName} with its own tenant`,
          block: `if v_wforeign[${p.index}] = 0 then v_state := 'e';\nelse\n${perRowBlock({ oids: cx.statements.leafOids(p.relation), where: FOREIGN_FOR_WRITE, statement: statement(RUNNER_BINDINGS, victimViewName(p.index)), relation: p.relation.qualifiedName })}\nend if;`,
          bind: (bc) => (bc.ownTenant === null ? null : repoint(bc, cx, p.relation, bc.ownTenant)),
          replay: (rc) => victimReplay(p.relation, rc, statement(literalBindings(rc.allowed, rc.payload), 'pg_temp.tp_victim'), "the row of another tenant is now stamped with the actor's tenant"),
        };
      });
  },
};
