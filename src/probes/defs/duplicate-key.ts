/**
 * duplicate-key (a warning: a side channel): a unique key without the tenant
 * column answers "does another tenant hold this value?" through
 * duplicate-key errors (pitfall 13). The actor inserts an own row carrying
 * another tenant's value in that key only; the error must not name that key.
 * Keys of uuids only are left out: a value nobody can guess reveals nothing.
 */
import { quoteLiteral } from '../../sql/text.js';
import { plantedReplay, ownRowWithVictimValues, saltOf, writable } from '../kit.js';
import type { CheckDraft, ProbeDefinition } from '../probe.js';
import { rolledBackBlock } from '../runner.js';
import { RUNNER_BINDINGS, type Bindings } from '../statements.js';

export const duplicateKey: ProbeDefinition<'duplicate-key'> = {
  id: 'duplicate-key',
  family: 'write',
  severity: 'warning',
  title: "A duplicate-key error revealed another tenant's value",
  why: 'A unique key without the tenant column answers "does another tenant hold this value?"',
  fix: 'put the tenant column first in the unique key (UNIQUE (tenant_id, ...)), so that values are unique per tenant and errors reveal nothing across tenants',
  phrase: { tenant: "learns other tenants' values from duplicate-key errors", none: 'learns tenant values from duplicate-key errors' },
  checks(cx, actor) {
    if (actor.expect !== 'tenant') return [];
    return writable(cx).flatMap((p) => {
      const r = p.relation;
      const tenantColumn = r.tenancy?.kind === 'direct' ? r.tenancy.column : null;
      const columns = cx.columnsOf(r.qualifiedName);
      if (!tenantColumn || !columns) return [];
      // A key of uuids only is no side channel: nobody asks about a value they cannot guess.
      const guessable = (k: { columns: string[] }) => k.columns.some((c) => r.columns.find((x) => x.name === c)?.typeName !== 'uuid');
      const keys = [r.primaryKey, ...r.uniqueConstraints].filter((k): k is NonNullable<typeof k> => !!k && !k.columns.includes(tenantColumn) && guessable(k) && k.columns.every((c) => columns.includes(c)));
      return keys.map((key): CheckDraft => {
        const statement = (b: Bindings) => cx.statements.insertPayload(r, columns, b);
        const salt = saltOf(`duplicate-key|${r.qualifiedName}|${key.name}`);
        return {
          probe: 'duplicate-key',
          subject: r.qualifiedName,
          mode: 'context',
          describe: `learn whether another tenant holds a value of ${key.name} (${key.columns.join(', ')}) from a duplicate-key error`,
          block: rolledBackBlock(
            `${statement(RUNNER_BINDINGS)};\nv_state := 'h';`,
            `get stacked diagnostics v_constraint = constraint_name;\nif sqlstate = '23505' and v_constraint = ${quoteLiteral(key.name)} then v_state := 'l'; v_note := 'l|1|' || coalesce(v_vt, '');\nelsif sqlstate = '42501' then v_state := 'h';\nelse v_state := 'i'; v_note := 'e|' || sqlstate || '|' || sqlerrm; end if;`,
          ),
          bind: (bc) => ownRowWithVictimValues(bc, r, key.columns, salt),
          replay: (rc) => [...plantedReplay(cx, r, statement, rc).slice(0, 1), `-- a duplicate-key error on ${key.name} says another tenant holds this value`],
        };
      });
    });
  },
};
