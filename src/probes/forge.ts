/**
 * Forged values for a setting a policy trusts and the actor can write
 * itself. Each value is a template: `$victim_tenant`, `$victim_principal`,
 * `$own_tenant` and `$own_principal` stand for ids the runner substitutes in
 * every world. `merge` values are JSON merged into the setting's current
 * value (the actor's own claims stay, the forged keys are added).
 *
 * Interim version: fixed role-ish words and the victim's ids, written into
 * each JSON path the policy code reads. The parse-tree version (issue 13)
 * adds the value shapes found in the policy code.
 */
import type { SettingRead } from '../catalog/types.js';

export interface ForgedValue {
  value: string;
  describe: string;
  merge?: boolean;
}

const WORDS = ['admin', 'uber_admin', 'superuser', 'service_role', 'true', '1'];
const IDS = ['$victim_tenant', '$victim_principal'];

export function forgeValues(read: SettingRead, o: { skipClaims?: readonly string[][] } = {}): ForgedValue[] {
  const skip = new Set((o.skipClaims ?? []).map((p) => p.join('.')));
  const claims = read.claims.filter((c) => !skip.has(c.join('.')));
  if (read.claims.length === 0)
    return [
      ...[...WORDS, ...IDS].map((v) => ({ value: v, describe: `'${v}'` })),
      // A JSON setting keyed or listing ids (`setting::jsonb ? tenant_id::text`).
      ...IDS.flatMap((id) => [
        { value: `{"${id}": ["read", "write", "admin", "owner"]}`, describe: `{"${id}": [...]}` },
        { value: `["${id}"]`, describe: `["${id}"]` },
      ]),
    ];
  if (claims.length === 0) return [];
  return [...WORDS, ...IDS].map((v) => {
    const json: Record<string, unknown> = {};
    for (const path of claims) {
      let node = json;
      path.forEach((k, i) => {
        if (i === path.length - 1) node[k] = v;
        else node = (node[k] ??= {}) as Record<string, unknown>;
      });
    }
    return { value: JSON.stringify(json), describe: `claim${claims.length > 1 ? 's' : ''} ${claims.map((c) => c.join('.')).join(', ')} = '${v}'`, merge: true };
  });
}
