import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { sql, type ConnectionPool } from '@databases/pg';
import { validateConfig, unwrapConfig } from '../config/load.js';
import { openPool } from '../db/pool.js';
import { adapterFor } from './adapters/index.js';
import { stepToPlpgsql, stepToSql } from './steps.js';

// Every adapter's steps, run on the server: the settings they write are what the application writes.

const actor = (context: unknown) => unwrapConfig(validateConfig({ actors: [{ name: 'a', role: 'r', login: 'l', expect: 'tenant', context }] }, 't')).actors[0]!;
const subject = { tenant: 'ten-1', principal: 'usr-1', login: 'l', role: 'r', session: 'ses-1' };
let db: ConnectionPool;
beforeAll(async () => {
  db = await openPool({ connectionString: inject('serverUrl'), poolSize: 1, warm: 1 });
});
afterAll(async () => db?.dispose());

/** Runs the steps in a rolled-back transaction, both as plain SQL and as the runner's PL/pgSQL, and reads the settings back. */
async function settingsAfter(context: unknown, names: string[]): Promise<{ sql: Record<string, string>; plpgsql: Record<string, string> }> {
  const steps = adapterFor(actor(context)).steps('context') ?? [];
  const out = { sql: {}, plpgsql: {} } as { sql: Record<string, string>; plpgsql: Record<string, string> };
  await db.tx(async (tx) => {
    for (const s of steps.flatMap((x) => stepToSql(x, subject))) await tx.query(sql.__dangerous__rawValue(s));
    out.sql = Object.fromEntries(await Promise.all(names.map(async (n) => [n, ((await tx.query(sql`select current_setting(${n}, true) as v`))[0]!.v as string) ?? ''])));
    throw new Error('rollback');
  }).catch((e) => { if ((e as Error).message !== 'rollback') throw e; });
  await db.tx(async (tx) => {
    const body = `declare v_tenant text := 'ten-1'; v_principal text := 'usr-1'; v_login text := 'l'; v_role text := 'r'; v_session text := 'ses-1'; v_statements text[] := '{}'; v_statement text; begin ${steps.map(stepToPlpgsql).join('\n')} end`;
    await tx.query(sql.__dangerous__rawValue(`do $tp$ ${body} $tp$`));
    out.plpgsql = Object.fromEntries(await Promise.all(names.map(async (n) => [n, ((await tx.query(sql`select current_setting(${n}, true) as v`))[0]!.v as string) ?? ''])));
    throw new Error('rollback');
  }).catch((e) => { if ((e as Error).message !== 'rollback') throw e; });
  return out;
}

describe('context adapters on the server', () => {
  it('setting: the value with its placeholders, transaction-local or session-level alike', async () => {
    const r = await settingsAfter({ setting: [{ name: 'app.tenant', value: 'org-$tenant' }, { name: 'app.user', value: '$principal', scope: 'session' }] }, ['app.tenant', 'app.user']);
    expect(r.sql).toEqual({ 'app.tenant': 'org-ten-1', 'app.user': 'usr-1' });
    expect(r.plpgsql).toEqual(r.sql);
  });

  it('jwt: the claims object with sub, role and exp, and the per-claim settings older versions read', async () => {
    const r = await settingsAfter({ jwt: { claim: 'app.org', claims: { aud: 'authenticated' }, perClaim: true } }, ['request.jwt.claims', 'request.jwt.claim.sub', 'request.jwt.claim.role']);
    const claims = JSON.parse(r.sql['request.jwt.claims']!) as Record<string, unknown>;
    expect(claims).toMatchObject({ sub: 'usr-1', role: 'r', aud: 'authenticated', app: { org: 'ten-1' } });
    expect(typeof claims.exp).toBe('number');
    expect((claims.exp as number) * 1000).toBeGreaterThan(Date.now());
    expect(r.sql['request.jwt.claim.sub']).toBe('usr-1');
    expect(r.sql['request.jwt.claim.role']).toBe('r');
    expect(JSON.parse(r.plpgsql['request.jwt.claims']!)).toMatchObject({ sub: 'usr-1', app: { org: 'ten-1' } });
  });

  it('session: the session row\'s key in the setting', async () => {
    const r = await settingsAfter({ session: { relation: 'app.sessions', principalColumn: 'user_id', setting: 'jwt.claims.session_id' } }, ['jwt.claims.session_id']);
    expect(r.sql).toEqual({ 'jwt.claims.session_id': 'ses-1' });
    expect(r.plpgsql).toEqual(r.sql);
  });

  it('sql: placeholders become quoted literals', async () => {
    const r = await settingsAfter({ sql: "select set_config('x.t', $tenant || ':' || $principal, true)" }, ['x.t']);
    expect(r.sql).toEqual({ 'x.t': 'ten-1:usr-1' });
    expect(r.plpgsql).toEqual(r.sql);
  });

  it('what each adapter writes, for the lint and the forging probes', () => {
    expect(adapterFor(actor({ setting: { name: 'App.Tenant', scope: 'session' } })).writes).toMatchObject({ settings: ['app.tenant'], sessionLevel: ['app.tenant'] });
    expect(adapterFor(actor({ jwt: { perClaim: true } })).writes.settings).toEqual(['request.jwt.claims', 'request.jwt.claim.sub', 'request.jwt.claim.role', 'request.jwt.claim.exp']);
    expect(adapterFor(actor({ rolePerTenant: { column: 'db_user' } })).writes).toMatchObject({ settings: [], rolePerTenant: true });
    // A pre-request function runs last, and what it writes is not trusted unless declared.
    const pre = adapterFor(actor({ jwt: {}, preRequest: 'api.check_request' }));
    expect(pre.steps('context')!.at(-1)).toEqual({ kind: 'call', fn: 'api.check_request' });
    expect(pre.writes.settings).toEqual(['request.jwt.claims']);
  });
});
