/**
 * The report contract (`reports/isolation-report.json`). Other tools read it,
 * so the shape is fixed here once, as zod schemas, and the TypeScript types
 * are inferred from them: a reader can validate a report with
 * `isolationReportSchema.parse(json)` and get exactly these types.
 *
 * Required fields are the contract of issue 3; `location` and `object` are
 * optional additions a reader may ignore.
 */
import { z } from 'zod';

export const SEVERITIES = ['error', 'warning', 'info'] as const;
export const severitySchema = z.enum(SEVERITIES);
export type Severity = z.infer<typeof severitySchema>;

/** Where a migration file created the object a finding names (best effort). */
export const sourceLocationSchema = z.object({
  file: z.string(),
  line: z.number().int().positive(),
});
export type SourceLocation = z.infer<typeof sourceLocationSchema>;

export const findingSchema = z.object({
  /** Stable and deterministic: the same problem gets the same id on every run. */
  id: z.string().min(1),
  /** A lint rule id or a probe id, kebab-case. */
  rule: z.string().min(1),
  severity: severitySchema,
  /** `schema.name` of the relation concerned, or null (a role, a function, the config). */
  relation: z.string().nullable(),
  /** The actor name from the config, or null when no single actor is concerned. */
  actor: z.string().nullable(),
  message: z.string(),
  fix: z.string(),
  /** SQL that replays the problem, or null (static findings have none). */
  reproduction: z.string().nullable(),
  location: sourceLocationSchema.optional(),
  /** The exact object, e.g. `policy app.tasks.tasks_select` or `function app.f(uuid)`. */
  object: z.string().optional(),
});
export type Finding = z.infer<typeof findingSchema>;

export const MATRIX_STATUSES = ['pass', 'fail', 'skipped'] as const;
export const matrixCellSchema = z.object({
  relation: z.string(),
  actor: z.string(),
  /** Probe id: read, insert, update, delete, move, reference, upsert, ... */
  probe: z.string(),
  status: z.enum(MATRIX_STATUSES),
  /** Why a cell was skipped (or failed), for a human. */
  reason: z.string().optional(),
  checks: z.number().int().nonnegative(),
});
export type MatrixCell = z.infer<typeof matrixCellSchema>;

/** Counts, so that a vacuous run (nothing probed) is visible. */
export const coverageSchema = z.object({
  relations: z.number().int().nonnegative(),
  actors: z.number().int().nonnegative(),
  worlds: z.number().int().nonnegative(),
  rows: z.number().int().nonnegative(),
  checks: z.number().int().nonnegative(),
});
export type Coverage = z.infer<typeof coverageSchema>;

export const VERDICTS = ['pass', 'fail'] as const;
export const verdictSchema = z.enum(VERDICTS);
export type Verdict = z.infer<typeof verdictSchema>;

export const isolationReportSchema = z.object({
  tool: z.literal('tenantproof'),
  version: z.string(),
  /** The fast-check seed of the run; null when no probe ran (lint only). */
  seed: z.number().int().nullable(),
  verdict: verdictSchema,
  findings: z.array(findingSchema),
  matrix: z.array(matrixCellSchema),
  coverage: coverageSchema,
});
export type IsolationReport = z.infer<typeof isolationReportSchema>;
