import { describe, expect, it } from 'vitest';
import { readEnv } from '../env.js';
import { TenantproofError } from '../errors.js';
import { connectWaitMs, openPool } from './pool.js';

describe('how long tenantproof waits for a server', () => {
  it('is PGCONNECT_TIMEOUT seconds, else 10 s (0, as libpq has it, is no reason to wait forever)', () => {
    expect(connectWaitMs({})).toBe(10_000);
    expect(connectWaitMs({ PGCONNECT_TIMEOUT: '3' })).toBe(3_000);
    expect(connectWaitMs({ PGCONNECT_TIMEOUT: '0.5' })).toBe(500);
    expect(connectWaitMs({ PGCONNECT_TIMEOUT: '0' })).toBe(10_000);
    expect(connectWaitMs({ PGCONNECT_TIMEOUT: ' ' })).toBe(10_000);
  });

  it('refuses a PGCONNECT_TIMEOUT that is not a number of seconds, at the edge', () => {
    expect(() => readEnv({ PGCONNECT_TIMEOUT: 'soon' })).toThrow(/PGCONNECT_TIMEOUT: expected a number of seconds/);
    expect(() => readEnv({ PGCONNECT_TIMEOUT: '-1' })).toThrow(TenantproofError);
    expect(readEnv({ PGCONNECT_TIMEOUT: '5' }).PGCONNECT_TIMEOUT).toBe('5');
  });

  it('gives up on a refused server once the wait is over, with the fix', async () => {
    const e = await openPool({ connectionString: 'postgres://someone:secret@127.0.0.1:1/app', waitMs: 1 }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(TenantproofError);
    expect((e as TenantproofError).code).toBe('server-unreachable');
    expect((e as Error).message).not.toMatch(/secret/);
  });
});
