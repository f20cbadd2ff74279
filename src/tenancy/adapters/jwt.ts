/**
 * JWT claims, as PostgREST and Supabase write them: the whole claims object
 * as JSON in one setting (`request.jwt.claims`), and with `perClaim` also
 * each top-level claim in `request.jwt.claim.<name>`, as older versions did.
 * The claims default to sub = $principal, role = $role and exp an hour ahead;
 * `claim` names where the tenant id goes.
 */
import type { ActorConfig, JwtContext } from '../../config/schema.js';
import type { EnterStep } from '../steps.js';
import { mentions } from '../template.js';
import type { ContextAdapter } from './types.js';

export const DEFAULT_CLAIMS: Readonly<Record<string, unknown>> = { sub: '$principal', role: '$role', exp: '$exp' };

export function jwtClaims(jwt: JwtContext): Record<string, unknown> {
  const claims: Record<string, unknown> = { ...DEFAULT_CLAIMS, ...structuredClone(jwt.claims ?? {}) };
  if (jwt.claim) setPath(claims, jwt.claim.split('.'), '$tenant');
  return claims;
}

export function jwtAdapter(actor: ActorConfig): ContextAdapter {
  const jwt = actor.context!.jwt!;
  const claims = jwtClaims(jwt);
  const perClaimSetting = (name: string) => `request.jwt.claim.${name}`;
  const steps: EnterStep[] = [{ kind: 'set', name: jwt.setting, value: { json: claims }, local: true }];
  if (jwt.perClaim) {
    for (const [name, value] of Object.entries(claims)) {
      if (typeof value === 'string') steps.push({ kind: 'set', name: perClaimSetting(name), value: { text: value }, local: true });
    }
  }
  const carriers = paths(claims).filter((p) => mentions(p.value, 'tenant') || mentions(p.value, 'principal') || mentions(p.value, 'session'));
  return {
    kind: 'jwt',
    steps: (mode) => (mode === 'unset' ? [] : steps),
    writes: {
      settings: steps.map((s) => (s.kind === 'set' ? s.name.toLowerCase() : '')).filter(Boolean),
      jwt: { setting: jwt.setting.toLowerCase(), claims: carriers.map((p) => p.path) },
      rolePerTenant: false,
      sessionLevel: [],
      trusted: actor.context?.trustedSettings ?? [],
    },
  };
}

function paths(value: unknown, prefix: string[] = []): Array<{ path: string[]; value: unknown }> {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) return Object.entries(value).flatMap(([k, v]) => paths(v, [...prefix, k]));
  return [{ path: prefix, value }];
}

function setPath(target: Record<string, unknown>, path: string[], value: string): void {
  let node = target;
  path.forEach((key, i) => {
    if (i === path.length - 1) node[key] = value;
    else {
      const next = node[key];
      node = (next !== null && typeof next === 'object' ? next : (node[key] = {})) as Record<string, unknown>;
    }
  });
}
