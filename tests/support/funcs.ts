/**
 * Catalog functions written by hand, for unit tests of the call graph and the
 * body readers: only what those read (signature, language, body, arguments)
 * is meaningful; the rest is a plausible default.
 */
import type { Func, Relation } from '../../src/catalog/types.js';

export interface FuncSpec {
  /** `schema.name` */
  name: string;
  /** pg_get_function_arguments text, e.g. `p_group uuid, p_perm text DEFAULT 'read'`. */
  args?: string;
  /** Identity argument types, one per input argument. */
  types?: string[];
  result?: string;
  language?: 'sql' | 'plpgsql' | 'c';
  body: string | null;
  searchPath?: string | null;
  defaults?: number;
  variadic?: boolean;
}

export function func(spec: FuncSpec): Func {
  const [schema, name] = spec.name.split('.') as [string, string];
  const args = spec.args ?? '';
  const types = spec.types ?? (args === '' ? [] : args.split(',').map((a) => a.trim().split(/\s+/).slice(-1)[0]!));
  return {
    oid: 0,
    schema,
    name,
    signature: `${schema}.${name}(${args.replace(/\s+DEFAULT\s+[^,]+/gi, '')})`,
    argTypes: types,
    result: spec.result ?? 'boolean',
    returnType: spec.result ?? 'boolean',
    returnsSet: false,
    returnsRelation: null,
    returnsTable: null,
    isTrigger: false,
    kind: 'function',
    language: spec.language ?? 'sql',
    securityDefiner: false,
    leakproof: false,
    volatility: 'stable',
    config: spec.searchPath ? [`search_path=${spec.searchPath}`] : [],
    searchPath: spec.searchPath ?? null,
    owner: 'owner',
    body: spec.body,
    executableBy: [],
    publicExecute: true,
    extension: null,
    inScope: true,
    settings: [],
    settingsWritten: [],
    calls: [],
    relationsReferenced: [],
    relationsRead: [],
    readsCurrentUser: false,
    arguments: args,
    argNames: args === '' ? [] : args.split(',').map((a) => {
      const words = a.trim().replace(/^(IN|INOUT|VARIADIC)\s+/i, '').split(/\s+/);
      return words.length > 1 ? words[0]! : '';
    }),
    argDefaults: spec.defaults ?? 0,
    variadic: spec.variadic ?? false,
    parseError: null,
  };
}

/** A relation with only a name (the call graph resolves relation names against these). */
export function relation(qualifiedName: string): Relation {
  const [schema, name] = qualifiedName.split('.') as [string, string];
  return { schema, name, qualifiedName } as Relation;
}
