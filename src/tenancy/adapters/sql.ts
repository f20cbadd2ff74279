/**
 * The escape hatches: statements of the config's, with $tenant, $principal,
 * $login, $role and $session replaced by quoted literals, or a function of
 * the config's returning them. What they write is read from the statements.
 */
import type { ActorConfig, ContextSubject } from '../../config/schema.js';
import type { EnterStep } from '../steps.js';
import { substitute } from '../template.js';
import type { ContextAdapter, ContextWrites } from './types.js';

const SAMPLE: ContextSubject = { tenant: '00000000-0000-4000-8000-000000000000', principal: '00000000-0000-4000-8000-000000000001', login: 'login', role: 'role', session: 'session' };

export function sqlAdapter(actor: ActorConfig): ContextAdapter {
  const texts = [actor.context!.sql!].flat();
  const steps: EnterStep[] = texts.map((text) => ({ kind: 'sql', text }));
  return { kind: 'sql', steps: (mode) => (mode === 'unset' ? [] : steps), writes: writesOf(texts.map((t) => substitute(t, SAMPLE, true)), actor) };
}

export function statementsAdapter(actor: ActorConfig): ContextAdapter {
  const fn = actor.context!.statements!;
  let sample: string[] = [];
  try {
    sample = [fn(SAMPLE.tenant, SAMPLE)].flat();
  } catch {
    // A function that cannot run on a sample subject will fail the preflight with its own error.
  }
  return { kind: 'statements', steps: (mode) => (mode === 'unset' ? [] : [{ kind: 'statements' }]), writes: writesOf(sample, actor) };
}

// set_config('name', ...) and SET [LOCAL|SESSION] name = / TO ...
const SET_CONFIG = /set_config\s*\(\s*'((?:[^']|'')+)'\s*,((?:[^()]|\([^()]*\))*?),\s*(\w+)\s*\)/gi;
const SET = /(?:^|;)\s*set\s+(local\s+|session\s+)?("?[a-z_][\w.$"]*)\s*(?:=|to\b)/gi;

/** The settings statements write, and which of them outlive the transaction. */
export function writesOf(statements: readonly string[], actor: ActorConfig): ContextWrites {
  const settings = new Set<string>();
  const sessionLevel = new Set<string>();
  let rolePerTenant = false;
  for (const text of statements) {
    for (const m of text.matchAll(SET_CONFIG)) {
      const name = m[1]!.replaceAll("''", "'").toLowerCase();
      if (name === 'role') {
        rolePerTenant = true;
        continue;
      }
      settings.add(name);
      if (m[3]!.toLowerCase() !== 'true') sessionLevel.add(name);
    }
    for (const m of text.matchAll(SET)) {
      const name = m[2]!.replaceAll('"', '').toLowerCase();
      if (name === 'role') {
        rolePerTenant = true;
        continue;
      }
      settings.add(name);
      if (!m[1] || /session/i.test(m[1])) sessionLevel.add(name);
    }
  }
  return { settings: [...settings].sort(), rolePerTenant, sessionLevel: [...sessionLevel].sort(), trusted: actor.context?.trustedSettings ?? [] };
}
