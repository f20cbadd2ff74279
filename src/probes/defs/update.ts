/** update: the actor updates rows of other tenants, one row at a time, with a SET that reads no column. */
import type { Relation } from '../../catalog/types.js';
import type { ActorModel } from '../../tenancy/model.js';
import { isolated, victimReplay, writable } from '../kit.js';
import type { ProbeContext, ProbeDefinition } from '../probe.js';
import { FOREIGN_FOR_WRITE, perRowBlock, victimViewName } from '../runner.js';
import { literalBindings, RUNNER_BINDINGS, type Bindings } from '../statements.js';

/** A column the actor may update that is no key, no foreign key and not the tenant column. */
export function updatableColumn(cx: ProbeContext, actor: ActorModel, r: Relation): string | null {
  const privileges = r.privileges.find((p) => p.role === actor.role);
  const keys = new Set([r.primaryKey, ...r.uniqueConstraints].flatMap((k) => k?.columns ?? []));
  const fks = new Set(r.foreignKeys.flatMap((k) => k.columns));
  const candidates = r.columns.filter((c) => !c.generated && c.identity !== 'always' && !keys.has(c.name) && !fks.has(c.name) && c.name !== r.tenancy?.column);
  const granted = candidates.find((c) => privileges?.update || privileges?.columns.update.includes(c.name));
  return (granted ?? candidates[0])?.name ?? null;
}

export const update: ProbeDefinition<'update'> = {
  id: 'update',
  family: 'write',
  severity: 'error',
  title: "An actor updated another tenant's rows",
  why: "An UPDATE policy's USING is not restricted to the actor's tenant: it can change rows of other tenants (even rows it cannot read).",
  fix: "restrict UPDATE policies' USING to the actor's tenant",
  phrase: { tenant: "updates other tenants' rows", none: 'updates tenant rows' },
  checks(cx, actor) {
    if (!isolated(actor)) return [];
    return writable(cx).flatMap((p) => {
      const column = updatableColumn(cx, actor, p.relation);
      if (!column) return [];
      const statement = (b: Bindings, view: string) => `update ${view} set ${cx.statements.setFromPayload(p.relation, [column], b)}`;
      return [
        {
          probe: 'update' as const,
          subject: p.relation.qualifiedName,
          mode: 'context' as const,
          describe: `update ${column} of rows of other tenants in ${p.relation.qualifiedName}, one at a time`,
          block: `if v_wforeign[${p.index}] = 0 then v_state := 'e';\nelse\n${perRowBlock({ oids: cx.statements.leafOids(p.relation), where: FOREIGN_FOR_WRITE, statement: statement(RUNNER_BINDINGS, victimViewName(p.index)), relation: p.relation.qualifiedName })}\nend if;`,
          bind: (bc) => {
            const row = (bc.world.rows.get(p.relation.qualifiedName) ?? [])[0];
            return row && row.values[column] !== undefined ? { [column]: row.values[column] } : null;
          },
          replay: (rc) => victimReplay(p.relation, rc, statement(literalBindings(rc.allowed, rc.payload), 'pg_temp.tp_victim'), `the row of another tenant now has ${column} from the statement`),
        },
      ];
    });
  },
};
