/**
 * tenantproof's public API: what a project imports from `tenantproof`.
 * Curated: everything else under dist/ is internal and may change.
 * Identifier validators are at `tenantproof/validators`.
 */

// The config and the factories contract.
export { defineConfig } from './config/define.js';
export { loadConfig, validateConfig, unwrapConfig, type ConfigResult } from './config/load.js';
export { findConfig, CONFIG_FILE_NAMES } from './config/find.js';
export { formatConfigIssues, type ConfigIssue } from './config/issues.js';
export type { TenantproofConfig, ResolvedConfig, ActorConfig, ActorContext, GlobalTableConfig, SharedRowConfig, Expectation, AccessLevel } from './config/schema.js';
export { defineFactories, type FactoryContext, type RowFactory, type FactoriesDefinition, type FactoriesModule } from './api/factories.js';

// The commands, as functions (the CLI only parses flags and prints).
export { commandContext, withServer, devDatabase, type CommandContext, type ContextOptions } from './commands/context.js';
export { gate, type GateOptions, type GateResult } from './commands/gate.js';
export { check, type CheckOptions } from './commands/check.js';
export { init, type InitOptions, type InitResult } from './commands/init.js';
export { watchProject, type WatchOptions, type WatchEvent, type WatchVerdict, type Exposure } from './commands/watch.js';
export { renderReport, mergeReports, checkReports, type RenderOptions, type MergeOptions, type ReportCheck, type FileCheck } from './commands/report.js';
export { diff, type DiffOptions, type DiffResult } from './commands/diff.js';
export { dbStart, dbStop, dbStatus, dbUrl, dbReset, dbMigrate, dbCommit, dbUncommit, dbWatch } from './commands/db.js';

// The report contract other tools read.
export {
  isolationReportSchema,
  findingSchema,
  matrixCellSchema,
  coverageSchema,
  SEVERITIES,
  MATRIX_STATUSES,
  VERDICTS,
  type IsolationReport,
  type Finding,
  type MatrixCell,
  type Coverage,
  type Severity,
  type Verdict,
  type SourceLocation,
  type Cause,
  type ActorEntry,
} from './findings/types.js';

// Errors, and the database helpers a project's own tests use.
export { TenantproofError, isTenantproofError, formatError } from './errors.js';
export { openPool, type PoolOptions } from './db/pool.js';
export { errorCode, isTransientConnectionError, isTransientTransactionError } from './db/pg-errors.js';
export { retry, type RetryOptions } from './db/retry.js';
export { withDatabase, redactUrl } from './db/server.js';
export { TOOL_VERSION } from './version.js';
