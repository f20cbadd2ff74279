/**
 * reference: foreign keys ignore row level security (pitfall 12). The actor
 * inserts a row of its own whose foreign key points at another tenant's
 * parent row; unless the key includes the tenant column, it is stored.
 */
import { quoteRelation } from '../../sql/text.js';
import { plantedReplay, rowOf, saltOf, writable } from '../kit.js';
import type { CheckDraft, ProbeDefinition } from '../probe.js';
import { rolledBackBlock } from '../runner.js';
import { literalBindings, RUNNER_BINDINGS, type Bindings } from '../statements.js';

export const reference: ProbeDefinition<'reference'> = {
  id: 'reference',
  family: 'write',
  severity: 'error',
  title: "A row referenced another tenant's row",
  why: "A foreign key without the tenant column lets a row point into another tenant: the database checks the key, not the tenant.",
  fix: 'make the foreign key include the tenant column: FOREIGN KEY (tenant_id, parent_id) REFERENCES parent (tenant_id, id)',
  phrase: { tenant: "references other tenants' rows", none: 'references tenant rows' },
  checks(cx, actor) {
    if (actor.expect !== 'tenant') return [];
    return writable(cx).flatMap((p) => {
      const r = p.relation;
      const columns = cx.columnsOf(r.qualifiedName);
      if (!columns) return [];
      const tenantColumn = r.tenancy?.column ?? null;
      const carrier = r.tenancy?.kind === 'indirect' ? r.tenancy.path[0]?.via : undefined;
      return r.foreignKeys.flatMap((fk): CheckDraft[] => {
        const parent = cx.relation(fk.references);
        // The key that carries an indirect row's tenant makes the row the parent's: that is a planted row (insert).
        if (fk.inherited || !parent?.tenancy || fk.name === carrier || fk.columns.every((c) => c === tenantColumn)) return [];
        if (!fk.columns.every((c) => columns.includes(c))) return [];
        const statement = (b: Bindings) => cx.statements.insertPayload(r, columns, b);
        const salt = saltOf(`reference|${r.qualifiedName}|${fk.name}`);
        return [
          {
            probe: 'reference',
            subject: r.qualifiedName,
            mode: 'context',
            describe: `insert into ${r.qualifiedName} a row whose ${fk.name} (${fk.columns.join(', ')}) points at a row of another tenant in ${fk.references}`,
            block: rolledBackBlock(
              `${statement(RUNNER_BINDINGS)};\nget diagnostics n = row_count;\nif n > 0 then v_state := 'l'; v_note := 'l|' || n || '|' || coalesce(v_vt, ''); else v_state := 'h'; end if;`,
              `if sqlstate in ('23503', '42501') then v_state := 'h'; else v_state := 'i'; v_note := 'e|' || sqlstate || '|' || sqlerrm; end if;`,
            ),
            bind: (bc) => {
              const target = rowOf(bc, parent, bc.victimTenant);
              const row = bc.ownTenant === null || !target ? null : bc.extraRow(r.qualifiedName, bc.ownTenant, salt);
              if (!row || !target) return null;
              fk.columns.forEach((c, i) => {
                if (c !== tenantColumn) row[c] = target.values[fk.referencedColumns[i]!];
              });
              return row;
            },
            replay: (rc) => [...plantedReplay(cx, r, statement, rc).slice(0, 3), `-- the row is stored, pointing at ${quoteRelation(fk.references)} of another tenant:`, `select * from ${quoteRelation(r.qualifiedName)} where to_jsonb(${quoteRelation(r.qualifiedName)}.*) @> ${literalBindings([], rc.payload).payload};`],
          },
        ];
      });
    });
  },
};
