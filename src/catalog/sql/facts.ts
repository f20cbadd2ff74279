/**
 * What one piece of SQL does that isolation cares about, read from its parse
 * trees: the custom settings it reads (and how it uses each value), the
 * settings it writes, the functions it calls (with what arguments), the
 * relations it reads and writes, the columns it names, and whether it reads
 * the session's role. Calls are not followed here (see call-graph.ts).
 */
import type { SettingUse, ValueSource } from '../types.js';
import { callName, children, constantOf, names, type Frame, walk } from './nodes.js';
import { classify, climb, sourceOf, useAt, type Scope } from './setting-values.js';
import { UseSet } from './use-set.js';

export interface NameRef {
  schema: string | null;
  name: string;
}

export interface CallSite extends NameRef {
  /** Number of arguments written; -1 when unknown (found in text). */
  arity: number;
  /** Where each positional argument comes from (named arguments: `other`). */
  args: ValueSource[];
  /** How the result is used (when the callee returns a setting's value, this is a use of that setting). */
  use: SettingUse;
  /** The result is read as JSON. */
  json: boolean;
}

export interface DirectRead {
  name: string;
  json: boolean;
  uses: SettingUse[];
  /** False when found in text after a parse failure. */
  exact: boolean;
}

export interface DirectWrite {
  name: string;
  local: boolean | null;
}

export interface SqlFacts {
  settingsRead: DirectRead[];
  settingsWritten: DirectWrite[];
  calls: CallSite[];
  relationsRead: NameRef[];
  relationsWritten: NameRef[];
  /** Column names referenced (the last part of each reference). */
  columns: string[];
  readsCurrentUser: boolean;
  /** Parse failures met on the way (the facts above are then partly from text). */
  errors: string[];
}

export function emptyFacts(): SqlFacts {
  return { settingsRead: [], settingsWritten: [], calls: [], relationsRead: [], relationsWritten: [], columns: [], readsCurrentUser: false, errors: [] };
}

const USER_FUNCTIONS = new Set(['SVFOP_CURRENT_USER', 'SVFOP_SESSION_USER', 'SVFOP_CURRENT_ROLE', 'SVFOP_USER']);
const DML = new Set(['InsertStmt', 'UpdateStmt', 'DeleteStmt', 'MergeStmt']);
const IGNORED_CALLS = new Set(['current_setting', 'set_config']);

