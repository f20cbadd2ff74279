/**
 * Every probe id and the finding rules the dynamic half can report, as plain
 * data: the config validates `accept` entries against it without loading the
 * probes. The probe registry is keyed by `ProbeId`, so a probe missing from
 * the registry, or a registry entry missing here, does not compile.
 */
export const PROBE_IDS = [
  'read',
  'read-unset',
  'read-empty',
  'read-malformed',
  'read-forged',
  'read-escalated',
  'insert',
  'insert-returning',
  'update',
  'delete',
  'move',
  'steal',
  'reference',
  'upsert',
  'call',
  'call-other-tenant',
  'duplicate-key',
] as const;
export type ProbeId = (typeof PROBE_IDS)[number];

/** Findings of the dynamic half that are not one probe's: whole-run checks and coverage. */
export const RUN_RULE_IDS = [
  'probe-pooled-context',
  'probe-over-restriction',
  'coverage-vacuous',
  'coverage-relation-unprobed',
  'coverage-relation-not-proven',
  'coverage-unfilled',
] as const;
export type RunRuleId = (typeof RUN_RULE_IDS)[number];

/** The finding rule of a probe: `probe-<id>`. */
export type ProbeRuleId = `probe-${ProbeId}`;
export const probeRule = (id: ProbeId): ProbeRuleId => `probe-${id}`;

/** Every rule id a dynamic finding can carry. */
export const DYNAMIC_RULE_IDS: readonly string[] = [...PROBE_IDS.map(probeRule), ...RUN_RULE_IDS];
