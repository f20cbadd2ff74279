export {
  defineRepository,
  inTenant,
  nonEmptyPatch,
  idSchema,
  MAX_PAGE_SIZE,
  type Db,
  type EntitySpec,
  type ListQuery,
  type Page,
  type RepoContext,
  type Repository,
  type RepositoryInternals,
} from './define.js';
export { mapDatabaseError, RepositoryFailure, type Issue, type RepoError, type RepoErrorKind, type Result } from './result.js';
export { users, userRow, createUserInput, updateUserInput, USER_ROLES, MIN_PASSWORD_LENGTH, type User, type CredentialsError } from './users.js';
export { documents, documentRow, createDocumentInput, updateDocumentInput, type Document } from './documents.js';
export { apiKeys, apiKeyRow, createApiKeyInput, updateApiKeyInput, API_KEY_PERMISSIONS, type ApiKey, type ApiKeyAuthError } from './api-keys.js';
