/**
 * What entering a context does, as data: set a setting, call a function, run
 * a statement. An adapter lists steps; this module turns them into PL/pgSQL
 * for the runner and into plain SQL for replays and for the Node side, from
 * the same step, so a check and its replay enter the context alike.
 */
import type { ContextSubject } from '../config/schema.js';
import { quoteLiteral, quoteRelation } from '../sql/text.js';
import { jsonExpression, SUBJECT_FIELDS, SUBJECT_VARIABLE, textExpression, substitute, type Binding } from './template.js';

export type SettingValue = { text: string } | { json: unknown };

export type EnterStep =
  /** set_config(name, value, local): `local` false is a session-level setting (it outlives the transaction). */
  | { kind: 'set'; name: string; value: SettingValue; local: boolean }
  /** perform schema.fn(): a pre-request function. */
  | { kind: 'call'; fn: string }
  /** A statement of the config's, placeholders replaced by quoted literals. */
  | { kind: 'sql'; text: string }
  /** The statements the config's function returns for the subject (computed in Node, run by the runner). */
  | { kind: 'statements' };

function valueExpression(value: SettingValue, binding: Binding): string {
  return 'text' in value ? textExpression(value.text, binding) : `${jsonExpression(value.json, binding)}::text`;
}

/** `schema.fn` -> `schema.fn()`, each part quoted only where needed (the config gives it unquoted). */
function callOf(fn: string): string {
  return `${quoteRelation(fn)}()`;
}

/** The step as PL/pgSQL inside the runner (subject values in v_tenant, v_principal, ...; statements in v_statements). */
export function stepToPlpgsql(step: EnterStep): string {
  switch (step.kind) {
    case 'set':
      return `perform set_config(${quoteLiteral(step.name)}, ${valueExpression(step.value, { kind: 'runner' })}, ${step.local});`;
    case 'call':
      return `perform ${callOf(step.fn)};`;
    case 'sql': {
      let expr = quoteLiteral(step.text);
      for (const f of SUBJECT_FIELDS) if (step.text.includes(`$${f}`)) expr = `replace(${expr}, '$${f}', quote_literal(coalesce(${SUBJECT_VARIABLE[f]}, '')))`;
      return `execute ${expr};`;
    }
    case 'statements':
      return 'foreach v_statement in array v_statements loop execute v_statement; end loop;';
  }
}

/** The step as plain SQL statements for one subject (replays, the Node side). */
export function stepToSql(step: EnterStep, subject: ContextSubject, statements: readonly string[] = []): string[] {
  const binding: Binding = { kind: 'literal', subject };
  switch (step.kind) {
    case 'set':
      return [`select set_config(${quoteLiteral(step.name)}, ${valueExpression(step.value, binding)}, ${step.local})`];
    case 'call':
      return [`select ${callOf(step.fn)}`];
    case 'sql':
      return [substitute(step.text, subject, true)];
    case 'statements':
      return [...statements];
  }
}