/** Facts of parse trees (statements, or expression nodes), read in one scope. */
export function extractFacts(roots: readonly unknown[], scope: Scope): SqlFacts {
  const facts = emptyFacts();
  const reads = new Map<string, { json: boolean; uses: UseSet }>();
  const columns = new Set<string>();
  const ctes = new Set<string>();
  for (const root of roots) {
    walk(root, (f) => {
      if (f.kind === 'CommonTableExpr' && typeof f.body.ctename === 'string') ctes.add(f.body.ctename);
    });
  }
  const noteRead = (name: string, json: boolean, use: SettingUse | null) => {
    let r = reads.get(name);
    if (!r) reads.set(name, (r = { json: false, uses: new UseSet() }));
    r.json ||= json;
    if (use) r.uses.add([use]);
  };

  for (const root of roots) {
    walk(root, (f, parents) => {
      const source = sourceOf(f, scope);
      if (source) {
        const up = climb(f, parents, source, scope);
        const top = up.top < parents.length ? parents[up.top]! : f;
        const parent = parents[up.top - 1];
        // `v := current_setting(...)` / `(select current_setting(...) as s)`: a definition, not a use.
        const definition = parent?.kind === 'ResTarget' && typeof parent.body.name === 'string' && scope.aliases.has(parent.body.name);
        const use = definition ? null : useAt(top, parents, up.top, scope);
        noteRead(up.origin.name, up.origin.json, use ? { path: [...up.origin.path, ...use.steps], test: use.test, ...(up.origin.fallbackOf ? { fallbackOf: up.origin.fallbackOf } : {}) } : null);
      }
      switch (f.kind) {
        case 'FuncCall': {
          const call = callSiteOf(f, scope);
          if (call) {
            const up = climb(f, parents, { name: '', path: [], json: false }, scope);
            const use = useAt(up.top < parents.length ? parents[up.top]! : f, parents, up.top, scope);
            const fallbackOf = up.origin.fallbackOf ? { fallbackOf: up.origin.fallbackOf } : {};
            facts.calls.push({ ...call, use: { path: [...up.origin.path, ...use.steps], test: use.test, ...fallbackOf }, json: up.origin.json });
          }
          noteWrite(f, facts);
          break;
        }
        case 'ColumnRef': {
          const fields = names(f.body.fields);
          const last = fields[fields.length - 1];
          if (last !== undefined) columns.add(last);
          break;
        }
        case 'SQLValueFunction':
          if (USER_FUNCTIONS.has(String(f.body.op))) facts.readsCurrentUser = true;
          break;
        case 'RangeVar': {
          const ref = { schema: typeof f.body.schemaname === 'string' ? f.body.schemaname : null, name: String(f.body.relname ?? '') };
          if (ref.schema === null && ctes.has(ref.name)) break;
          const parent = parents[parents.length - 1];
          if (f.field === 'relation' && parent && DML.has(parent.kind)) facts.relationsWritten.push(ref);
          else facts.relationsRead.push(ref);
          break;
        }
        case 'VariableSetStmt':
          if (typeof f.body.name === 'string') facts.settingsWritten.push({ name: f.body.name.toLowerCase(), local: f.body.is_local === true });
          break;
      }
    });
  }
  facts.settingsRead = [...reads.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([name, r]) => ({ name, json: r.json, uses: r.uses.sorted(), exact: true }));
  facts.columns = [...columns].sort();
  return facts;
}

const isSettingFunction = (f: Frame): boolean => {
  const { schema, name } = callName(f);
  return (schema === null || schema === 'pg_catalog') && IGNORED_CALLS.has(name);
};

/** A call of a function that may be in the catalog (current_setting and set_config are read here). */
export function callSiteOf(f: Frame, scope: Scope): Omit<CallSite, 'use' | 'json'> | null {
  if (f.kind !== 'FuncCall' || isSettingFunction(f)) return null;
  const { schema, name } = callName(f);
  const args = children(f, 'args');
  return { schema, name, arity: args.length, args: args.map((a) => (a.kind === 'NamedArgExpr' ? { kind: 'other' } : classify(a, scope))) };
}

function noteWrite(f: Frame, facts: SqlFacts): void {
  if (!isSettingFunction(f) || callName(f).name !== 'set_config') return;
  const args = children(f, 'args');
  const setting = constantOf(args[0] ?? null);
  const local = constantOf(args[2] ?? null);
  if (typeof setting === 'string') facts.settingsWritten.push({ name: setting.toLowerCase(), local: typeof local === 'boolean' ? local : null });
}

/** Facts of several pieces, as one. */
export function mergeFacts(parts: readonly SqlFacts[]): SqlFacts {
  const out = emptyFacts();
  const reads = new Map<string, { json: boolean; exact: boolean; uses: UseSet }>();
  const columns = new Set<string>();
  for (const p of parts) {
    for (const r of p.settingsRead) {
      let m = reads.get(r.name);
      if (!m) reads.set(r.name, (m = { json: false, exact: true, uses: new UseSet() }));
      m.json ||= r.json;
      m.exact &&= r.exact;
      m.uses.add(r.uses);
    }
    out.settingsWritten.push(...p.settingsWritten);
    out.calls.push(...p.calls);
    out.relationsRead.push(...p.relationsRead);
    out.relationsWritten.push(...p.relationsWritten);
    for (const c of p.columns) columns.add(c);
    out.readsCurrentUser ||= p.readsCurrentUser;
    out.errors.push(...p.errors);
  }
  out.settingsRead = [...reads.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([name, r]) => ({ name, json: r.json, uses: r.uses.sorted(), exact: r.exact }));
  out.columns = [...columns].sort();
  return out;
}
