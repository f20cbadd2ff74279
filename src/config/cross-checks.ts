/**
 * The config's cross-key checks: what one key cannot say alone (duplicate actor names, a context
 * without a subject placeholder, an accepted finding naming an unknown rule). They run even when
 * other keys failed, so every mistake is reported at once; the value may then be partly unparsed,
 * hence the defensive reads.
 */
import type { z } from 'zod';
import { RULE_IDS } from '../lint/rule-ids.js';
import { DYNAMIC_RULE_IDS } from '../probes/ids.js';
import { TENANT_PLACEHOLDER } from './placeholders.js';

export const CONTEXT_KINDS = ['setting', 'jwt', 'session', 'rolePerTenant', 'roleTemplate', 'sql', 'statements'] as const;
type Loose = Record<string, unknown>;
const asObj = (v: unknown): Loose | undefined => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Loose) : undefined);
const asArr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const asStr = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

export function crossChecks(raw: unknown, ctx: z.RefinementCtx): void {
  const c = asObj(raw) ?? {};
  const names = new Set<string>();
  asArr(c.actors).forEach((a, i) => {
    const actor = asObj(a);
    const name = asStr(actor?.name);
    if (!actor || name === undefined) return;
    if (names.has(name))
      ctx.addIssue({ code: 'custom', path: ['actors', i, 'name'], message: `duplicate actor name "${name}"`, params: { fix: 'give every actor a distinct name' } });
    names.add(name);
    checkContext(actor, name, i, ctx);
  });
  asArr(c.globalTables).forEach((g, i) => {
    for (const actor of Object.keys(asObj(asObj(g)?.access) ?? {})) {
      if (!names.has(actor))
        ctx.addIssue({
          code: 'custom',
          path: ['globalTables', i, 'access', actor],
          message: `unknown actor "${actor}"`,
          params: { fix: suggest(actor, [...names], `use one of the actor names: ${[...names].join(', ')}`) },
        });
    }
  });
  asArr(c.sharedRows).forEach((s, i) => {
    const row = asObj(s);
    if (row && (row.policy === undefined) === (row.predicate === undefined))
      ctx.addIssue({
        code: 'custom',
        path: ['sharedRows', i],
        message: 'needs exactly one of policy or predicate',
        params: { fix: 'name the sharing policy (policy: "...") or the row predicate (predicate: "...")' },
      });
  });
  const lint = asObj(c.lint);
  for (const id of Object.keys(asObj(lint?.rules) ?? {})) {
    if (!(RULE_IDS as readonly string[]).includes(id))
      ctx.addIssue({ code: 'custom', path: ['lint', 'rules', id], message: `unknown rule "${id}"`, params: { fix: suggest(id, RULE_IDS, 'use a rule id from the docs') } });
  }
  asArr(lint?.ignore).forEach((g, i) => checkAcceptedRule(g, ['lint', 'ignore', i, 'rule'], RULE_IDS, ctx));
  asArr(c.accept).forEach((g, i) => checkAcceptedRule(g, ['accept', i, 'rule'], [...RULE_IDS, ...DYNAMIC_RULE_IDS], ctx));
  asArr(c.platformRoles).forEach((p, i) => {
    const role = asStr(asObj(p)?.role);
    if (role !== undefined && asArr(c.actors).some((a) => asStr(asObj(a)?.role) === role && asObj(a)?.expect !== 'all'))
      ctx.addIssue({
        code: 'custom',
        path: ['platformRoles', i, 'role'],
        message: `"${role}" is the role of an actor that must not see every tenant`,
        params: { fix: 'list only roles that bypass row level security by design' },
      });
  });
  const principals = asObj(asObj(c.probes)?.principalsPerWorld);
  if (principals && typeof principals.min === 'number' && typeof principals.max === 'number' && principals.min > principals.max)
    ctx.addIssue({
      code: 'custom',
      path: ['probes', 'principalsPerWorld'],
      message: `min (${principals.min}) is greater than max (${principals.max})`,
      params: { fix: 'make min <= max, both between 1 and 8' },
    });
  const world = asObj(asObj(c.probes)?.tenantsPerWorld);
  if (world && typeof world.min === 'number' && typeof world.max === 'number' && world.min > world.max)
    ctx.addIssue({
      code: 'custom',
      path: ['probes', 'tenantsPerWorld'],
      message: `min (${world.min}) is greater than max (${world.max})`,
      params: { fix: 'make min <= max, both between 2 and 6' },
    });
  const naming = asObj(asObj(c.conventions)?.naming);
  for (const key of ['relation', 'column'] as const) {
    const pattern = asStr(naming?.[key]);
    if (pattern === undefined) continue;
    try {
      new RegExp(pattern);
    } catch (e) {
      ctx.addIssue({
        code: 'custom',
        path: ['conventions', 'naming', key],
        message: `not a valid regular expression (${(e as Error).message})`,
        params: { fix: 'write a JavaScript regular expression, without slashes' },
      });
    }
  }
}

