/**
 * Just enough SQL text handling to read policy expressions (pg_get_expr
 * output) and function bodies: strip literals and comments, split a boolean
 * expression at its top-level OR / AND, find the custom settings, function
 * calls and relations it names. Tolerant by design: it never throws, and it
 * errs towards "reads something" rather than missing a read.
 */

/** Replaces string literals, quoted identifiers kept, comments and dollar-quoted bodies' quotes with blanks. */
export function stripLiterals(text: string): string {
  let out = '';
  let i = 0;
  while (i < text.length) {
    const ch = text[i]!;
    const next = text[i + 1];
    if (ch === '-' && next === '-') {
      const end = text.indexOf('\n', i);
      i = end < 0 ? text.length : end;
      continue;
    }
    if (ch === '/' && next === '*') {
      const end = text.indexOf('*/', i + 2);
      i = end < 0 ? text.length : end + 2;
      out += ' ';
      continue;
    }
    if (ch === "'") {
      let j = i + 1;
      for (;;) {
        if (j >= text.length) break;
        if (text[j] === "'" && text[j + 1] === "'") j += 2;
        else if (text[j] === "'") break;
        else j++;
      }
      out += "''";
      i = j + 1;
      continue;
    }
    out += ch;
    i++;
  }
  return out;
}

/** Removes parentheses that wrap the whole expression: `((a OR b))` -> `a OR b`. */
export function stripOuterParens(expr: string): string {
  let e = expr.trim();
  while (e.startsWith('(') && matchingParen(e, 0) === e.length - 1) e = e.slice(1, -1).trim();
  return e;
}

/** Index of the parenthesis closing the one at `open`, skipping literals; -1 if unbalanced. */
export function matchingParen(text: string, open: number): number {
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    const ch = text[i];
    if (ch === "'") {
      i = skipQuoted(text, i, "'");
      continue;
    }
    if (ch === '"') {
      i = skipQuoted(text, i, '"');
      continue;
    }
    if (ch === '(') depth++;
    else if (ch === ')') {
      depth--;
      if (depth === 0) return i;
    }
  }
  return -1;
}

function skipQuoted(text: string, start: number, q: string): number {
  let j = start + 1;
  while (j < text.length) {
    if (text[j] === q && text[j + 1] === q) j += 2;
    else if (text[j] === q) return j;
    else j++;
  }
  return text.length;
}

/**
 * The operands of the expression's top-level `op` (OR or AND), each with its
 * outer parentheses stripped. An expression without that operator at the top
 * is one operand.
 */
export function splitTopLevel(expr: string, op: 'OR' | 'AND'): string[] {
  const e = stripOuterParens(expr);
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  const word = new RegExp(`^\\s${op}\\s`, 'i');
  // BETWEEN x AND y is not a conjunction.
  let betweenPending = 0;
  for (let i = 0; i < e.length; i++) {
    const ch = e[i];
    if (ch === "'" || ch === '"') {
      i = skipQuoted(e, i, ch);
      continue;
    }
    if (ch === '(') depth++;
    else if (ch === ')') depth--;
    else if (depth === 0 && /\s/.test(ch!)) {
      if (/^\sBETWEEN\s/i.test(e.slice(i, i + 9))) betweenPending++;
      if (word.test(e.slice(i, i + op.length + 2))) {
        if (op === 'AND' && betweenPending > 0) {
          betweenPending--;
          continue;
        }
        parts.push(e.slice(start, i));
        start = i + op.length + 1;
        i = start - 1;
      }
    }
  }
  parts.push(e.slice(start));
  return parts.map(stripOuterParens).filter((p) => p.length > 0);
}

/** Whole-expression constants that are always true. */
export function isConstantTrue(expr: string): boolean {
  const e = stripOuterParens(expr).replace(/\s+/g, ' ').toLowerCase();
  return /^(true|'t'::boolean|'true'::boolean|not false|(\d+) = \2|'([^']*)'::text = '\3'::text)$/.test(e);
}

export interface SettingReadText {
  name: string;
  claims: string[][];
}

const CURRENT_SETTING = /\b(?:pg_catalog\s*\.\s*)?current_setting\s*\(\s*'((?:[^']|'')+)'/gi;

/**
 * Custom settings read with current_setting('name', ...), lower-cased, with the
 * JSON paths read from each (`...::json ->> 'org_id'`), for JWT-claims contexts.
 */
