/**
 * Where a project's schema comes from. One interface, one implementation per
 * kind: graphile-migrate (a .gmrc project), a plain ordered folder of *.sql
 * files (supabase/migrations, Flyway-style, hand-rolled), or none (an existing
 * database: nothing is migrated). Each owns its layout, what `watch` watches,
 * its prerequisites and the files findings point into.
 */
import { TenantproofError } from '../errors.js';
import type { MigrationTarget } from './settings.js';

export const SOURCE_KINDS = ['graphile-migrate', 'folder', 'none'] as const;
export type SourceKind = (typeof SOURCE_KINDS)[number];

export interface MigrationSource {
  readonly kind: SourceKind;
  /** The migrations folder (absolute); null for none. */
  readonly dir: string | null;
  /** For people: "graphile-migrate (migrations/)". */
  readonly description: string;
  /** The migration files in the order they run: what a finding's file:line points into. */
  files(): string[];
  /** What `watch` watches (files or folders); empty when there is nothing to watch. */
  watched(): string[];
  /** The name of the working file(s) in messages: "current.sql". */
  readonly workingName: string;
  /**
   * The database built fresh from everything, the working migration included:
   * what the gate checks. Throws when the source cannot build (none).
   */
  build(t: MigrationTarget): Promise<void>;
  /** `db reset`: drop and rebuild `t.database` (it may or may not exist). */
  reset(t: MigrationTarget): Promise<void>;
  /** `db migrate`: what is not applied yet. */
  migrate(t: MigrationTarget): Promise<void>;
  /**
   * After a save: bring `t.database` to the working state. On failure the
   * database keeps its last good state. `rebuilds` sources replace the
   * database: close connections to it before, reopen them after.
   */
  applyWorking(t: MigrationTarget): Promise<void>;
  readonly rebuilds: boolean;
  /** True for none: the gate and watch check the development database as it is, instead of building one. */
  readonly existing: boolean;
}

/** A source asked for what it does not do. */
export function unsupported(kind: SourceKind, what: string, fix: string): never {
  throw new TenantproofError('source-unsupported', `${what} is not available with the ${kind} migration source`, fix);
}
