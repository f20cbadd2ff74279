/**
 * upsert: INSERT ... ON CONFLICT DO UPDATE aimed at another tenant's row
 * (pitfall 13) must not change it. The proposed row is the actor's own (an
 * INSERT policy's WITH CHECK judges it before any conflict), carrying the
 * victim's value in a unique key without the tenant column: the conflict is
 * on the victim's row. A table whose every unique key holds the tenant
 * column cannot conflict across tenants, and gets no check (not a vacuous
 * pass).
 */
import { quoteIdent } from '../../sql/text.js';
import { isolated, plantedReplay, ownRowWithVictimValues, saltOf, writable } from '../kit.js';
import type { CheckDraft, ProbeDefinition } from '../probe.js';
import { AS_CHECKER, REFUSED_HOLDS, rolledBackBlock } from '../runner.js';
import { RUNNER_BINDINGS, type Bindings } from '../statements.js';

export const upsert: ProbeDefinition<'upsert'> = {
  id: 'upsert',
  family: 'write',
  severity: 'error',
  title: "INSERT ... ON CONFLICT changed another tenant's row",
  why: "An upsert aimed at another tenant's key updated that row.",
  fix: "restrict UPDATE policies to the actor's tenant, and put the tenant column in every unique key",
  phrase: { tenant: "overwrites other tenants' rows by upsert", none: 'overwrites tenant rows by upsert' },
  checks(cx, actor) {
    if (actor.expect !== 'tenant' || !isolated(actor)) return [];
    return writable(cx).flatMap((p): CheckDraft[] => {
      const r = p.relation;
      const tenantColumn = r.tenancy?.kind === 'direct' ? r.tenancy.column : null;
      const columns = cx.columnsOf(r.qualifiedName);
      if (!tenantColumn || !columns) return [];
      const keys = [r.primaryKey, ...r.uniqueConstraints].filter((k): k is NonNullable<typeof k> => !!k && !k.columns.includes(tenantColumn) && k.columns.every((c) => columns.includes(c)));
      return keys.flatMap((key): CheckDraft[] => {
        const set = r.columns.find((c) => !key.columns.includes(c.name) && !c.generated && c.identity !== 'always' && c.name !== tenantColumn && columns.includes(c.name));
        if (!set) return [];
        const col = quoteIdent(set.name);
        const statement = (b: Bindings) => `${cx.statements.insertPayload(r, columns, b)} on conflict (${key.columns.map(quoteIdent).join(', ')}) do update set ${col} = excluded.${col}`;
        const changed = cx.statements.foreignChanged(r, RUNNER_BINDINGS);
        const salt = saltOf(`upsert|${r.qualifiedName}|${key.name}`);
        return [
          {
            probe: 'upsert',
            subject: r.qualifiedName,
            mode: 'context',
            describe: `upsert into ${r.qualifiedName} a row of its own with another tenant's ${key.name} (${key.columns.join(', ')})`,
            block: `if v_wforeign[${p.index}] = 0 then v_state := 'e';\nelse\n${rolledBackBlock(
              `${statement(RUNNER_BINDINGS)};\nget diagnostics n = row_count;\nif n > 0 then\n  ${AS_CHECKER}\n  ${changed} into m;\n  if m > 0 then v_state := 'l'; v_note := 'l|' || m || '|' || coalesce(v_vt, ''); else v_state := 'h'; end if;\nelse v_state := 'h'; end if;`,
              REFUSED_HOLDS,
            )}\nend if;`,
            bind: (bc) => ownRowWithVictimValues(bc, r, key.columns, salt),
            replay: (rc) => plantedReplay(cx, r, statement, rc),
          },
        ];
      });
    });
  },
};
