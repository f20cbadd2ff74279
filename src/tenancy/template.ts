/**
 * Values a context writes, as templates over the subject: `$tenant`,
 * `$principal`, `$login`, `$role`, `$session`, and `$exp` (a JWT expiry an
 * hour from now). One template renders two ways from the same code: as a
 * PL/pgSQL expression over the runner's variables (the check), and as a SQL
 * expression over literals (the replay), so the two cannot drift.
 */
import type { ContextSubject } from '../config/schema.js';
import { quoteLiteral } from '../sql/text.js';

export const SUBJECT_FIELDS = ['tenant', 'principal', 'login', 'role', 'session'] as const;
export type SubjectField = (typeof SUBJECT_FIELDS)[number];

/** The runner's PL/pgSQL variable for each subject field. */
export const SUBJECT_VARIABLE: Record<SubjectField, string> = {
  tenant: 'v_tenant',
  principal: 'v_principal',
  login: 'v_login',
  role: 'v_role',
  session: 'v_session',
};

/** A JWT `exp` one hour ahead, evaluated by the server (replays stay byte-stable). */
const EXP_SQL = '(extract(epoch from now())::bigint + 3600)';
const PLACEHOLDER = /\$(tenant|principal|login|role|session)\b/g;

/** How placeholders become SQL: runner variables, or literals of one subject. */
export type Binding = { kind: 'runner' } | { kind: 'literal'; subject: ContextSubject };

function field(binding: Binding, name: SubjectField): string {
  if (binding.kind === 'runner') return SUBJECT_VARIABLE[name];
  return quoteLiteral(binding.subject[name] ?? '');
}

/** A text template as a SQL text expression: `'tenant_' || v_tenant`. */
export function textExpression(template: string, binding: Binding): string {
  if (template === '$exp') return `${EXP_SQL}::text`;
  const parts: string[] = [];
  let last = 0;
  for (const m of template.matchAll(PLACEHOLDER)) {
    if (m.index! > last) parts.push(quoteLiteral(template.slice(last, m.index)));
    parts.push(field(binding, m[1] as SubjectField));
    last = m.index! + m[0].length;
  }
  if (last < template.length || parts.length === 0) parts.push(quoteLiteral(template.slice(last)));
  return parts.length === 1 ? parts[0]! : `(${parts.join(' || ')})`;
}

/** A JSON template (claims) as a jsonb expression built with jsonb_build_object. */
export function jsonExpression(value: unknown, binding: Binding): string {
  if (value === '$exp') return `to_jsonb${EXP_SQL}`;
  if (typeof value === 'string') return `to_jsonb(${textExpression(value, binding)}::text)`;
  if (Array.isArray(value)) return `jsonb_build_array(${value.map((v) => jsonExpression(v, binding)).join(', ')})`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `jsonb_build_object(${entries.map(([k, v]) => `${quoteLiteral(k)}, ${jsonExpression(v, binding)}`).join(', ')})`;
  }
  return `${quoteLiteral(JSON.stringify(value ?? null))}::jsonb`;
}

/** The template with a subject's values written in (for the statements the Node side sends itself). */
export function substitute(template: string, subject: ContextSubject, literal = false): string {
  return template.replace(PLACEHOLDER, (_, name: SubjectField) => (literal ? quoteLiteral(subject[name] ?? '') : (subject[name] ?? '')));
}

/** Does the template depend on this field? */
export function mentions(template: unknown, name: SubjectField): boolean {
  if (typeof template === 'string') return template.includes(`$${name}`);
  if (Array.isArray(template)) return template.some((t) => mentions(t, name));
  if (template !== null && typeof template === 'object') return Object.values(template).some((t) => mentions(t, name));
  return false;
}
