/**
 * What the catalog says about custom settings: which a policy or function
 * reads (through which calls, as JSON or not, and how the code uses each
 * value), which a function writes, and the relations read through calls.
 * Part of the catalog model (types.ts re-exports it); read from parse trees
 * by src/catalog/sql.
 */

export interface SettingRead {
  /** The setting name, lower-case (settings are case-insensitive). */
  name: string;
  /** The function whose body reads it, or null for the expression itself. */
  via: string | null;
  /** JSON paths read from the setting's value (`->>` chains), e.g. [['org_id']]. */
  claims: string[][];
  /**
   * The functions called, outermost first, from the reading expression down
   * to `via` (its last element); empty for a read in the expression itself.
   * The shortest such chain when several lead to the same `via`.
   */
  chain: string[];
  /** The value is read as JSON (cast to json/jsonb, or JSON operators applied). */
  json: boolean;
  /** How the code uses the value: what it is compared with, which JSON paths, which containment tests. */
  uses: SettingUse[];
  /** False when the reading code could not be parsed and the read was found in its text: its uses are unknown. */
  exact: boolean;
}

/** Where a value the code compares a setting with (or keys it by) comes from. */
export type ValueSource =
  /** A column: of the policy's row, or of a table the query reads. */
  | { kind: 'column'; name: string }
  /** The enclosing function's parameter (1-based position) that no call site resolved. */
  | { kind: 'parameter'; name: string; position: number }
  /** Another setting's value, at a JSON path (the JWT's `sub`: the principal). */
  | { kind: 'setting'; name: string; path: string[] }
  /** The result of a function call, by the name written. */
  | { kind: 'call'; name: string }
  | { kind: 'literal'; value: string }
  | { kind: 'other' };

/** One step from a setting's value into it. */
export type JsonStep =
  | { kind: 'key'; key: string }
  | { kind: 'index'; index: number }
  /** A key computed at run time: `-> group_id::text` (the object is keyed by a row's column). */
  | { kind: 'key-from'; source: ValueSource }
  /** Each element of an array (jsonb_array_elements, string_to_array, = ANY). */
  | { kind: 'element' }
  /** The keys of an object (jsonb_object_keys). */
  | { kind: 'keys' };

export type SettingTest =
  /** Compared with literals: `= 'admin'`, `IN ('owner', 'admin')`, `<> 'off'`. */
  | { kind: 'equals'; literals: string[] }
  /** Compared with a value that is not a literal: a column, a parameter, another setting, a call. */
  | { kind: 'compared'; with: ValueSource }
  /** JSON containment of literals: `? 'read'`, `?| array['a']`, `@> '{"role": "admin"}'` (the JSON text). */
  | { kind: 'contains'; operator: '?' | '?|' | '?&' | '@>'; literals: string[] }
  /** Key existence by a run-time value: `? group_id::text`. */
  | { kind: 'has-key'; source: ValueSource }
  | { kind: 'null-test' }
  /** Any other use (returned, passed on, cast and compared in a way not modelled). */
  | { kind: 'read' };

/** One use of a setting's value: the JSON steps taken into it, then what is tested. */
export interface SettingUse {
  path: JsonStep[];
  test: SettingTest;
  /**
   * The value is only a fallback: a later COALESCE argument, used when these
   * settings (read in the earlier arguments) are unset. Absent when none.
   */
  fallbackOf?: string[];
}

/** A custom setting a function writes (set_config, SET). */
export interface SettingWrite {
  name: string;
  /** The function whose body writes it. */
  via: string;
  /** From the function itself down to `via`. */
  chain: string[];
  /** Transaction-local (set_config(..., true), SET LOCAL); null when not a literal. */
  local: boolean | null;
}

/** A relation read through the functions an expression calls. */
export interface RelationRead {
  relation: string;
  /** The functions called, outermost first, down to the one whose body reads it. */
  chain: string[];
}
