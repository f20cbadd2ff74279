/**
 * How a reader replays a run, and how much replay SQL the rendered formats
 * carry. A gate run replays with `gate` (it rebuilds the project's schema);
 * a `check` run replays with `check` on the same database, never with
 * `gate`, which would rebuild this repository's schema instead of theirs.
 * Replay SQL is kept for the first few findings of each root cause in the
 * rendered formats; every finding keeps its replay in the JSON.
 */
import type { Finding, IsolationReport } from '../findings/types.js';

/** Replays shown per root cause in Markdown, HTML, JUnit and SARIF. */
export const REPLAYS_PER_CAUSE = 3;

/** A path for a shell: bare when it is plain, else single-quoted. */
const shellWord = (s: string) => (/^[\w./@%+=:,-]+$/.test(s) ? s : `'${s.replaceAll("'", `'\\''`)}'`);

/** The command that replays the run, or null when no probe ran (lint only). */
export function replayCommand(report: Pick<IsolationReport, 'seed' | 'replay' | 'coverage'>, o: { configFile?: string | undefined } = {}): string | null {
  const seed = report.replay?.seed ?? report.seed;
  if (seed === null) return null;
  const runs = report.coverage.worlds;
  if (report.replay?.command === 'check') {
    return `tenantproof check --database-url "$DATABASE_URL" --seed ${seed} --runs ${runs}${o.configFile ? ` --config ${shellWord(o.configFile)}` : ''}`;
  }
  return `tenantproof gate --seed ${seed} --runs ${runs}`;
}

/**
 * A finding's replay SQL as the reader of this run needs it: the probe engine names `gate`;
 * for a check run the comment names the check command and the database it ran on.
 */
export function replaySql(sql: string, report: Pick<IsolationReport, 'seed' | 'replay' | 'coverage'>, o: { configFile?: string | undefined } = {}): string {
  if (report.replay?.command !== 'check') return sql;
  const command = replayCommand(report, o);
  return sql
    .replace(/\(tenantproof gate --seed \d+[^)]*\)/, `(${command} replays the run)`)
    .replace(/Run as a superuser on (?:a|the) migrated database;/, 'Run as a superuser on the checked database;');
}

/** Ids of the findings whose replay the rendered formats show: the first few with one in each cause. */
export function shownReplays(groups: ReadonlyArray<{ findings: readonly Finding[] }>): Set<string> {
  const shown = new Set<string>();
  for (const g of groups) for (const f of g.findings.filter((x) => x.reproduction !== null).slice(0, REPLAYS_PER_CAUSE)) shown.add(f.id);
  return shown;
}
