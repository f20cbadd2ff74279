import { describe, expect, it } from 'vitest';
import { DYNAMIC_RULE_IDS, PROBE_IDS, probeRule } from '../src/probes/ids.js';
import { PROBE_LIST, PROBES } from '../src/probes/registry.js';
import { ruleInfo } from '../src/report/rules.js';
import { MUTATIONS, WARNING_MUTATIONS } from './mutations/catalog.js';

// A probe is one definition in src/probes/defs, one line in the registry and one mutation it must catch.

describe('the probe registry', () => {
  it('holds every probe id once, each with its own id, title, why, fix and phrases', () => {
    expect(PROBE_LIST.map((p) => p.id)).toEqual([...PROBE_IDS]);
    for (const id of PROBE_IDS) {
      const p = PROBES[id];
      expect(p.id).toBe(id);
      for (const text of [p.title, p.why, p.fix, p.phrase.tenant, p.phrase.none]) expect(text.trim().length, id).toBeGreaterThan(5);
    }
  });

  it('gives the reports a title for every rule the dynamic half can report', () => {
    for (const id of DYNAMIC_RULE_IDS) expect(ruleInfo(id).kind, id).not.toBe('other');
  });

  it('has a planted mutation for every probe, which that probe alone must catch', () => {
    const caught = new Set([...MUTATIONS, ...WARNING_MUTATIONS].flatMap((m) => m.probes ?? []));
    expect(PROBE_IDS.map(probeRule).filter((r) => !caught.has(r))).toEqual([]);
  });
});
