/**
 * Long module: one contract (forgeValues) whose cases, one per way code reads a setting, only make
 * sense side by side.
 *
 * Forged values that follow the code: what an attacker would write into a
 * custom setting that a policy trusts, derived from how the policy's code
 * (through every function it calls) reads that setting.
 *
 * Contract (pure: no I/O, deterministic order, no duplicates, at most
 * MAX_FORGED values per setting read):
 *
 *   forgeValues(read, options) -> ForgedValue[]
 *
 *   read     a SettingRead from the catalog: its name, whether it is read as
 *            JSON, its uses (JSON paths, comparisons, containment tests) and
 *            claims. An inexact read (its code did not parse) gets every kind
 *            of value, scalar and JSON.
 *   options  skipClaims: claim paths the actor's context itself sets (the
 *            JWT's sub, role, tenant claim): never forged, uses under them
 *            ignored. ownTenant, ownPrincipal, ownValue: what the actor's own
 *            context holds, when the caller knows it statically (the value a
 *            pre-request function wrote, as text). All optional.
 *
 *   value    a template: `$victim_tenant`, `$victim_principal`,
 *            `$own_tenant` and `$own_principal` stand for ids the engine
 *            substitutes per world (fillForged does it in TypeScript, JSON-
 *            escaped; the runner may do it in SQL).
 *   merge    the value is a JSON object to merge into the setting's current
 *            value at run time (`current || value`): the actor's own JSON
 *            (its claims, its own groups) stays, the forged keys are added,
 *            which is how "the actor's own value with keys added for the
 *            victim" is forged when the own value is known only at run time.
 *   json     the value is a JSON document.
 *   describe one line saying what the value tries, for findings.
 *
 * Scalar settings get the literals the code compares the setting with, the
 * victim's ids and role-ish words ('admin', 'service_role'...). JSON settings
 * are forged structurally: the actor's own JSON with every own id replaced
 * by the victim's and the same with keys and elements added for the victim
 * (when the own value is given), documents built from the value shapes the
 * code reads (`groups -> group_id::text ? 'read'` gives {"$victim_tenant":
 * ["read"]}), singly and all at once, and each claim read set to the
 * victim's ids and role-ish words.
 */
import type { JsonStep, SettingRead, SettingTest, ValueSource } from '../catalog/types.js';

export const PLACEHOLDERS = {
  victimTenant: '$victim_tenant',
  victimPrincipal: '$victim_principal',
  ownTenant: '$own_tenant',
  ownPrincipal: '$own_principal',
} as const;

export interface ForgedValue {
  value: string;
  describe: string;
  /** Merge into the setting's current JSON value at run time (see the contract above). */
  merge?: boolean;
  json?: boolean;
}

export interface ForgeOptions {
  /** Claim paths the actor's own context sets: the context, not the attacker's to forge. */
  skipClaims?: readonly string[][];
  ownTenant?: string;
  ownPrincipal?: string;
  /** The setting's value in the actor's own context, when known statically. */
  ownValue?: string | null;
}

/** What forgeValues reads of a SettingRead (catalogs built before uses existed have none: claims alone then). */
export type ForgeableRead = Pick<SettingRead, 'name' | 'claims'> & Partial<Pick<SettingRead, 'json' | 'uses' | 'exact'>>;

export const MAX_FORGED = 24;

/** Words that grant cross-tenant access in real schemas more often than any other. */
const ROLE_WORDS = ['admin', 'uber_admin', 'superuser', 'service_role', 'true', '1'];

export function forgeValues(read: ForgeableRead, options: ForgeOptions = {}): ForgedValue[] {
  const skip = new Set((options.skipClaims ?? []).map((p) => p.join('.')));
  const skipped = (keys: readonly string[]) => keys.some((_, i) => skip.has(keys.slice(0, i + 1).join('.')));
  const claims = read.claims.filter((c) => !skipped(c));
  const uses = (read.uses ?? []).filter((u) => !skipped(literalPrefix(u.path)));
  const exact = read.exact ?? true;
  const json = (read.json ?? false) || read.claims.length > 0;
  // Every JSON path the code reads is set by the actor's own context: nothing left to forge.
  if (json && exact && read.claims.length > 0 && claims.length === 0 && uses.every((u) => literalPrefix(u.path).length > 0)) return [];
  const r: Required<ForgeableRead> = { name: read.name, claims, uses, json, exact };
  const out: ForgedValue[] = [];
  const seen = new Set<string>();
  const add = (v: ForgedValue) => {
    const key = `${v.merge ? 'm' : 'v'}${v.value}`;
    if (seen.has(key) || out.length >= MAX_FORGED) return;
    seen.add(key);
    out.push(v);
  };
  if (json || !exact) for (const v of jsonValues(r, options)) add(v);
  if (!json || !exact) for (const v of scalarValues(r)) add(v);
  return out;
}

