/**
 * Facts of SQL the parser refused (a body PostgreSQL accepted under settings
 * or extensions the parser does not know): the old text heuristics, which
 * err towards "reads something". Reads found this way are marked inexact:
 * their uses are unknown, and whoever forges or judges them must assume the
 * worst. Calls carry no arity (-1): they match a function of any arity.
 */
import { callNames, readsCurrentUser, relationNames, settingReads } from '../expressions.js';
import { emptyFacts, type SqlFacts } from './facts.js';

export function fallbackFacts(text: string, error: string): SqlFacts {
  const facts = emptyFacts();
  facts.errors.push(error);
  facts.settingsRead = settingReads(text).map((s) => ({
    name: s.name,
    json: s.claims.length > 0,
    uses: [{ path: [], test: { kind: 'read' } }, ...s.claims.map((c) => ({ path: c.map((key) => ({ kind: 'key' as const, key })), test: { kind: 'read' as const } }))],
    exact: false,
  }));
  for (const m of text.matchAll(/set_config\s*\(\s*'((?:[^']|'')+)'/gi)) facts.settingsWritten.push({ name: m[1]!.replaceAll("''", "'").toLowerCase(), local: null });
  facts.calls = callNames(text).map((c) => ({ ...c, arity: -1, args: [], use: { path: [], test: { kind: 'read' } }, json: false }));
  facts.relationsRead = relationNames(text);
  facts.readsCurrentUser = readsCurrentUser(text);
  return facts;
}
