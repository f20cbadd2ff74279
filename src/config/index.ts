export { defineConfig } from './define.js';
export { loadConfig, validateConfig, unwrapConfig, type ConfigResult } from './load.js';
export { findConfig, CONFIG_FILE_NAMES } from './find.js';
export { formatConfigIssues, type ConfigIssue } from './issues.js';
export {
  configSchema,
  EXPECTATIONS,
  ACCESS_LEVELS,
  type TenantproofConfig,
  type ResolvedConfig,
  type ActorConfig,
  type ActorContext,
  type GlobalTableConfig,
  type SharedRowConfig,
  type Expectation,
  type AccessLevel,
  type ContextStatementsFn,
} from './schema.js';
export {
  TENANT_PLACEHOLDER,
  SAMPLE_TENANT,
  contextStatements,
  contextSettings,
  sessionLevelStatements,
  sqlLiteral,
  sqlIdentifier,
  type ContextSettings,
} from './context.js';