function literalPrefix(path: readonly JsonStep[]): string[] {
  const keys: string[] = [];
  for (const s of path) {
    if (s.kind !== 'key') break;
    keys.push(s.key);
  }
  return keys;
}

// ---- scalar settings ----

function scalarValues(read: Required<ForgeableRead>): ForgedValue[] {
  const out: ForgedValue[] = [];
  for (const u of read.uses) {
    if (u.path.some((s) => s.kind !== 'element')) continue;
    for (const literal of literalsOf(u.test)) out.push({ value: literal, describe: `${read.name} = '${literal}', a value the policy code compares it with`, json: false });
  }
  out.push(
    { value: PLACEHOLDERS.victimTenant, describe: `${read.name} = the victim tenant's id`, json: false },
    { value: PLACEHOLDERS.victimPrincipal, describe: `${read.name} = the victim principal's id`, json: false },
  );
  if (read.uses.some((u) => u.path.some((s) => s.kind === 'element'))) {
    out.push({ value: `${PLACEHOLDERS.ownTenant},${PLACEHOLDERS.victimTenant}`, describe: `${read.name} = a list of the actor's and the victim's tenant ids`, json: false });
  }
  for (const word of ROLE_WORDS) out.push({ value: word, describe: `${read.name} = '${word}', a role-ish word`, json: false });
  return out;
}

function literalsOf(test: SettingTest): string[] {
  return test.kind === 'equals' || test.kind === 'contains' ? test.literals : [];
}

// ---- JSON settings ----

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

function jsonValues(read: Required<ForgeableRead>, subject: ForgeOptions): ForgedValue[] {
  const out: ForgedValue[] = [];
  const own = parseJson(subject.ownValue);
  const ids = ownIds(subject);
  if (own !== undefined && ids.size > 0) {
    const swapped = swapIds(own, ids);
    if (JSON.stringify(swapped) !== JSON.stringify(own))
      out.push(doc(swapped, `${read.name}: the actor's own value with every own tenant or principal id replaced by the victim's`));
    const widened = addVictim(own, ids);
    if (JSON.stringify(widened) !== JSON.stringify(own)) out.push(doc(widened, `${read.name}: the actor's own value with keys and elements added for the victim`));
  }
  const shapes = read.uses.flatMap((u) => shapesOf(u.path, u.test));
  if (shapes.length > 0) {
    // One value that satisfies every use at once (policies AND their tests), then each shape alone.
    const all = read.uses.map((u) => shapesOf(u.path, u.test)[0]).filter((s): s is Shape => s !== undefined);
    if (all.length > 1)
      out.push(
        doc(
          all.reduce<Json>((acc, s) => merge(acc, s.doc), null),
          `${read.name}: every value shape the policy code reads, at once`,
          true,
        ),
      );
    if (own !== undefined && isObject(own)) for (const s of shapes) out.push(doc(merge(own, s.doc), `${read.name}: the actor's own value with ${s.describe}`));
    for (const s of shapes) out.push(doc(s.doc, `${read.name}: ${s.describe}`, true));
  }
  // Each claim read (also from text, when the code did not parse): the victim's ids, then role-ish words.
  for (const [placeholder, whose] of VICTIMS)
    for (const path of read.claims)
      out.push(
        doc(
          build(
            path.map((key) => ({ kind: 'key', key })),
            placeholder,
          ),
          `${read.name}: ${path.join('.')} = the victim ${whose}'s id`,
          true,
        ),
      );
  for (const word of ROLE_WORDS) {
    const claims = read.claims.reduce<Json>(
      (acc, path) =>
        merge(
          acc,
          build(
            path.map((key) => ({ kind: 'key', key })),
            word,
          ),
        ),
      null,
    );
    if (read.claims.length > 0) out.push(doc(claims, `${read.name}: ${read.claims.map((c) => c.join('.')).join(', ')} = '${word}'`, true));
  }
  // Nothing in the code says how the JSON is read: objects keyed, and arrays listing, the victim's ids.
  if (shapes.length === 0 && read.claims.length === 0) {
    for (const [placeholder, whose] of VICTIMS) {
      out.push(doc({ [placeholder]: ['read', 'write', 'admin', 'owner'] }, `${read.name}: an object keyed by the victim ${whose}'s id`, true));
      out.push(doc([placeholder], `${read.name}: a list holding the victim ${whose}'s id`));
    }
  }
  return out;
}

