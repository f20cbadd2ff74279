/**
 * What a sharded run knows about its own coverage, joined into what the
 * whole run writes: the notes (what was not probed, and why) and the
 * coverage-unfilled findings. Most describe the schema and are the same in
 * every shard; two kinds depend on the worlds a shard saw: rows the database
 * refused (their counts are summed, the example is the lowest shard's) and
 * relations no world filled (true of the whole run only when true of every
 * shard). The texts are the probe engine's (runNotes in src/probes/engine.ts,
 * coverageFindings in src/probes/findings.ts): a text of another shape is
 * kept as it is.
 */
import type { Finding } from '../findings/types.js';

const REFUSED = /^(.*): (\d+) generated row\(s\) refused by the database, e.g. ([\s\S]*)$/;
const NEVER_HELD = /^(.*): no world held a row of it$/;

/** Shards' notes, in shard order; the result is unordered (buildReport sorts notes). */
export function mergeNotes(shards: ReadonlyArray<readonly string[]>): string[] {
  const out = new Set<string>();
  const refused = new Map<string, { count: number; example: string }>();
  const neverHeld = new Map<string, number>();
  for (const notes of shards) {
    for (const note of new Set(notes)) {
      const r = REFUSED.exec(note);
      if (r) {
        const seen = refused.get(r[1]!);
        refused.set(r[1]!, { count: (seen?.count ?? 0) + Number(r[2]), example: seen?.example ?? r[3]! });
        continue;
      }
      if (NEVER_HELD.test(note)) neverHeld.set(note, (neverHeld.get(note) ?? 0) + 1);
      else out.add(note);
    }
  }
  for (const [relation, r] of refused) out.add(`${relation}: ${r.count} generated row(s) refused by the database, e.g. ${r.example}`);
  for (const [note, n] of neverHeld) if (n === shards.length) out.add(note);
  return [...out];
}

/** The coverage-unfilled findings of every shard: a relation never filled stays only when no shard filled it. */
export function mergeUnfilled(shards: ReadonlyArray<readonly Finding[]>): Finding[] {
  const seen = new Map<string, { finding: Finding; shards: number }>();
  for (const findings of shards) {
    for (const f of findings) {
      const s = seen.get(f.id);
      seen.set(f.id, { finding: s?.finding ?? f, shards: (s?.shards ?? 0) + 1 });
    }
  }
  return [...seen.values()].filter((s) => !/no world held a row of/.test(s.finding.message) || s.shards === shards.length).map((s) => s.finding);
}