export function settingReads(text: string): SettingReadText[] {
  const byName = new Map<string, string[][]>();
  for (const m of text.matchAll(CURRENT_SETTING)) {
    const name = m[1]!.replaceAll("''", "'").toLowerCase();
    const claims = byName.get(name) ?? [];
    byName.set(name, claims);
    const open = text.indexOf('(', m.index!);
    const close = matchingParen(text, open);
    if (close < 0) continue;
    const path = jsonPathAfter(text, close + 1);
    if (path.length > 0 && !claims.some((c) => c.join('.') === path.join('.'))) claims.push(path);
  }
  return [...byName.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([name, claims]) => ({ name, claims }));
}

// After current_setting(...): closing parentheses, casts and the remaining
// arguments of a wrapper (NULLIF(current_setting(...), '')), then `->` / `->>` 'key' steps.
function jsonPathAfter(text: string, from: number): string[] {
  let tail = text.slice(from, from + 300);
  for (let guard = 0; guard < 8; guard++) {
    const skip = /^(?:\s*\)|\s*::\s*[a-z_][\w.]*(?:\[\])?|\s*,\s*(?:'(?:[^']|'')*'|[\w.]+)(?:::[a-z_][\w.]*)?\s*\))+/i.exec(tail);
    if (!skip) break;
    tail = tail.slice(skip[0].length);
  }
  const path: string[] = [];
  for (;;) {
    const step = /^\s*->>?\s*'((?:[^']|'')*)'(?:\s*::\s*text)?\s*\)?/.exec(tail);
    if (!step) break;
    path.push(step[1]!.replaceAll("''", "'"));
    tail = tail.slice(step[0].length);
  }
  return path;
}

/** Reads the session identity (the role), which only identifies a tenant when each tenant has its own role. */
export function readsCurrentUser(text: string): boolean {
  return /\b(current_user|session_user|current_role)\b/i.test(stripLiterals(text));
}

export interface NameRef {
  schema: string | null;
  name: string;
}

const IDENT = String.raw`(?:"(?:[^"]|"")+"|[A-Za-z_][\w$]*)`;
const CALL = new RegExp(String.raw`(?:(${IDENT})\s*\.\s*)?(${IDENT})\s*\(`, 'g');
const RELATION_AFTER = new RegExp(String.raw`\b(?:from|join|into|update|only|table)\s+(?:only\s+)?(?:(${IDENT})\s*\.\s*)?(${IDENT})`, 'gi');

export function unquoteIdent(id: string): string {
  return id.startsWith('"') ? id.slice(1, -1).replaceAll('""', '"') : id.toLowerCase();
}

/** Names followed by `(`: candidate function calls (keywords included; match them against known functions). */
export function callNames(text: string): NameRef[] {
  const stripped = stripLiterals(text);
  const out: NameRef[] = [];
  for (const m of stripped.matchAll(CALL)) out.push({ schema: m[1] ? unquoteIdent(m[1]) : null, name: unquoteIdent(m[2]!) });
  return out;
}

/** Names after FROM / JOIN / INTO / UPDATE: candidate relations a body reads or writes. */
export function relationNames(text: string): NameRef[] {
  const stripped = stripLiterals(text);
  const out: NameRef[] = [];
  for (const m of stripped.matchAll(RELATION_AFTER)) out.push({ schema: m[1] ? unquoteIdent(m[1]) : null, name: unquoteIdent(m[2]!) });
  return out;
}

/** True when `column` appears as an identifier in the expression (outside string literals). */
export function mentionsColumn(expr: string, column: string): boolean {
  const stripped = stripLiterals(expr);
  const plain = /^[a-z_][a-z0-9_$]*$/.test(column);
  const pattern = plain ? new RegExp(`(?<![\\w$".])(?:"?)${escapeRegExp(column)}(?:"?)(?![\\w$(])`, 'i') : new RegExp(escapeRegExp(`"${column.replaceAll('"', '""')}"`));
  // A qualified reference (alias.tenant_id) counts too.
  const qualified = plain ? new RegExp(`\\.\\s*"?${escapeRegExp(column)}"?(?![\\w$(])`, 'i') : null;
  return pattern.test(stripped) || (qualified?.test(stripped) ?? false);
}

export function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Does a setting name match a pattern with `*` wildcards (case-insensitive)? */
export function settingMatches(name: string, pattern: string): boolean {
  const re = new RegExp(`^${pattern.split('*').map(escapeRegExp).join('.*')}$`, 'i');
  return re.test(name);
}
