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
  /** The id of the root cause this finding is explained by (see `causes`). */
  cause: z.string().optional(),
});
export type Finding = z.infer<typeof findingSchema>;

/**
 * A cell's status: `pass` (at least one check held and none leaked), `fail` (a check leaked),
 * `not-proven` (checks ran but none could show anything: every one inconclusive). `skipped`
 * is read from reports of earlier versions only.
 */
export const MATRIX_STATUSES = ['pass', 'fail', 'not-proven', 'skipped'] as const;
export const matrixCellSchema = z.object({
  relation: z.string(),
  actor: z.string(),
  /** Probe id: read, insert, update, delete, move, reference, upsert, ... */
  probe: z.string(),
  status: z.enum(MATRIX_STATUSES),
  /** Why a cell was skipped (or failed), for a human. */
  reason: z.string().optional(),
  /** Checks that judged: held + leaked. */
  checks: z.number().int().nonnegative(),
  /** The statement ran as the actor in its context and showed nothing of another tenant. */
  held: z.number().int().nonnegative().optional(),
  /** The statement showed, changed or referenced another tenant's row. */
  leaked: z.number().int().nonnegative().optional(),
  /** The check could not show anything (nothing of another tenant to touch, an unrelated error). */
  inconclusive: z.number().int().nonnegative().optional(),
});
export type MatrixCell = z.infer<typeof matrixCellSchema>;

/** Counts, so that a vacuous run (nothing probed) is visible. */
export const coverageSchema = z.object({
  relations: z.number().int().nonnegative(),
  actors: z.number().int().nonnegative(),
  worlds: z.number().int().nonnegative(),
  rows: z.number().int().nonnegative(),
  checks: z.number().int().nonnegative(),
  held: z.number().int().nonnegative().optional(),
  leaked: z.number().int().nonnegative().optional(),
  inconclusive: z.number().int().nonnegative().optional(),
  /** Cells where no check held. */
  notProven: z.number().int().nonnegative().optional(),
});
export type Coverage = z.infer<typeof coverageSchema>;

/** How each actor entered the database during the checks. */
export const actorEntrySchema = z.object({
  name: z.string(),
  /** current_user during a check. */
  role: z.string(),
  /** session_user during a check: the role the application logs in as. */
  login: z.string(),
  /** 'principal' (a user, through memberships) or 'tenant'. */
  as: z.enum(['principal', 'tenant']),
  expect: z.enum(['tenant', 'all', 'none']),
  /** The context mechanism: setting, jwt, session, role-per-tenant, sql... (none without one). */
  context: z.string(),
});
export type ActorEntry = z.infer<typeof actorEntrySchema>;

export const CAUSE_KINDS = ['actor-bypasses-rls', 'actor-owns-relation', 'relation-without-rls', 'policy', 'function', 'foreign-key', 'context', 'other'] as const;
/** One root cause and the findings it explains: what a reviewer fixes first. */
export const causeSchema = z.object({
  id: z.string(),
  kind: z.enum(CAUSE_KINDS),
  title: z.string(),
  /** The object at fault: an actor, a relation, `policy s.t.p`, `function s.f(uuid)`. */
  subject: z.string(),
  fix: z.string(),
  /** Ids of the findings it explains, in report order. */
  findings: z.array(z.string()),
  severity: severitySchema,
});
export type Cause = z.infer<typeof causeSchema>;

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
  /** Root causes, most findings explained first. */
  causes: z.array(causeSchema).optional(),
  /** The role the checker connected as, and how every actor entered. */
  connectedAs: z.string().optional(),
  actors: z.array(actorEntrySchema).optional(),
  /** What was not probed and why (relations never filled, refused rows, unresolved columns). */
  notes: z.array(z.string()).optional(),
  /** How to replay the run: `gate` on this project, or `check` on a database. */
  replay: z.object({ command: z.enum(['gate', 'check']), seed: z.number().int().nullable() }).optional(),
});
export type IsolationReport = z.infer<typeof isolationReportSchema>;
