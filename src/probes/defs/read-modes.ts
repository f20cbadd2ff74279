/**
 * read-unset, read-empty, read-malformed: with no context, an empty one or a
 * malformed one, the actor must see no tenant row (zero rows or an error,
 * never "all rows": pitfalls 7 and 8).
 */
import type { ContextMode } from '../../tenancy/adapters/index.js';
import type { ProbeId } from '../ids.js';
import { readBlock, readReplay } from '../kit.js';
import type { CheckDraft, ProbeDefinition } from '../probe.js';

const PHRASES = {
  'read-unset': { tenant: 'reads rows with no tenant set', none: 'reads tenant rows' },
  'read-empty': { tenant: 'reads rows with an empty tenant', none: 'reads tenant rows' },
  'read-malformed': { tenant: 'reads rows with a malformed tenant', none: 'reads tenant rows' },
};

function modeProbe<Id extends ProbeId>(id: Id, mode: ContextMode, how: string, title: string, why: string): ProbeDefinition<Id> {
  return {
    id,
    family: 'read',
    severity: 'error',
    title,
    why,
    fix: 'make the tenant check fail closed: compare with the context and never treat a NULL, empty or malformed context as "all rows" (nullif(current_setting(..., true), \'\')::type, no IS NULL OR ...)',
    phrase: PHRASES[id as 'read-unset' | 'read-empty' | 'read-malformed'],
    checks(cx, actor) {
      if (actor.expect !== 'tenant' || actor.adapter.steps(mode) === null) return [];
      // Partitions are read directly by `read`; through their parent, every mode covers their rows.
      return cx.relations.filter((p) => p.relation.partitionOf === null).flatMap((p): CheckDraft[] => {
        const block = readBlock(cx, p, mode);
        if (!block) return [];
        return [{ probe: id, subject: p.relation.qualifiedName, mode, describe: `read ${p.relation.qualifiedName} ${how}`, block, replay: (rc) => readReplay(cx, p.relation, rc) }];
      });
    },
  };
}

export const readUnset = modeProbe('read-unset', 'unset', 'with no context set', 'Rows are visible with no context set', 'With the context unset the actor still saw tenant rows: the context must fail closed.');
export const readEmpty = modeProbe('read-empty', 'empty', 'with an empty context', 'Rows are visible with an empty context', 'An empty tenant or principal must match no row; here it widened access.');
export const readMalformed = modeProbe('read-malformed', 'malformed', 'with a malformed context', 'Rows are visible with a malformed context', 'A malformed tenant or principal must match no row or raise, never widen access.');
