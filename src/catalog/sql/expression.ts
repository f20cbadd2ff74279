/**
 * A scalar expression's facts (a policy's USING or WITH CHECK, as pg_get_expr
 * prints it), cached by text: a schema's policies repeat a handful of
 * expressions. An expression PostgreSQL printed should always parse; if one
 * does not, its facts come from the text heuristics and the error is kept.
 */
import { withOutputAliases } from './aliases.js';
import { extractFacts, type SqlFacts } from './facts.js';
import { fallbackFacts } from './fallback.js';
import { parseExpression } from './parser.js';
import { EMPTY_SCOPE } from './setting-values.js';

const CACHE_LIMIT = 4096;
const cache = new Map<string, SqlFacts>();

export function expressionFacts(text: string): SqlFacts {
  const hit = cache.get(text);
  if (hit) return hit;
  if (cache.size >= CACHE_LIMIT) cache.clear();
  const parsed = parseExpression(text);
  const facts = parsed.ok ? extractFacts([parsed.value.node], withOutputAliases([parsed.value.node], EMPTY_SCOPE)) : fallbackFacts(text, parsed.error);
  cache.set(text, facts);
  return facts;
}
