import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { RULES } from './registry.js';
import { RULE_IDS } from './rule-ids.js';

const here = path.dirname(fileURLToPath(import.meta.url));

describe('registry', () => {
  it('lists exactly the rule ids of rule-ids.ts, once each', () => {
    expect(RULES.map((r) => r.id).sort()).toEqual([...RULE_IDS].sort());
    expect(new Set(RULES.map((r) => r.id)).size).toBe(RULES.length);
  });

  it('gives every rule its own module, a kebab-case id, a severity, a title and a reason', () => {
    for (const r of RULES) {
      expect(r.id).toMatch(/^[a-z]+(-[a-z]+)*$/);
      expect(existsSync(path.join(here, 'rules', `${r.id}.ts`)), r.id).toBe(true);
      expect(['error', 'warning', 'info']).toContain(r.severity);
      expect(r.title.length, r.id).toBeGreaterThan(10);
      expect(r.why.length, r.id).toBeGreaterThan(30);
    }
  });

  it('covers every statically visible pitfall of shared/README.md', () => {
    const covered = new Set(RULES.flatMap((r) => r.pitfalls));
    // 8 (unset context) and 15 (COPY) are covered through 7 and 2/3; the rest need the dynamic probes only for confirmation.
    for (const n of [1, 2, 3, 4, 5, 6, 7, 9, 10, 11, 12, 13, 14, 16, 17, 18, 19, 20, 21, 22]) expect(covered.has(n), `pitfall ${n}`).toBe(true);
  });
});
