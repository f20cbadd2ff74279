import { describe, expect, it } from 'vitest';
import { FOREIGN_FOR_WRITE, OWN_ROWS, perRowBlock } from '../../src/probes/runner.js';

// Write checks that pick their rows alike share one read of the snapshot per subject; a choice that
// depends on anything but the subject's tenants is read again by every check.

const caches = (block: string) => [...new Set(block.match(/\bv_cand_[0-9a-z]+_[krwtp]\b/g) ?? [])].sort();
const block = (oids: number[], where: string) => perRowBlock({ oids, where, statement: 'delete from pg_temp.tp_v1', relation: 'x.t' });

describe('candidate rows of a write check', () => {
  it('are shared by checks that pick alike, and only by them', () => {
    const a = caches(block([1, 2], FOREIGN_FOR_WRITE));
    expect(a).toHaveLength(5);
    expect(caches(block([1, 2], FOREIGN_FOR_WRITE))).toEqual(a);
    expect(caches(block([1, 3], FOREIGN_FOR_WRITE))).not.toEqual(a);
    expect(caches(block([1, 2], OWN_ROWS))).not.toEqual(a);
  });

  it('are read again for each check when the choice reads more than the tenants', () => {
    const b = block([1, 2], `s.tenant = v_vt`);
    expect(caches(b)).toEqual([]);
    expect(b).toContain('into v_rels, v_rows, v_vtenants, v_keys');
  });

  it('are read again when the subject has other tenants', () => {
    const b = block([1, 2], FOREIGN_FOR_WRITE);
    expect(b).toMatch(/if v_cand_[0-9a-z]+_k is distinct from v_allowed then/);
  });
});
