/**
 * The real PostgreSQL parser (libpg-query: PostgreSQL 18's own grammar built
 * to WebAssembly, no native build) behind three calls that never throw: a
 * failure comes back as a value with PostgreSQL's message, and the callers
 * fall back to conservative answers.
 *
 * The WASM module (1.7 MB) is loaded on demand, once per process, by
 * loadParser(): introspect awaits it, so commands that never read a catalog
 * never pay for it. After that every parse is synchronous, and the lint,
 * which is synchronous and always runs on a catalog introspected in the same
 * process, parses too. Results are cached by text: policies repeat the same
 * expression, and watch re-introspects an almost unchanged catalog on every
 * save. Trees are shared between callers and must be treated as read-only.
 */
import type { Node, ParseResult } from 'libpg-query';

type Library = typeof import('libpg-query');
let library: Library | undefined;
let loading: Promise<void> | undefined;

/** Loads the parser (idempotent). */
export function loadParser(): Promise<void> {
  loading ??= (async () => {
    const lib = await import('libpg-query');
    await lib.loadModule();
    library = lib;
  })();
  return loading;
}

function parser(): Library {
  // A programming error, not a parse failure: nothing may read SQL before a catalog was introspected.
  if (!library) throw new Error('the SQL parser is not loaded: await loadParser() (introspect does) before reading SQL');
  return library;
}

export type Parsed<T> = { ok: true; value: T } | { ok: false; error: string };

/** An expression parsed as `SELECT <expr>`; `offset` maps its node locations back into the expression text. */
export interface ParsedExpression {
  node: Node;
  /** Subtract from a node's location to get an index into the expression text. */
  offset: number;
}

const SELECT = 'SELECT ';
const CACHE_LIMIT = 4096;
const cache = new Map<string, Parsed<unknown>>();

function cached<T>(key: string, compute: () => Parsed<T>): Parsed<T> {
  const hit = cache.get(key);
  if (hit) return hit as Parsed<T>;
  // Crude bound: a long watch session never grows without limit; a full clear costs one re-parse each.
  if (cache.size >= CACHE_LIMIT) cache.clear();
  const value = compute();
  cache.set(key, value);
  return value;
}

function attempt<T>(fn: () => T): Parsed<T> {
  try {
    return { ok: true, value: fn() };
  } catch (e) {
    return { ok: false, error: e instanceof Error ? e.message : String(e) };
  }
}

/** One or more SQL statements. */
export function parseStatements(text: string): Parsed<ParseResult> {
  if (text.trim() === '') return { ok: true, value: { stmts: [] } };
  const lib = parser();
  return cached(`s\u0000${text}`, () => attempt(() => lib.parseSync(text)));
}

/** A scalar expression, such as pg_get_expr's text of a policy. */
export function parseExpression(text: string): Parsed<ParsedExpression> {
  const lib = parser();
  return cached(`e\u0000${text}`, () => {
    const r = attempt(() => lib.parseSync(SELECT + text));
    if (!r.ok) return r;
    const stmt = r.value.stmts?.[0]?.stmt;
    const target = stmt && 'SelectStmt' in stmt && r.value.stmts?.length === 1 ? stmt.SelectStmt.targetList : undefined;
    const first = target?.length === 1 ? target[0] : undefined;
    const node = first && 'ResTarget' in first ? first.ResTarget.val : undefined;
    if (!node) return { ok: false, error: 'not a single expression' };
    return { ok: true, value: { node, offset: SELECT.length } };
  });
}

/** The PL/pgSQL tree of a CREATE FUNCTION / CREATE PROCEDURE statement (plpgsql_funcs[0]). */
export function parsePlpgsql(createStatement: string): Parsed<unknown> {
  const lib = parser();
  return cached(`p\u0000${createStatement}`, () =>
    attempt(() => {
      const out = lib.parsePlPgSQLSync(createStatement) as unknown as { plpgsql_funcs?: unknown[] };
      const fn = out.plpgsql_funcs?.[0];
      if (fn === undefined) throw new Error('no PL/pgSQL function in the statement');
      return fn;
    }),
  );
}
