/**
 * What each cell (relation x actor x probe) counted over a run: held,
 * leaked and inconclusive checks (with why), the first leak, and reads that
 * hid some of the actor's own rows. Plain data: `report --merge` joins the
 * cells of shards.
 */
import type { MatrixCell } from '../findings/types.js';
import { PROBE_IDS, type ProbeId } from './ids.js';
import type { PlannedCheck } from './runner.js';
import type { WorldOutcome } from './world-run.js';

export interface CellStats {
  relation: string;
  actor: string;
  probe: string;
  held: number;
  leaked: number;
  /** Why checks could not judge, and how often, sorted by detail. */
  inconclusive: Array<[string, number]>;
  firstFailure: { index: number; detail: string | null } | null;
  overRestricted: number;
  overExample: { index: number; example: string } | null;
}

export interface CellAgg {
  relation: string;
  actor: string;
  probe: ProbeId;
  held: number;
  leaked: number;
  inconclusive: Map<string, number>;
  overRestricted: number;
  overExample?: { index: number; example: string };
  firstLeak?: { index: number; world: WorldOutcome; check: PlannedCheck; slot: number; note: string };
}

/** Why a check could not judge, in words. */
export function inconclusiveReason(c: PlannedCheck, outcome: string, note: string | undefined): string {
  if (outcome === 'e') return c.probe === 'move' ? 'it had no rows of its own to move' : 'other tenants had no rows here';
  if (outcome === 'x') return 'nothing to plant in this world (no parent row of the right tenant)';
  const [kind, code, ...message] = (note ?? '').split('|');
  if (kind === 'e') return `refused for another reason: ${message.join('|')} (${code})`;
  return 'inconclusive';
}

/** What a leak note says, in words. */
export function leakDetail(c: PlannedCheck, note: string): string {
  const [, count, victim] = note.split('|');
  const n = Number(count ?? 1);
  switch (c.probe) {
    case 'read':
    case 'read-forged':
    case 'read-escalated':
      return `saw ${n} row(s) of other tenants`;
    case 'read-unset':
    case 'read-empty':
    case 'read-malformed':
      return `saw ${n} tenant row(s) without being in any tenant`;
    case 'insert':
    case 'insert-returning':
      return `planted ${n} row(s) in tenant ${victim}`;
    case 'delete':
      return `deleted a row of tenant ${victim}`;
    case 'update':
      return `updated a row of tenant ${victim}`;
    case 'steal':
      return `took over a row of tenant ${victim}`;
    case 'move':
      return `moved ${n} row(s) into tenant ${victim}`;
    case 'reference':
      return `stored a row that references a row of tenant ${victim}`;
    case 'upsert':
      return `changed ${n} row(s) of other tenants through ON CONFLICT DO UPDATE`;
    case 'duplicate-key':
      return `a duplicate-key error revealed that tenant ${victim} holds the value`;
    case 'call':
    case 'call-other-tenant':
      return `the result carried ${victim} of another tenant`;
  }
}

const byKey = <T>(a: [string, T], b: [string, T]) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0);
const PROBE_RANK = new Map<string, number>(PROBE_IDS.map((p, i) => [p, i]));

export function cellStats(c: CellAgg): CellStats {
  return {
    relation: c.relation,
    actor: c.actor,
    probe: c.probe,
    held: c.held,
    leaked: c.leaked,
    inconclusive: [...c.inconclusive.entries()].sort(byKey),
    firstFailure: c.firstLeak ? { index: c.firstLeak.index, detail: leakDetail(c.firstLeak.check, c.firstLeak.note) } : null,
    overRestricted: c.overRestricted,
    overExample: c.overExample ?? null,
  };
}

export function compareCells(a: Pick<CellStats, 'relation' | 'actor' | 'probe'>, b: Pick<CellStats, 'relation' | 'actor' | 'probe'>): number {
  return a.relation < b.relation ? -1 : a.relation > b.relation ? 1 : a.actor < b.actor ? -1 : a.actor > b.actor ? 1 : (PROBE_RANK.get(a.probe) ?? 99) - (PROBE_RANK.get(b.probe) ?? 99);
}

/** A cell's line in the matrix: failed if a check leaked, passed if one held, else not proven (with the most common reason). */
export function matrixCellOf(c: CellStats): MatrixCell {
  const inconclusive = c.inconclusive.reduce((n, [, k]) => n + k, 0);
  const base = { relation: c.relation, actor: c.actor, probe: c.probe, checks: c.held + c.leaked, held: c.held, leaked: c.leaked, inconclusive };
  if (c.leaked > 0) return c.firstFailure?.detail ? { ...base, status: 'fail', reason: c.firstFailure.detail } : { ...base, status: 'fail' };
  if (c.held > 0) return { ...base, status: 'pass' };
  // Ties between reasons go to the first by name, not to whichever world finished first.
  const [reason] = [...c.inconclusive].sort((a, b) => b[1] - a[1] || byKey(a, b))[0] ?? ['never applicable'];
  return { ...base, status: 'not-proven', reason };
}
