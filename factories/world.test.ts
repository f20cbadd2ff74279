import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { abn, acn, cpf } from 'tenantproof/validators';
import { buildWorld, factories, GLOBAL_TABLES, TABLE_ORDER, TENANT_TABLES, worldSpec } from './index.js';

// The registry without a database: determinism and the graph's consistency.
// (Every property that inserts a world also proves its foreign keys hold.)

describe('factory registry', () => {
  it('has one factory per table, global tables first', () => {
    expect(Object.keys(factories).sort()).toEqual([...TABLE_ORDER].sort());
    expect(TABLE_ORDER.slice(0, GLOBAL_TABLES.length)).toEqual([...GLOBAL_TABLES]);
    expect(TENANT_TABLES[0]).toBe('app.tenants');
  });

  it('the same seed and shape build the same world; another seed another one', () => {
    fc.assert(
      fc.property(worldSpec(), ({ seed, shape }) => {
        const a = buildWorld(seed, shape);
        expect(buildWorld(seed, shape)).toEqual(a);
        expect(buildWorld(seed + 1, shape).tenantIds).not.toEqual(a.tenantIds);
      }),
      { numRuns: 30 },
    );
  });

  it("rows reference rows of their own tenant, and identifiers are valid", () => {
    let checked = 0;
    fc.assert(
      fc.property(worldSpec({ maxPerTable: 4 }), ({ seed, shape }) => {
        const w = buildWorld(seed, shape);
        const tenantOf = (table: string) => new Map(w.rows[table]!.map((r) => [r.id, r.tenant_id]));
        const users = tenantOf('app.users');
        const projects = tenantOf('app.projects');
        const photos = tenantOf('app.photos');
        for (const p of w.rows['app.photos']!) {
          expect(users.get(p.user_id)).toBe(p.tenant_id);
          expect(projects.get(p.project_id)).toBe(p.tenant_id);
          expect(String(p.storage_key).startsWith(`${String(p.tenant_id)}/`)).toBe(true);
          checked++;
        }
        for (const d of w.rows['app.detections']!) expect(photos.get(d.photo_id)).toBe(d.tenant_id);
        for (const pt of w.rows['app.photo_tags']!) expect(photos.get(pt.photo_id)).toBe(pt.tenant_id);
        for (const c of w.rows['app.companies']!) {
          expect(abn.isValid(String(c.abn), { mode: 'strict' })).toBe(true);
          if (c.acn !== null) expect(acn.isValid(String(c.acn), { mode: 'strict' })).toBe(true);
        }
        for (const c of w.rows['app.clients']!) expect(cpf.isValid(String(c.cpf), { mode: 'strict' })).toBe(true);
        // A row is skipped only when its parents are missing or its key repeats.
        expect(w.rows['app.tenants']!.map((t) => t.id)).toEqual(w.tenantIds);
      }),
      { numRuns: 50 },
    );
    expect(checked).toBeGreaterThan(0);
  });
});