const VICTIMS: Array<[string, string]> = [
  [PLACEHOLDERS.victimTenant, 'tenant'],
  [PLACEHOLDERS.victimPrincipal, 'principal'],
];

/** A JSON value; `merge` only for objects (`current || array` would change the value's shape). */
function doc(value: Json, describe: string, mergeable = false): ForgedValue {
  return { value: JSON.stringify(value), describe, json: true, ...(mergeable && isObject(value) ? { merge: true } : {}) };
}

interface Shape {
  doc: Json;
  describe: string;
}

/** Documents that pass one use: the path built as nested objects and arrays, the tested value at its end. */
function shapesOf(path: readonly JsonStep[], test: SettingTest): Shape[] {
  // The whole value merely read (assigned to a variable, passed on): no shape to build.
  if (test.kind === 'read' && path.length === 0) return [];
  const where = path.length === 0 ? 'the value' : `the value at${path.map(stepText).join('')}`;
  return leavesOf(test).flatMap((leaf) => {
    // A computed key (`-> group_id::text`) may be the tenant's id or the principal's: one document each.
    const keyings = keyVariants(path);
    return keyings.map((keys) => ({ doc: build(path, leaf.value, keys), describe: `${where} ${leaf.describe}${keys.note}` }));
  });
}

interface Leaf {
  value: Json;
  describe: string;
}

function leavesOf(test: SettingTest): Leaf[] {
  switch (test.kind) {
    case 'equals':
      return test.literals.map((l) => ({ value: l, describe: `= '${l}'` }));
    case 'compared':
      return sourcePlaceholders(test.with).map(([p, whose]) => ({ value: p, describe: `= ${whose}` }));
    case 'contains':
      if (test.operator === '@>') return test.literals.map((l) => ({ value: parseJson(l) ?? l, describe: `containing ${l}` }));
      return [{ value: test.literals, describe: `containing ${test.literals.map((l) => `'${l}'`).join(', ')}` }];
    case 'has-key':
      return sourcePlaceholders(test.source).map(([p, whose]) => ({ value: [p], describe: `holding ${whose}` }));
    case 'read':
      return [{ value: PLACEHOLDERS.victimTenant, describe: "= the victim tenant's id" }];
    case 'null-test':
      return [];
  }
}

/** What stands for a value compared with the setting: a victim's id for row data, the actor's own for its context. */
function sourcePlaceholders(source: ValueSource): Array<[Json, string]> {
  switch (source.kind) {
    case 'literal':
      return [[source.value, `'${source.value}'`]];
    case 'setting':
    case 'call':
      return [
        [PLACEHOLDERS.ownPrincipal, "the actor's own principal id"],
        [PLACEHOLDERS.ownTenant, "the actor's own tenant id"],
      ];
    default:
      return [
        [PLACEHOLDERS.victimTenant, "the victim tenant's id"],
        [PLACEHOLDERS.victimPrincipal, "the victim principal's id"],
      ];
  }
}

interface Keying {
  /** Placeholder for each computed key in the path, in order. */
  keys: string[];
  note: string;
}

function keyVariants(path: readonly JsonStep[]): Keying[] {
  const computed = path.filter((s): s is Extract<JsonStep, { kind: 'key-from' }> => s.kind === 'key-from');
  if (computed.length === 0) return [{ keys: [], note: '' }];
  const first = sourcePlaceholders(computed[0]!.source);
  return first.map(([p, whose], i) => {
    const alternatives = computed.map((c) => String(sourcePlaceholders(c.source)[i]?.[0] ?? p));
    return { keys: alternatives, note: `, keyed by ${whose}` };
  });
}

function stepText(s: JsonStep): string {
  switch (s.kind) {
    case 'key':
      return ` -> '${s.key}'`;
    case 'index':
      return ` -> ${s.index}`;
    case 'key-from':
      return ` -> ${s.source.kind === 'column' || s.source.kind === 'parameter' || s.source.kind === 'call' ? s.source.name : s.source.kind}`;
    case 'element':
      return '[*]';
    case 'keys':
      return ' keys';
  }
}

