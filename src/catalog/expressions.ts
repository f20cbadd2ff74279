/**
 * SQL text heuristics. Policies and function bodies are read with the real
 * parser (src/catalog/sql); what is left here is the fallback for text the
 * parser refuses (sql/fallback.ts), which errs towards "reads something",
 * and small helpers other modules use on config text (call names in a
 * context's SQL, identifier unquoting, setting globs). Never throws.
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

export function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Does a setting name match a pattern with `*` wildcards (case-insensitive)? */
export function settingMatches(name: string, pattern: string): boolean {
  const re = new RegExp(`^${pattern.split('*').map(escapeRegExp).join('.*')}$`, 'i');
  return re.test(name);
}
