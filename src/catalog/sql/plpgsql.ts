/**
 * PL/pgSQL bodies: PostgreSQL's PL/pgSQL grammar (parsePlPgSQL) gives the
 * statements with each embedded SQL expression or query as text; each is
 * parsed with the SQL parser. Variables assigned a setting's value
 * (`g := current_setting('request.groups')::jsonb`, `SELECT ... INTO g`,
 * `DECLARE g jsonb := ...`) become aliases, so that `g ? 'read'` is a use
 * of the setting. Flow-insensitive: an alias holds wherever the name is used.
 * Dynamic SQL (EXECUTE) is read as an expression, and its text searched for
 * settings as well (inexact): what it runs is not known until it runs.
 */
import { quoteIdent } from '../../sql/text.js';
import { extractFacts, mergeFacts, type SqlFacts } from './facts.js';
import { fallbackFacts } from './fallback.js';
import { withOutputAliases } from './aliases.js';
import { children, frameOf, walk } from './nodes.js';
import { parsePlpgsql, parseStatements } from './parser.js';
import { returnValueOf, type ReturnValue } from './returns.js';
import { originOf, type Origin, type Scope } from './setting-values.js';

interface Embedded {
  query: string;
  parseMode: number;
  /** Variables the expression's result columns are assigned to, in order. */
  assigns: string[];
  dynamic: boolean;
  /** The expression of a RETURN statement. */
  returned: boolean;
}

interface PlExpr {
  query?: string;
  parseMode?: number;
}

// RAW_PARSE_DEFAULT (a statement), RAW_PARSE_PLPGSQL_EXPR, RAW_PARSE_PLPGSQL_ASSIGN1..3 (`target := expr`).
const MODE_STATEMENT = 0;
const ASSIGN_MODES = new Set([3, 4, 5]);
const ASSIGN_TARGET = /^\s*(?:"(?:[^"]|"")*"|[^\s:=[."]+)(?:\s*\.\s*(?:"(?:[^"]|"")*"|[^\s:=[."]+))*(?:\s*\[[^\]]*\])*\s*(?::=|=)\s*/;

/** Facts of a PL/pgSQL function, given its full CREATE statement and parameter names, and what its RETURNs return. */
export function plpgsqlFacts(createStatement: string, body: string, params: readonly string[]): { facts: SqlFacts; returns: ReturnValue[] } {
  const parsed = parsePlpgsql(createStatement);
  if (!parsed.ok) return { facts: fallbackFacts(body, parsed.error), returns: [] };
  const fn = (parsed.value as { PLpgSQL_function?: { datums?: unknown[]; action?: unknown } }).PLpgSQL_function ?? {};
  const datums = (fn.datums ?? []).map(datumName);
  const embedded = collect(fn, datums);
  // Declared variables (OUT parameters among them, which the body assigns like variables).
  const variables = new Set(datums.filter((d) => d !== '' && d !== 'found' && !params.includes(d)));

  const errors: SqlFacts[] = [];
  const trees = embedded.map((e) => {
    const r = parseEmbedded(e);
    if (!r.ok) errors.push(fallbackFacts(e.query, r.error));
    return { e, roots: r.ok ? r.roots : [] };
  });

  let scope: Scope = { params, aliases: new Map(), variables };
  // Aliases of aliases (`h := g -> 'x'`): a few passes reach the fixpoint of any realistic body.
  for (let pass = 0; pass < 4; pass++) {
    const aliases = new Map(scope.aliases);
    for (const { e, roots } of trees) {
      if (e.assigns.length === 0) continue;
      const targets = roots[0] ? targetValues(roots[0]) : [];
      e.assigns.forEach((name, i) => {
        const val = targets[i];
        const origin = val ? originOf(val, scope) : undefined;
        if (origin && !sameOrigin(aliases.get(name), origin)) aliases.set(name, origin);
      });
    }
    if (aliases.size === scope.aliases.size && [...aliases].every(([k, v]) => sameOrigin(scope.aliases.get(k), v))) break;
    scope = { ...scope, aliases };
  }
  const roots = trees.flatMap((t) => t.roots);
  const full = withOutputAliases(roots, scope);
  const facts = extractFacts(roots, full);
  const dynamic = trees.filter((t) => t.e.dynamic).map((t) => withoutError(fallbackFacts(literalsOf(t.roots), 'dynamic SQL')));
  const returns = trees
    .filter((t) => t.e.returned && t.roots[0])
    .flatMap((t) => {
      const val = targetValues(t.roots[0])[0];
      const r = val ? returnValueOf(val, full) : undefined;
      return r ? [r] : [];
    });
  return { facts: mergeFacts([facts, ...dynamic, ...errors]), returns };
}

