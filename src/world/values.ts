/**
 * Type-driven values for columns no factory fills. Deterministic from the
 * world's random source; unique where a counter is mixed in, so unique keys
 * hold without knowing the schema.
 */
import type { Column, UserType } from '../catalog/types.js';

export type Rng = () => number;

/** mulberry32: tiny, fast and good enough for test data; the same seed gives the same world. */
export function rng(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function uuid(r: Rng): string {
  const hex = Array.from({ length: 32 }, () => Math.floor(r() * 16).toString(16));
  hex[12] = '4';
  hex[16] = ((Math.floor(r() * 4) + 8) as number).toString(16);
  const s = hex.join('');
  return `${s.slice(0, 8)}-${s.slice(8, 12)}-${s.slice(12, 16)}-${s.slice(16, 20)}-${s.slice(20)}`;
}

/**
 * A key of a tenant or principal of type `type` (format_type text): a uuid, a number, or text. Numbers
 * and text carry the world's seed, so that worlds of a run do not collide.
 */
export function typedKey(type: string, r: Rng, i: number, seed: number, kind: 'tenant' | 'principal'): string {
  const base = type.replace(/\(.*$/, '').trim();
  if (base === 'uuid') return uuid(r);
  if (/^(integer|bigint|smallint|numeric|int[248]?)$/.test(base)) return String((kind === 'tenant' ? 1_000_000 : 2_000_000) + (seed % 100_000) * 10 + i);
  return `${kind}_${seed}_${i}`;
}

const ALNUM = 'abcdefghijklmnopqrstuvwxyz0123456789';
const word = (r: Rng, len: number) => Array.from({ length: len }, () => ALNUM[Math.floor(r() * ALNUM.length)]).join('');

/** Declared length of character(n) / character varying(n), if any. */
function typmodLength(type: string): number | null {
  const m = /\((\d+)\)/.exec(type);
  return m ? Number(m[1]) : null;
}

/**
 * A value for the column, or undefined when the type is not one we can make
 * (the column then keeps its default, or the row may be rejected and counted).
 * `n` is unique within the run.
 */
export function fallbackValue(col: Column, r: Rng, n: number, types: ReadonlyMap<string, UserType>): unknown {
  if (col.isArray) return '{}';
  const userType = types.get(`${col.typeSchema}.${col.typeName}`);
  if (userType?.kind === 'enum') return userType.labels[Math.floor(r() * userType.labels.length)];
  const name = userType?.kind === 'domain' && userType.baseType ? userType.baseType.replace(/\(.*$/, '') : col.typeName;
  switch (name) {
    case 'uuid':
      return uuid(r);
    case 'text':
    case 'varchar':
    case 'character varying':
    case 'citext':
    case 'name': {
      const max = typmodLength(col.type) ?? 24;
      return `${word(r, Math.max(1, Math.min(8, max - 4)))}${n}`.slice(-max);
    }
    case 'bpchar':
    case 'character': {
      const len = typmodLength(col.type) ?? 1;
      return word(r, len);
    }
    case 'int2':
    case 'smallint':
      return 1 + (n % 30000);
    case 'int4':
    case 'integer':
    case 'int8':
    case 'bigint':
      return 1 + n;
    case 'numeric':
    case 'decimal':
      return 1 + (n % 1000);
    case 'float4':
    case 'float8':
    case 'real':
    case 'double precision':
      return Math.round(r() * 1000) / 1000;
    case 'bool':
    case 'boolean':
      return r() < 0.5;
    case 'date':
      return isoDay(r);
    case 'timestamptz':
    case 'timestamp':
    case 'timestamp with time zone':
    case 'timestamp without time zone':
      return `${isoDay(r)}T${String(Math.floor(r() * 24)).padStart(2, '0')}:00:00Z`;
    case 'time':
      return '12:00:00';
    case 'interval':
      return '1 day';
    case 'json':
    case 'jsonb':
      return {};
    case 'inet':
    case 'cidr':
      return `10.${Math.floor(r() * 255)}.${Math.floor(r() * 255)}.${1 + Math.floor(r() * 250)}`;
    case 'bytea':
      return '\\x00';
    default:
      return undefined;
  }
}

/** A day within 2024-2026: inside the window a time-partitioned table usually covers. */
function isoDay(r: Rng): string {
  const d = new Date(Date.UTC(2024, 0, 1) + Math.floor(r() * 3 * 365) * 86_400_000);
  return d.toISOString().slice(0, 10);
}
