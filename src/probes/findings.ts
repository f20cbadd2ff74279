/**
 * The findings of the probes: one per failing cell, with its minimal world
 * and the SQL that replays it (`psql -f`, everything rolled back); reads that
 * hid the actor's own rows (info); and coverage: a run that proved nothing,
 * a relation no check could prove anything about, relations never filled.
 */
import { findingId } from '../findings/findings.js';
import type { Finding, MatrixCell } from '../findings/types.js';
import { quoteIdent, quoteLiteral } from '../sql/text.js';
import { stepToSql } from '../tenancy/steps.js';
import { worldStatements } from '../world/insert.js';
import { payloadKey } from './bind.js';
import { leakDetail, type CellAgg, type CellStats } from './cells.js';
import { probeRule } from './ids.js';
import type { ReplayContext } from './probe.js';
import { PROBES } from './registry.js';
import type { Minimal } from './shrink.js';
import type { EngineContext } from './world-run.js';

export function probeFinding(ex: EngineContext, cell: CellAgg, m: Minimal, replay: { command: 'gate' | 'check'; seed: number }): Finding {
  const probe = PROBES[cell.probe];
  const c = m.check;
  const gb = m.world.binding.groups.get(c.group)?.[m.slot];
  const rows = [...m.world.inserted.rows.values()].reduce((n, l) => n + l.length, 0);
  const who = gb
    ? `${c.actor.name} (role ${gb.subject.role}, logged in as ${gb.subject.login}${c.actor.expect === 'tenant' ? `, as ${c.actor.as} ${c.actor.as === 'principal' ? gb.subject.principal : gb.subject.tenant}` : ''})`
    : c.actor.name;
  const rule = probeRule(cell.probe);
  return {
    id: findingId(rule, { relation: cell.relation }, cell.actor),
    rule,
    severity: probe.severity,
    relation: cell.relation,
    actor: cell.actor,
    message: `${who} could ${c.describe}: ${leakDetail(c, m.note)} (in ${cell.leaked} of ${cell.held + cell.leaked} checks; minimal world of ${m.world.world.tenants.length} tenants${m.world.world.principals.length ? `, ${m.world.world.principals.length} principals` : ''}, ${rows} rows${m.shrunk ? ', shrunk' : ''})`,
    fix: probe.fix,
    reproduction: replaySql(ex, m, replay),
    ...(c.func ? { object: `function ${c.func.signature}` } : {}),
  };
}

/** SQL that replays a failure on a migrated database, built from the same steps and statements the runner ran. */
export function replaySql(ex: EngineContext, m: Minimal, replay: { command: 'gate' | 'check'; seed: number }): string {
  const c = m.check;
  const gb = m.world.binding.groups.get(c.group)![m.slot]!;
  const s = gb.subject;
  const victimRow = parseVictimRow(m.note);
  const rc: ReplayContext = {
    victimRow,
    payload: m.world.binding.payloads[payloadKey(c.id, m.slot)] ?? null,
    allowed: c.mode === 'context' && c.actor.expect === 'tenant' ? gb.own : [],
    ownTenant: gb.ownTenant,
    ownPrincipal: s.principal || null,
    victimTenant: gb.victimTenant,
    victimPrincipal: gb.victimPrincipal,
  };
  const script = c.replay(rc);
  const { setup, act } = Array.isArray(script) ? { setup: [], act: script } : script;
  const rerun = replay.command === 'check' ? `tenantproof check --database-url "$DATABASE_URL" --seed ${replay.seed}` : `tenantproof gate --seed ${replay.seed}`;
  const steps = (c.actor.adapter.steps(c.mode) ?? []).flatMap((step) => stepToSql(step, s, gb.statements));
  const lines = [
    `-- tenantproof: ${c.actor.name} could ${c.describe}`,
    `-- seed ${replay.seed}, path ${m.path} (${rerun} replays the run)`,
    `-- Run as a superuser on the migrated database; everything is rolled back.`,
    'begin;',
    '-- the minimal world, written by the privileged role',
    ...worldStatements(ex.world, m.world.world, ex.writer?.(m.world.world) ?? null).map((x) => `${x};`),
    ...setup,
    `-- act as ${c.actor.name}: log in as the application does, then enter the context`,
    `set local session authorization ${quoteIdent(s.login)};`,
    ...(s.role !== s.login ? [`set local role ${quoteIdent(s.role)};`] : []),
    ...steps.map((x) => `${x};`),
    ...act,
    'rollback;',
  ];
  return stableOids(lines.join('\n'), ex);
}

function parseVictimRow(note: string): Record<string, unknown> | null {
  // l|count|tenant|reloid|ctid|{json}
  const parts = note.split('|');
  if (parts.length < 6) return null;
  try {
    return JSON.parse(parts.slice(5).join('|')) as Record<string, unknown>;
  } catch {
    return null;
  }
}

/**
 * Relation oids differ from one migrated database to the next: in replay SQL they become regclass
 * casts of the relation names, which mean the same and read the same on every run.
 */
