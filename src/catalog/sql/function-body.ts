/**
 * A function's body as parse trees and the facts in them. The catalog keeps
 * the body text (prosrc, or pg_get_function_sqlbody for BEGIN ATOMIC /
 * RETURN bodies); the parser needs more: a reconstructed CREATE FUNCTION
 * gives the parameter names (and, for PL/pgSQL, the declarations), then
 * each statement or embedded PL/pgSQL expression is parsed on its own.
 * A body that does not parse falls back to text heuristics, recorded.
 */
import type { Node } from 'libpg-query';
import { quoteQualified } from '../../sql/text.js';
import type { Func } from '../types.js';
import { extractFacts, type SqlFacts } from './facts.js';
import { fallbackFacts } from './fallback.js';
import { children, frameOf, type Frame } from './nodes.js';
import { parseStatements } from './parser.js';
import { plpgsqlFacts } from './plpgsql.js';
import { returnValueOf, type ReturnValue } from './returns.js';
import { withOutputAliases } from './aliases.js';
import { EMPTY_SCOPE } from './setting-values.js';

export type FunctionSource = Pick<Func, 'schema' | 'name' | 'signature' | 'kind' | 'language' | 'result' | 'body'> & Partial<Pick<Func, 'arguments' | 'argNames'>>;

export interface FunctionBody {
  facts: SqlFacts;
  /** Input parameter names in order ('' when unnamed). */
  params: string[];
  /** For SQL functions whose body is one expression (`SELECT expr` or `RETURN expr`): that expression. */
  inline: Node | null;
  /** What it returns, where that is a setting's value or another call's result. */
  returns: ReturnValue[];
}

const CACHE_LIMIT = 4096;
const cache = new Map<string, FunctionBody>();

/** The facts of a SQL or PL/pgSQL function's body; empty for other languages. Cached by source. */
export function functionBody(f: FunctionSource): FunctionBody {
  if (f.body === null || (f.language !== 'sql' && f.language !== 'plpgsql')) return { facts: extractFacts([], EMPTY_SCOPE), params: [], inline: null, returns: [] };
  const header = createHeader(f);
  const key = `${header}\u0000${f.body}`;
  const hit = cache.get(key);
  if (hit) return hit;
  if (cache.size >= CACHE_LIMIT) cache.clear();
  const result = f.language === 'plpgsql' ? plpgsqlBody(f, header) : sqlBody(f, header);
  cache.set(key, result);
  return result;
}

/** `CREATE FUNCTION s.f(args) RETURNS t LANGUAGE l`, without its body. */
function createHeader(f: FunctionSource): string {
  const args = f.arguments ?? identityArguments(f);
  const name = quoteQualified(f.schema, f.name);
  if (f.kind === 'procedure') return `CREATE PROCEDURE ${name}(${args}) LANGUAGE ${f.language}`;
  return `CREATE FUNCTION ${name}(${args}) RETURNS ${f.result || 'void'} LANGUAGE ${f.language}`;
}

function identityArguments(f: FunctionSource): string {
  const open = f.signature.indexOf('(');
  return open < 0 ? '' : f.signature.slice(open + 1, -1);
}

/** The body as a dollar-quoted string, with a tag it does not contain. */
function dollarQuoted(body: string): string {
  let tag = '$tp$';
  for (let i = 0; body.includes(tag); i++) tag = `$tp${i}$`;
  return `${tag}${body}${tag}`;
}

/** Input parameter names (IN, INOUT, VARIADIC) of a parsed CREATE FUNCTION (when the catalog did not give them). */
function parameters(create: Frame | null): { inputs: string[] } {
  const inputs: string[] = [];
  for (const p of create ? children(create, 'parameters') : []) {
    if (p.body.mode !== 'FUNC_PARAM_OUT' && p.body.mode !== 'FUNC_PARAM_TABLE') inputs.push(typeof p.body.name === 'string' ? p.body.name : '');
  }
  return { inputs };
}

function createStatement(text: string): { create: Frame | null; error: string | null } {
  const r = parseStatements(text);
  if (!r.ok) return { create: null, error: r.error };
  return { create: frameOf(r.value.stmts?.[0]?.stmt), error: null };
}

function sqlBody(f: FunctionSource, header: string): FunctionBody {
  const body = f.body ?? '';
  // pg_get_function_sqlbody: `BEGIN ATOMIC ... END` or `RETURN expr`, parsed as part of the CREATE statement.
  const standard = /^\s*(?:BEGIN\s+ATOMIC|RETURN)\b/i.test(body);
  let statements: unknown[];
  let params = f.argNames;
  if (standard) {
    const { create, error } = createStatement(`${header} ${body}`);
    if (!create) return { facts: fallbackFacts(body, error ?? 'unparsable body'), params: params ?? [], inline: null, returns: [] };
    params ??= parameters(create).inputs;
    statements = flattenLists(create.body.sql_body);
  } else {
    params ??= parameters(createStatement(`${header} AS ''`).create).inputs;
    const r = parseStatements(body);
    if (!r.ok) return { facts: fallbackFacts(body, r.error), params, inline: null, returns: [] };
    statements = (r.value.stmts ?? []).map((s) => s.stmt);
  }
  const aliasScope = withOutputAliases(statements, { ...EMPTY_SCOPE, params });
  const inline = inlineExpression(statements);
  const frame = inline ? frameOf(inline) : null;
  const returned = frame ? returnValueOf(frame, aliasScope) : undefined;
  return { facts: extractFacts(statements, aliasScope), params, inline, returns: returned ? [returned] : [] };
}

/** sql_body is a List of Lists of statements (BEGIN ATOMIC) or one ReturnStmt. */
function flattenLists(value: unknown): unknown[] {
  const f = frameOf(value);
  if (!f) return [];
  if (f.kind === 'List') return children(f, 'items').flatMap((c) => (c.kind === 'List' ? flattenLists({ List: c.body }) : [{ [c.kind]: c.body }]));
  return [value];
}

/** A body that is one expression: `SELECT expr` (no FROM, WHERE, ...) or `RETURN expr`. */
function inlineExpression(statements: readonly unknown[]): Node | null {
  if (statements.length !== 1) return null;
  const s = frameOf(statements[0]);
  if (s?.kind === 'ReturnStmt') return (s.body.returnval as Node | undefined) ?? null;
  if (s?.kind !== 'SelectStmt') return null;
  const simple = Object.keys(s.body).every((k) => ['targetList', 'limitOption', 'op'].includes(k));
  const targets = children(s, 'targetList');
  if (!simple || targets.length !== 1) return null;
  return (targets[0]!.body.val as Node | undefined) ?? null;
}

function plpgsqlBody(f: FunctionSource, header: string): FunctionBody {
  let inputs = f.argNames;
  if (!inputs) {
    const { create, error } = createStatement(`${header} AS ''`);
    if (error) return { facts: fallbackFacts(f.body ?? '', error), params: [], inline: null, returns: [] };
    inputs = parameters(create).inputs;
  }
  const { facts, returns } = plpgsqlFacts(`${header} AS ${dollarQuoted(f.body ?? '')}`, f.body ?? '', inputs);
  return { facts, params: inputs, inline: null, returns };
}
