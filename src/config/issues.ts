/**
 * zod issues turned into one line per mistake: the key path, what was
 * expected (and what the key is for), what was found, and how to fix it.
 * The descriptions and examples come from the schema's metadata.
 */
import { z } from 'zod';
import { suggest } from './cross-checks.js';
import type { KeyMeta } from './schema.js';

export interface ConfigIssue {
  /** Key path as written in the config, e.g. `actors[2].role`; empty for the whole config. */
  path: string;
  message: string;
  fix: string;
}

type PathKey = PropertyKey;

export function formatPath(path: readonly PathKey[]): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else {
      const k = String(key);
      out += /^[A-Za-z_$][\w$]*$/.test(k) ? (out === '' ? k : `.${k}`) : `[${JSON.stringify(k)}]`;
    }
  }
  return out;
}

/** Every issue of a failed parse, in path order, one message each. */
export function toConfigIssues(root: z.ZodType, error: z.ZodError): ConfigIssue[] {
  const out: ConfigIssue[] = [];
  for (const issue of error.issues) out.push(...describeIssue(root, issue));
  const seen = new Set<string>();
  return out.filter((i) => {
    const key = `${i.path}\u0000${i.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

export function formatConfigIssues(issues: readonly ConfigIssue[], source?: string): string {
  const head = `${source ?? 'the config'} has ${issues.length} mistake${issues.length === 1 ? '' : 's'}:`;
  return [head, ...issues.map((i) => `  ${i.path || '(config)'}: ${i.message}\n    fix: ${i.fix}`)].join('\n');
}

function describeIssue(root: z.ZodType, issue: z.core.$ZodIssue): ConfigIssue[] {
  const path = formatPath(issue.path);
  const node = schemaAt(root, issue.path);
  const meta = node ? metaOf(node) : undefined;
  const what = meta ? ` (${meta.description})` : '';
  const example = meta?.example;
  const input = (issue as { input?: unknown }).input;
  const lastKey = issue.path.length > 0 ? String(issue.path[issue.path.length - 1]) : '';
  switch (issue.code) {
    case 'invalid_type':
      if (input === undefined) return [{ path, message: `missing${what}`, fix: example ? `add ${lastKey}: ${example}` : `add ${lastKey}` }];
      return [
        {
          path,
          message: `expected ${expectedPhrase(node, issue.expected)}${what}, got ${show(input)}`,
          fix: `set ${path} to ${expectedPhrase(node, issue.expected)}${example ? `, e.g. ${example}` : ''}`,
        },
      ];
    case 'invalid_value': {
      const values = issue.values.map((v) => JSON.stringify(v));
      const fix = typeof input === 'string' ? suggest(input, issue.values.map(String), `use one of ${values.join(', ')}`) : `use one of ${values.join(', ')}`;
      return [{ path, message: `expected one of ${values.join(', ')}${what}, got ${show(input)}`, fix }];
    }
    case 'unrecognized_keys': {
      const known = node ? objectKeys(node) : [];
      return issue.keys.map((key) => ({
        path: formatPath([...issue.path, key]),
        message: 'unknown key',
        fix: suggest(key, known, known.length > 0 ? `remove it; the keys here are ${known.join(', ')}` : 'remove it'),
      }));
    }
    case 'invalid_union':
      return [
        { path, message: `expected ${expectedPhrase(node, undefined)}${what}, got ${show(input)}`, fix: example ? `write ${example}` : 'see the docs for the accepted forms' },
      ];
    case 'custom': {
      const fix = (issue.params as { fix?: unknown } | undefined)?.fix;
      return [{ path, message: issue.message, fix: typeof fix === 'string' ? fix : example ? `write ${example}` : 'see the docs' }];
    }
    case 'too_small':
      if (issue.origin === 'string' && Number(issue.minimum) === 1)
        return [{ path, message: `must not be empty${what}`, fix: example ? `write ${example}` : `write a value for ${path}` }];
      break;
    default:
      break;
  }
  // Bounds and formats: zod's own wording is precise enough.
  return [{ path, message: `${lowerFirst(issue.message)}${what}${input === undefined ? '' : `, got ${show(input)}`}`, fix: example ? `write ${example}` : 'see the docs' }];
}

/** The schema node at an issue's path, through optional/default/array/record wrappers. */
export function schemaAt(root: z.ZodType, path: readonly PathKey[]): z.ZodType | undefined {
  let node: z.ZodType | undefined = root;
  for (const key of path) {
    node = node ? child(node, key) : undefined;
    if (!node) return undefined;
  }
  return node;
}

function child(node: z.ZodType, key: PathKey): z.ZodType | undefined {
  const inner = unwrap(node);
  const def = inner.def as unknown as Record<string, unknown> & { type: string };
  if (def.type === 'object') return (def.shape as Record<string, z.ZodType>)[String(key)];
  if (def.type === 'array') return def.element as z.ZodType;
  if (def.type === 'record') return def.valueType as z.ZodType;
  if (def.type === 'union') {
    for (const option of def.options as z.ZodType[]) {
      const c = child(option, key);
      if (c) return c;
    }
  }
  return undefined;
}

/** Strips optional/default/nullable/pipe wrappers. */
function unwrap(node: z.ZodType): z.ZodType {
  let n = node;
  for (;;) {
    const def = n.def as unknown as { type: string; innerType?: z.ZodType; in?: z.ZodType };
    if ((def.type === 'optional' || def.type === 'default' || def.type === 'nullable' || def.type === 'prefault') && def.innerType) n = def.innerType;
    else if (def.type === 'pipe' && def.in) n = def.in;
    else return n;
  }
}

/** The nearest metadata, looking through wrappers (meta may sit on the wrapper or the inner type). */
function metaOf(node: z.ZodType): KeyMeta | undefined {
  let n: z.ZodType | undefined = node;
  while (n) {
    const m = z.globalRegistry.get(n) as Partial<KeyMeta> | undefined;
    if (m?.description) return m.example === undefined ? { description: m.description } : { description: m.description, example: m.example };
    const def = n.def as unknown as { innerType?: z.ZodType; in?: z.ZodType };
    n = def.innerType ?? def.in;
  }
  return undefined;
}

function objectKeys(node: z.ZodType): string[] {
  const def = unwrap(node).def as unknown as { type: string; shape?: Record<string, unknown> };
  return def.type === 'object' && def.shape ? Object.keys(def.shape) : [];
}

function expectedPhrase(node: z.ZodType | undefined, expected: string | undefined): string {
  const inner = node ? unwrap(node) : undefined;
  const def = inner?.def as unknown as { type: string; options?: z.ZodType[]; entries?: Record<string, unknown> } | undefined;
  if (def?.type === 'union' && def.options) return def.options.map((o) => expectedPhrase(o, undefined)).join(' or ');
  if (def?.type === 'enum' && def.entries)
    return `one of ${Object.values(def.entries)
      .map((v) => JSON.stringify(v))
      .join(', ')}`;
  const t = expected ?? def?.type ?? 'value';
  switch (t) {
    case 'string':
      return 'a string';
    case 'number':
      return 'a number';
    case 'int':
      return 'an integer';
    case 'boolean':
      return 'true or false';
    case 'array': {
      const el = (def as unknown as { element?: z.ZodType } | undefined)?.element;
      return el && expected === undefined ? `an array of ${expectedPhrase(el, undefined).replace(/^an? /, '')}s` : 'an array';
    }
    case 'object':
    case 'record':
      return 'an object';
    case 'custom':
      return 'a function';
    default:
      return t;
  }
}

function show(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (typeof v === 'function') return 'a function';
  if (typeof v === 'string') return JSON.stringify(v.length > 60 ? `${v.slice(0, 57)}...` : v);
  let s: string;
  try {
    s = JSON.stringify(v) ?? String(v);
  } catch {
    s = String(v);
  }
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

function lowerFirst(s: string): string {
  return s.length > 0 ? s[0]!.toLowerCase() + s.slice(1) : s;
}