function stableOids(text: string, ex: EngineContext): string {
  const names = new Map(ex.plan.cx.catalog.relations.map((r) => [String(r.oid), r.qualifiedName]));
  return text.replace(/'\{(\d+(?:,\d+)*)\}'::oid\[\]/g, (whole, list: string) => {
    const parts = list.split(',').map((oid) => names.get(oid));
    if (parts.some((n) => n === undefined)) return whole;
    return `array[${parts.map((n) => `${quoteLiteral(n!.split('.').map(quoteIdent).join('.'))}::regclass`).join(', ')}]::oid[]`;
  });
}

/** Reads that hid some of the actor's own rows: an info finding, or null. */
export function overRestrictionFinding(cell: CellStats): Finding | null {
  if (cell.overRestricted === 0) return null;
  return {
    id: findingId('probe-over-restriction', { relation: cell.relation }, cell.actor),
    rule: 'probe-over-restriction',
    severity: 'info',
    relation: cell.relation,
    actor: cell.actor,
    message: `${cell.actor} did not see all of its own tenants' rows in ${cell.relation} (${cell.overRestricted} of ${cell.held + cell.leaked} reads; e.g. ${cell.overExample?.example}): not a leak, but stricter than the tenant boundary`,
    fix: 'if the actor should see every row of its tenant, widen the SELECT policy to the tenant; if not, nothing to do',
    reproduction: null,
  };
}

/**
 * A run that proved nothing fails; so does a relation about which no check proved anything (every
 * cell not proven): a check that could not run is never a pass. Relations the world never filled
 * are a warning.
 */
export interface CoverageFacts {
  /** Tenant relations the probes looked at. */
  relations: readonly string[];
  /** Relations no world can fill, with why. */
  unfillable: ReadonlyArray<{ relation: string; reason: string }>;
  /** Tenant relations no world held a row of. */
  neverFilled: readonly string[];
  /** Partitions: probed directly as well as through their parent; a partition no world reached is a warning. */
  partitions?: readonly string[];
}

export function coverageFacts(ex: EngineContext, filled: ReadonlyMap<string, number>): CoverageFacts {
  return {
    relations: ex.plan.cx.relations.map((p) => p.relation.qualifiedName),
    unfillable: ex.world.unfillable,
    neverFilled: ex.world.relations.filter((p) => p.role === 'data' && (filled.get(p.relation.qualifiedName) ?? 0) === 0).map((p) => p.relation.qualifiedName),
    partitions: ex.plan.cx.relations.filter((p) => p.relation.partitionOf !== null).map((p) => p.relation.qualifiedName),
  };
}

export function coverageFindings(facts: CoverageFacts, matrix: readonly MatrixCell[], counts: { worlds: number; rows: number; checks: number }): Finding[] {
  const out: Finding[] = [];
  const finding = (rule: string, severity: Finding['severity'], relation: string | null, message: string, fix: string): Finding => ({
    id: findingId(rule, { relation }, null),
    rule,
    severity,
    relation,
    actor: null,
    message,
    fix,
    reproduction: null,
  });
  if (counts.checks === 0 || counts.rows === 0 || counts.worlds === 0) {
    out.push(
      finding(
        'coverage-vacuous',
        'error',
        null,
        `the probes proved nothing: ${counts.worlds} worlds, ${counts.rows} rows, ${counts.checks} checks that held or leaked`,
        'check the config (tenancy, actors, contexts) and the notes on refused rows; set probes.columns for columns no value could be found for',
      ),
    );
    return out;
  }
  const byRelation = new Map<string, MatrixCell[]>();
  for (const m of matrix) byRelation.set(m.relation, [...(byRelation.get(m.relation) ?? []), m]);
  for (const name of facts.relations) {
    const mine = byRelation.get(name) ?? [];
    if (mine.length === 0) continue;
    if (mine.every((m) => m.status === 'not-proven') && !facts.partitions?.includes(name)) {
      const reason = mine.find((m) => m.probe === 'read')?.reason ?? mine[0]!.reason ?? 'no check could judge';
      out.push(
        finding(
          'coverage-relation-not-proven',
          'error',
          name,
          `no check proved anything about ${name}: every one of its ${mine.length} cells is not proven (${reason})`,
          'make sure the world can fill it and its parents (probes.columns, factories, existing rows of global parents), and that views over it expose the tenant column',
        ),
      );
    } else if (!mine.some((m) => m.probe === 'read' && m.status !== 'not-proven')) {
      out.push(
        finding(
          'coverage-relation-unprobed',
          'warning',
          name,
          `${name} is tenant data but no read check could judge it (${mine.find((m) => m.probe === 'read')?.reason ?? 'no read check ran'})`,
          'make sure the world can fill it (probes.columns for its columns) and that views over it expose the tenant column',
        ),
      );
    }
  }
  for (const u of facts.unfillable)
    out.push(
      finding(
        'coverage-unfilled',
        'warning',
        u.relation,
        `${u.relation} could not be filled by any world: ${u.reason}`,
        'break the NOT NULL cycle (a deferrable or nullable key), or give the relation rows through factories',
      ),
    );
  for (const name of facts.neverFilled) {
    out.push(
      finding(
        'coverage-unfilled',
        'warning',
        name,
        `no world held a row of ${name}: the database refused every generated row, or no parent row could be found`,
        'see the notes for the refusal; set probes.columns or a factory for the columns involved',
      ),
    );
  }
  return out;
}
