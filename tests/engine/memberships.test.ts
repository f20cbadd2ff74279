import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkIsolation } from '../../src/engine/isolation.js';
import type { PreparedRun } from '../../src/probes/prepare.js';
import type { TestDatabase } from '../support/database.js';
import { fixtureConfig, fixtureDatabase, noteOf, outcomesOf, prepare, runOne, shape, worldOf } from './support.js';

// Membership tenancy: a principal belongs to several tenants; what it may see is computed in the
// database from the membership rows as they are after the world is written.

let t: TestDatabase;
let ex: PreparedRun;
beforeAll(async () => {
  t = await fixtureDatabase('memberships');
  ex = await prepare(t, await fixtureConfig('memberships'));
});
afterAll(async () => t?.drop());

describe('a principal in two tenants', () => {
  it('sees both tenants\' rows, and no check of it leaks', async () => {
    const s = shape(ex, { tenants: 3, memberships: [[true, true, false]], rows: 2 });
    const w = await runOne(t, ex, s);
    for (const relation of ['mem.notes', 'mem.shared_notes', 'mem.accounts']) {
      expect(outcomesOf(ex, w, relation, 'user', 'read'), relation).toBe('h');
      // Not over-restricted: it saw every row of both its tenants.
      expect(noteOf(w, ex, relation, 'user', 'read'), relation).toBeUndefined();
    }
    expect(w.outcomes).not.toContain('l');
    expect(w.outcomes).not.toContain('c');
    // One principal in this world: the member acts as it once.
    expect(w.binding.groups.get(0)).toHaveLength(1);
  });

  it('is reported when one membership is removed but a policy still shows that tenant', async () => {
    const s = shape(ex, { tenants: 3, memberships: [[true, true, false]], rows: 2 });
    const world = worldOf(ex, s);
    const [a, b] = world.tenants;
    const [p] = world.principals;
    const w = await runOne(t, ex, s, [`delete from mem.account_user where user_id = '${p}' and account_id = '${b}'`]);
    expect(world.memberships).toEqual([{ principal: p, tenant: a }, { principal: p, tenant: b }]);
    // The correct table follows the membership; the one that reads a history of memberships leaks.
    expect(outcomesOf(ex, w, 'mem.notes', 'user', 'read')).toBe('h');
    expect(outcomesOf(ex, w, 'mem.shared_notes', 'user', 'read')).toBe('l');
    // Exactly the removed tenant's two rows: the third tenant's stay hidden.
    expect(noteOf(w, ex, 'mem.shared_notes', 'user', 'read')).toBe('l|2');
  });

  it('a principal with no membership sees nothing and leaks nothing', async () => {
    const s = shape(ex, { tenants: 2, memberships: [[false, false]], rows: 2 });
    const w = await runOne(t, ex, s);
    expect(outcomesOf(ex, w, 'mem.notes', 'user', 'read')).toBe('h');
    expect(outcomesOf(ex, w, 'mem.notes', 'user', 'insert')).toBe('h');
  });
});

describe('check on the membership fixture', () => {
  it('gives no error over several seeds, with reads that held', async () => {
    for (const seed of [1, 2, 3]) {
      const { report } = await checkIsolation(t.db, await fixtureConfig('memberships'), { runs: 6, seed, lint: false });
      expect(report.findings.filter((f) => f.severity === 'error'), `seed ${seed}`).toEqual([]);
      // mem.stamped_notes is only filled when the world writes its rows inside a member's context (a trigger stamps the owner from the JWT).
      expect(report.matrix.filter((m) => m.actor === 'user' && m.probe === 'read' && m.status === 'pass').map((m) => m.relation)).toEqual(expect.arrayContaining(['mem.notes', 'mem.shared_notes', 'mem.stamped_notes']));
      expect(report.notes?.filter((n) => n.startsWith('mem.stamped_notes'))).toEqual([]);
      expect(report.actors?.find((a) => a.name === 'user')).toMatchObject({ login: 'tpe_mem_login', as: 'principal', context: 'jwt' });
    }
  });
});
