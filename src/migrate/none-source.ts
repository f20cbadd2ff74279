import { unsupported, type MigrationSource } from './source.js';

/**
 * No migrations: the project's own tool (or a person) builds the database,
 * and tenantproof checks the development database (DATABASE_URL's) as it is.
 * `watch` notices schema changes by polling the catalog; findings have no
 * file:line.
 */
export function noneSource(): MigrationSource {
  const fix = 'apply your migrations with your own tool; tenantproof gate and watch check the database DATABASE_URL names as it is';
  return {
    kind: 'none',
    dir: null,
    description: 'an existing database (no migrations)',
    workingName: 'the database',
    rebuilds: false,
    existing: true,
    files: () => [],
    watched: () => [],
    build: async () => {},
    reset: () => unsupported('none', '`db reset`', fix),
    migrate: () => unsupported('none', '`db migrate`', fix),
    applyWorking: async () => {},
  };
}
