/**
 * Forging that follows the code, shown to work on a real server: on a schema
 * whose policy trusts request.groups (JSON written by a pre-request function),
 * the actor's own context shows only its group's rows, the fixed role-ish
 * words show nothing, and one of the values forgeValues derives from the
 * catalog, written with set_config as the actor, shows another group's rows.
 * The same values change nothing on the policy that checks memberships.
 */
import { sql, type Queryable } from '@databases/pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { catalogOptions, introspect, type SettingRead } from '../src/catalog/index.js';
import { fillForged, forgeValues, type ForgedValue } from '../src/probes/forge.js';
import { fixtureDatabase, rolledBack, type FixtureDatabase } from './lint/support/harness.js';

let fx: FixtureDatabase;
let read: SettingRead;
const ids = { own: '', victim: '', ownUser: '', victimUser: '' };

beforeAll(async () => {
  fx = await fixtureDatabase('json-groups-schema.sql', 'json-groups-schema.config.ts');
  const [own, victim] = (await fx.db.query(sql`insert into api.groups (name) values ('own'), ('victim') returning id`)) as Array<{ id: string }>;
  const [ownUser, victimUser] = (await fx.db.query(sql`insert into api.users (email) values ('own@x.test'), ('victim@x.test') returning id`)) as Array<{ id: string }>;
  Object.assign(ids, { own: own!.id, victim: victim!.id, ownUser: ownUser!.id, victimUser: victimUser!.id });
  await fx.db.query(sql`insert into api.group_members (group_id, user_id, perms) values (${ids.own}, ${ids.ownUser}, '{read,write}'), (${ids.victim}, ${ids.victimUser}, '{read}')`);
  for (const table of ['files', 'files_safe']) {
    await fx.db.query(sql`insert into ${sql.ident('api', table)} (group_id, name) values (${ids.own}, 'mine'), (${ids.victim}, 'secret-1'), (${ids.victim}, 'secret-2')`);
  }
  const catalog = await introspect(fx.db, catalogOptions(fx.config));
  const policy = catalog.relations.find((r) => r.qualifiedName === 'api.files')!.policies.find((p) => p.name === 'files_read')!;
  read = policy.settings.find((s) => s.name === 'request.groups')!;
});
afterAll(async () => {
  await fx?.drop();
});

/**
 * As the actor, in its own context (JWT + pre-request), then `forged` written into request.groups
 * (merged into the current value when it says so, as the runner does): the victim's rows seen.
 */
async function victimRows(table: 'files' | 'files_safe', forged?: string, merge = false): Promise<number> {
  return rolledBack(fx.db, async (tx) => {
    await enterContext(tx);
    if (forged !== undefined && merge) await tx.query(sql`select set_config('request.groups', (coalesce(nullif(current_setting('request.groups', true), ''), '{}')::jsonb || ${forged}::jsonb)::text, true)`);
    else if (forged !== undefined) await tx.query(sql`select set_config('request.groups', ${forged}, true)`);
    try {
      const [row] = (await tx.query(sql`select count(*)::int as n from ${sql.ident('api', table)} where group_id = ${ids.victim}`)) as Array<{ n: number }>;
      return row!.n;
    } catch {
      return 0; // not JSON: the policy errors, no row shown
    }
  });
}

async function enterContext(tx: Queryable): Promise<void> {
  await tx.query(sql`set local role jgfx_authenticated`);
  await tx.query(sql`select set_config('request.jwt.claims', ${JSON.stringify({ sub: ids.ownUser, role: 'authenticated' })}, true)`);
  await tx.query(sql`select api.pre_request()`);
}

async function ownValue(): Promise<string> {
  return rolledBack(fx.db, async (tx) => {
    await enterContext(tx);
    const [row] = (await tx.query(sql`select current_setting('request.groups') as v`)) as Array<{ v: string }>;
    return row!.v;
  });
}

const fill = (v: ForgedValue) => fillForged(v, { victimTenant: ids.victim, victimPrincipal: ids.victimUser, ownTenant: ids.own, ownPrincipal: ids.ownUser });

describe('forged JSON values against PostgreSQL', () => {
  it('the actor\'s own context shows its group only', async () => {
    expect(JSON.parse(await ownValue())).toEqual({ [ids.own]: ['read', 'write'] });
    expect(await victimRows('files')).toBe(0);
  });

  it('fixed scalar values, as the probes forged before, show nothing', async () => {
    for (const v of ['admin', 'uber_admin', 'superuser', 'true', '1', ids.victim]) expect(await victimRows('files', v), v).toBe(0);
  });

  it('a value derived from the catalog shows the victim group\'s rows, and says what it tried', async () => {
    const forged = forgeValues(read, { ownTenant: ids.own, ownPrincipal: ids.ownUser, ownValue: await ownValue() });
    expect(forged.length).toBeGreaterThan(2);
    // Without the own value (the runner learns it only at run time), the merged shape alone must do.
    const blind = forgeValues(read);
    const leaksBlind = [];
    for (const v of blind) if ((await victimRows('files', fill(v), v.merge)) === 2) leaksBlind.push(v.value);
    expect(leaksBlind).toContain('{"$victim_tenant":["read"]}');
    const leaking: ForgedValue[] = [];
    for (const v of forged) if ((await victimRows('files', fill(v), v.merge)) === 2) leaking.push(v);
    expect(leaking.map((v) => v.describe)).toEqual(
      expect.arrayContaining([
        "request.groups: the actor's own value with every own tenant or principal id replaced by the victim's",
        "request.groups: the actor's own value with keys and elements added for the victim",
        "request.groups: the value at -> group_id containing 'read', keyed by the victim tenant's id",
      ]),
    );
  });

  it('the same values change nothing where the policy checks the membership table', async () => {
    const forged = forgeValues(read, { ownTenant: ids.own, ownPrincipal: ids.ownUser, ownValue: await ownValue() });
    for (const v of forged) expect(await victimRows('files_safe', fill(v), v.merge), v.value).toBe(0);
  });
});
