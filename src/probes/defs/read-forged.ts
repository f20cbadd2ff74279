/**
 * read-forged: any session can set any custom setting. For every setting a
 * relation's policies read (through every function they call) that the
 * actor's context does not write and the config does not trust, the actor
 * forges it and reads again (pitfall 18).
 */
import type { Relation, SettingRead } from '../../catalog/types.js';
import { settingMatches } from '../../catalog/expressions.js';
import { quoteLiteral } from '../../sql/text.js';
import type { ActorModel } from '../../tenancy/model.js';
import { forgeValues, type ForgedValue } from '../forge.js';
import { readBlock, readReplay } from '../kit.js';
import type { CheckDraft, ProbeContext, ProbeDefinition } from '../probe.js';

const TEMPLATE_VARS: Record<string, { runner: string; replay: 'victimTenant' | 'victimPrincipal' | 'ownTenant' | 'ownPrincipal' }> = {
  $victim_tenant: { runner: 'v_vt', replay: 'victimTenant' },
  $victim_principal: { runner: 'v_vp', replay: 'victimPrincipal' },
  $own_tenant: { runner: 'v_own', replay: 'ownTenant' },
  $own_principal: { runner: 'v_principal', replay: 'ownPrincipal' },
};

/** The forged value as a SQL expression over runner variables or replay literals. */
export function forgedExpression(setting: string, f: ForgedValue, values: (name: keyof typeof TEMPLATE_VARS) => string): string {
  let expr = quoteLiteral(f.value);
  for (const name of Object.keys(TEMPLATE_VARS) as Array<keyof typeof TEMPLATE_VARS>) if (f.value.includes(name)) expr = `replace(${expr}, '${name}', ${values(name)})`;
  if (f.merge) expr = `(coalesce(nullif(current_setting(${quoteLiteral(setting)}, true), ''), '{}')::jsonb || (${expr})::jsonb)::text`;
  return `set_config(${quoteLiteral(setting)}, ${expr}, true)`;
}

/** The settings `r`'s policies read that this actor can forge, each with the claims its context does not set. */
export function forgeable(cx: ProbeContext, actor: ActorModel, r: Relation): Array<{ read: SettingRead; skipClaims: string[][] }> {
  const writes = actor.adapter.writes;
  const trusted = [...writes.trusted, ...cx.config.tenancy.trustedSettings];
  const seen = new Map<string, { read: SettingRead; skipClaims: string[][] }>();
  for (const policy of r.policies) {
    for (const s of policy.settings) {
      if (!s.name.includes('.') || trusted.some((t) => settingMatches(s.name, t))) continue;
      const own = writes.settings.includes(s.name);
      // The context's own JSON setting: the claims it sets are the context; any other claim is the caller's to write.
      if (own && !(writes.jwt && writes.jwt.setting === s.name)) continue;
      const skipClaims = own ? claimsSet(actor) : [];
      const key = `${s.name}|${JSON.stringify(s.claims)}`;
      if (!seen.has(key)) seen.set(key, { read: s, skipClaims });
    }
  }
  return [...seen.values()].sort((a, b) => (a.read.name < b.read.name ? -1 : a.read.name > b.read.name ? 1 : 0));
}

function claimsSet(actor: ActorModel): string[][] {
  const jwt = actor.config.context?.jwt;
  if (!jwt) return [];
  const out: string[][] = [['sub'], ['role'], ['exp']];
  const walk = (v: unknown, path: string[]) => {
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) for (const [k, x] of Object.entries(v)) walk(x, [...path, k]);
    else out.push(path);
  };
  walk(jwt.claims ?? {}, []);
  if (jwt.claim) out.push(jwt.claim.split('.'));
  return out;
}

export const readForged: ProbeDefinition<'read-forged'> = {
  id: 'read-forged',
  family: 'read',
  severity: 'error',
  title: "A forged custom setting opened other tenants' rows",
  why: "Any session can set any custom setting with set_config; a policy that trusts one the context does not set can be talked into showing other tenants' rows.",
  fix: 'decide with data the actor cannot write: a membership table, a role attribute, or the context the application sets (declare settings a trusted layer sets in trustedSettings)',
  phrase: { tenant: "reads other tenants' rows by forging a setting", none: 'reads tenant rows by forging a setting' },
  checks(cx, actor) {
    if (actor.expect !== 'tenant') return [];
    return cx.relations.filter((p) => p.relation.partitionOf === null).flatMap((p): CheckDraft[] =>
      forgeable(cx, actor, p.relation).flatMap(({ read, skipClaims }) =>
        forgeValues(read, { skipClaims }).flatMap((f): CheckDraft[] => {
          const forge = forgedExpression(read.name, f, (name) => `coalesce(${TEMPLATE_VARS[name]!.runner}, '')`);
          const block = readBlock(cx, p, 'context', [`perform ${forge};`]);
          if (!block) return [];
          return [
            {
              probe: 'read-forged',
              subject: p.relation.qualifiedName,
              mode: 'context',
              describe: `read ${p.relation.qualifiedName} with ${read.name} forged (${f.describe})`,
              block,
              replay: (rc) => [
                `select ${forgedExpression(read.name, f, (name) => quoteLiteral(rc[TEMPLATE_VARS[name]!.replay] ?? ''))};`,
                ...readReplay(cx, p.relation, rc),
              ],
            },
          ];
        }),
      ),
    );
  },
};