function checkAcceptedRule(g: unknown, path: Array<string | number>, ids: readonly string[], ctx: z.RefinementCtx): void {
  const rule = asStr(asObj(g)?.rule);
  if (rule !== undefined && !ids.includes(rule))
    ctx.addIssue({ code: 'custom', path, message: `unknown rule "${rule}"`, params: { fix: suggest(rule, ids, 'use a rule id from the docs') } });
}

function checkContext(actor: Loose, name: string, i: number, ctx: z.RefinementCtx): void {
  const path = ['actors', i, 'context'];
  const context = asObj(actor.context);
  if (!context) {
    if (actor.expect === 'tenant' && actor.context === undefined)
      ctx.addIssue({
        code: 'custom',
        path,
        message: `actor "${name}" expects 'tenant' but has no context`,
        params: { fix: `add context: { sql: "select set_config('app.tenant_id', ${TENANT_PLACEHOLDER}, true)" } (or setting, jwt, session, rolePerTenant, statements)` },
      });
    return;
  }
  const kinds = CONTEXT_KINDS.filter((k) => context[k] !== undefined);
  if (kinds.length !== 1) {
    ctx.addIssue({
      code: 'custom',
      path,
      message: kinds.length === 0 ? 'names no way to enter a context' : `names ${kinds.join(' and ')}: only one is allowed`,
      params: { fix: `keep exactly one of ${CONTEXT_KINDS.join(', ')} (preRequest may come with any of them)` },
    });
    return;
  }
  const sqlParts = [context.sql].flat().filter((s): s is string => typeof s === 'string');
  if (context.sql !== undefined && sqlParts.length > 0 && !SUBJECT_PLACEHOLDERS.some((p) => sqlParts.join('\n').includes(p)))
    ctx.addIssue({
      code: 'custom',
      path: [...path, 'sql'],
      message: `does not contain a ${SUBJECT_PLACEHOLDERS.join(', ')} placeholder`,
      params: { fix: `write ${TENANT_PLACEHOLDER} where the tenant id goes, e.g. select set_config('app.tenant_id', ${TENANT_PLACEHOLDER}, true)` },
    });
  const template = asStr(context.roleTemplate) ?? asStr(asObj(context.rolePerTenant)?.template);
  if (template !== undefined && !template.includes(TENANT_PLACEHOLDER))
    ctx.addIssue({
      code: 'custom',
      path: [...path, context.roleTemplate !== undefined ? 'roleTemplate' : 'rolePerTenant'],
      message: `does not contain the ${TENANT_PLACEHOLDER} placeholder`,
      params: { fix: `write the role name with ${TENANT_PLACEHOLDER} for the tenant id, e.g. "tenant_${TENANT_PLACEHOLDER}"` },
    });
}

/** Placeholders that make a context differ between subjects; a context without one enters nobody. */
const SUBJECT_PLACEHOLDERS = [TENANT_PLACEHOLDER, '$principal', '$session'];

/** "did you mean" for a mistyped key or id; falls back to the generic fix. */
export function suggest(input: string, candidates: readonly string[], fallback: string): string {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const c of candidates) {
    const d = levenshtein(input.toLowerCase(), c.toLowerCase());
    if (d < bestDistance) {
      best = c;
      bestDistance = d;
    }
  }
  return best !== undefined && bestDistance <= Math.max(2, Math.floor(input.length / 3)) ? `did you mean "${best}"?` : fallback;
}

function levenshtein(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min((prev[j] ?? 0) + 1, (cur[j - 1] ?? 0) + 1, (prev[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length] ?? 0;
}