/** A document with `leaf` at `path`. */
function build(path: readonly JsonStep[], leaf: Json, keying: Keying = { keys: [], note: '' }): Json {
  let computed = keying.keys.length;
  let value = leaf;
  for (let i = path.length - 1; i >= 0; i--) {
    const s = path[i]!;
    switch (s.kind) {
      case 'key':
        value = { [s.key]: value };
        break;
      case 'index':
        value = [...Array.from({ length: Math.max(0, s.index) }, () => value), value];
        break;
      case 'key-from':
        value = { [keying.keys[--computed] ?? PLACEHOLDERS.victimTenant]: value };
        break;
      case 'element':
        value = [value];
        break;
      case 'keys':
        value = typeof value === 'string' ? { [value]: true } : { [PLACEHOLDERS.victimTenant]: value };
        break;
    }
  }
  return value;
}

function isObject(v: Json | undefined): v is { [key: string]: Json } {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** Deep merge: objects key by key, arrays united, otherwise `b` wins. */
function merge(a: Json, b: Json): Json {
  if (isObject(a) && isObject(b)) {
    const out: { [key: string]: Json } = { ...a };
    for (const [k, v] of Object.entries(b)) out[k] = k in a ? merge(a[k]!, v) : v;
    return out;
  }
  if (Array.isArray(a) && Array.isArray(b)) {
    const out = [...a];
    for (const v of b) if (!out.some((x) => JSON.stringify(x) === JSON.stringify(v))) out.push(v);
    return out;
  }
  return b;
}

function parseJson(text: string | null | undefined): Json | undefined {
  if (text === null || text === undefined || text === '') return undefined;
  try {
    return JSON.parse(text) as Json;
  } catch {
    return undefined;
  }
}

/** The actor's own ids (and their placeholders) mapped to the victim's placeholders. */
function ownIds(subject: ForgeOptions): Map<string, string> {
  const m = new Map<string, string>([
    [PLACEHOLDERS.ownTenant, PLACEHOLDERS.victimTenant],
    [PLACEHOLDERS.ownPrincipal, PLACEHOLDERS.victimPrincipal],
  ]);
  if (subject.ownPrincipal) m.set(subject.ownPrincipal, PLACEHOLDERS.victimPrincipal);
  // Where tenant and principal are the same id, the tenant wins: tenancy is what isolation is about.
  if (subject.ownTenant) m.set(subject.ownTenant, PLACEHOLDERS.victimTenant);
  return m;
}

function swapIds(v: Json, ids: ReadonlyMap<string, string>): Json {
  if (typeof v === 'string') return ids.get(v) ?? v;
  if (Array.isArray(v)) return v.map((x) => swapIds(x, ids));
  if (isObject(v)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [ids.get(k) ?? k, swapIds(x, ids)]));
  return v;
}

function addVictim(v: Json, ids: ReadonlyMap<string, string>): Json {
  if (Array.isArray(v)) {
    const out = v.map((x) => addVictim(x, ids));
    for (const x of v) if (typeof x === 'string' && ids.has(x) && !out.includes(ids.get(x)!)) out.push(ids.get(x)!);
    return out;
  }
  if (isObject(v)) {
    const out: { [key: string]: Json } = {};
    for (const [k, x] of Object.entries(v)) out[k] = addVictim(x, ids);
    for (const [k, x] of Object.entries(v)) if (ids.has(k) && !(ids.get(k)! in out)) out[ids.get(k)!] = swapIds(x, ids);
    return out;
  }
  return v;
}

export interface ForgeIds {
  victimTenant: string;
  victimPrincipal: string;
  ownTenant: string;
  ownPrincipal: string;
}

/** A forged value with the ids of one world in place of its placeholders (escaped for JSON in a JSON value). */
export function fillForged(value: ForgedValue, ids: ForgeIds): string {
  const text = (id: string) => (value.json ? JSON.stringify(id).slice(1, -1) : id);
  return value.value
    .replaceAll(PLACEHOLDERS.victimTenant, text(ids.victimTenant))
    .replaceAll(PLACEHOLDERS.victimPrincipal, text(ids.victimPrincipal))
    .replaceAll(PLACEHOLDERS.ownTenant, text(ids.ownTenant))
    .replaceAll(PLACEHOLDERS.ownPrincipal, text(ids.ownPrincipal));
}
