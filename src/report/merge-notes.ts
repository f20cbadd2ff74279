/**
 * The notes of a sharded run (what was not probed, and why), joined into
 * the notes the whole run writes. Most notes describe the schema and are
 * the same in every shard; two kinds depend on the worlds a shard saw:
 * rows the database refused (their counts are summed, the example is the
 * lowest shard's) and relations no world filled (true of the whole run only
 * when true of every shard). The texts are the probe engine's (runNotes in
 * src/probes/engine.ts): a note of another shape is kept as it is.
 */

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