/** The string constants of an EXECUTEd expression: the SQL it runs, as far as it is written down. */
function literalsOf(roots: readonly unknown[]): string {
  const out: string[] = [];
  for (const root of roots) {
    walk(root, (f) => {
      const text = (f.body.sval as { sval?: unknown } | undefined)?.sval;
      if (f.kind === 'A_Const' && typeof text === 'string') out.push(text);
      return undefined;
    });
  }
  return out.join('\n');
}

function withoutError(f: SqlFacts): SqlFacts {
  return { ...f, errors: [] };
}

function sameOrigin(a: Origin | undefined, b: Origin): boolean {
  return a !== undefined && JSON.stringify(a) === JSON.stringify(b);
}

function datumName(d: unknown): string {
  const f = frameOf(d);
  const name = f?.body.refname;
  return typeof name === 'string' && name !== '(unnamed row)' ? name : '';
}

/** Every embedded expression, with the variables it is assigned to. */
function collect(fn: unknown, datums: readonly string[]): Embedded[] {
  const out: Embedded[] = [];
  const seen = new Set<unknown>();
  const add = (expr: unknown, assigns: string[] = [], dynamic = false, returned = false) => {
    const e = (expr as { PLpgSQL_expr?: PlExpr } | undefined)?.PLpgSQL_expr;
    if (!e || seen.has(e) || typeof e.query !== 'string') return;
    seen.add(e);
    out.push({ query: e.query, parseMode: e.parseMode ?? MODE_STATEMENT, assigns, dynamic, returned });
  };
  const targetNames = (target: unknown): string[] => {
    const f = frameOf(target);
    if (!f) return [];
    if (f.kind === 'PLpgSQL_row') return ((f.body.fields as Array<{ name?: string }> | undefined) ?? []).map((x) => x.name ?? '');
    return [typeof f.body.refname === 'string' ? f.body.refname : ''];
  };
  const visit = (value: unknown): void => {
    if (Array.isArray(value)) {
      for (const v of value) visit(v);
      return;
    }
    if (value === null || typeof value !== 'object') return;
    const f = frameOf(value);
    if (f) {
      const b = f.body;
      if (f.kind === 'PLpgSQL_var' && b.default_val) add(b.default_val, [String(b.refname ?? '')]);
      if (f.kind === 'PLpgSQL_stmt_assign') add(b.expr, [datums[Number(b.varno)] ?? '']);
      if (f.kind === 'PLpgSQL_stmt_execsql' && b.into) add(b.sqlstmt, targetNames(b.target));
      if (f.kind === 'PLpgSQL_stmt_dynexecute' || f.kind === 'PLpgSQL_stmt_dynfors') add(b.query, [], true);
      if (f.kind === 'PLpgSQL_stmt_return') add(b.expr, [], false, true);
      if (f.kind === 'PLpgSQL_expr') add(value);
    }
    for (const v of Object.values(f ? f.body : value)) visit(v);
  };
  visit(fn);
  return out;
}

function parseEmbedded(e: Embedded): { ok: true; roots: unknown[] } | { ok: false; error: string } {
  let text: string;
  if (e.parseMode === MODE_STATEMENT) text = e.query;
  else if (ASSIGN_MODES.has(e.parseMode)) {
    const rhs = e.query.replace(ASSIGN_TARGET, '');
    // Named after the variable: the assignment is then a definition of the alias, not a use.
    const named = e.assigns[0] ? `SELECT ${rhs} AS ${quoteIdent(e.assigns[0])}` : `SELECT ${rhs}`;
    const r = parseStatements(named);
    if (r.ok) return { ok: true, roots: (r.value.stmts ?? []).map((s) => s.stmt) };
    text = `SELECT ${rhs}`;
  } else text = `SELECT ${e.query}`;
  const r = parseStatements(text);
  return r.ok ? { ok: true, roots: (r.value.stmts ?? []).map((s) => s.stmt) } : { ok: false, error: r.error };
}

/** The result expressions of a SELECT, in order. */
function targetValues(root: unknown) {
  const s = frameOf(root);
  if (s?.kind !== 'SelectStmt') return [];
  return children(s, 'targetList').map((t) => frameOf(t.body.val, 'val'));
}
