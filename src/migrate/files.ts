/**
 * The migration files of a folder, in the order they run: what a finding's
 * file:line points into. Two layouts: graphile-migrate's (committed/*.sql in
 * name order, then current.sql or the current/ folder) when the folder has
 * committed/ or current.sql; otherwise a plain ordered folder of *.sql files
 * (supabase/migrations, Flyway-style V1__x.sql, 0001_x.sql), in natural name
 * order so that 2_x.sql runs before 10_x.sql.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';

const sqlFiles = (dir: string): string[] => readdirSync(dir).filter((f) => f.endsWith('.sql') && statSync(path.join(dir, f)).isFile());

/** Natural order: digit runs compare as numbers. */
export const byName = (a: string, b: string): number => a.localeCompare(b, 'en', { numeric: true });

export function isGraphileLayout(dir: string): boolean {
  return existsSync(path.join(dir, 'committed')) || existsSync(path.join(dir, 'current.sql')) || existsSync(path.join(dir, 'current'));
}

/** graphile-migrate's committed migrations, then the current migration. */
export function graphileFiles(dir: string): string[] {
  const committed = path.join(dir, 'committed');
  const files = existsSync(committed) ? sqlFiles(committed).sort().map((f) => path.join(committed, f)) : [];
  const current = path.join(dir, 'current.sql');
  if (existsSync(current)) files.push(current);
  const currentDir = path.join(dir, 'current');
  if (existsSync(currentDir) && statSync(currentDir).isDirectory()) files.push(...sqlFiles(currentDir).sort().map((f) => path.join(currentDir, f)));
  return files;
}

/** A plain folder: its *.sql files in natural name order. */
export function folderFiles(dir: string): string[] {
  return existsSync(dir) ? sqlFiles(dir).sort(byName).map((f) => path.join(dir, f)) : [];
}

/** The files of whichever layout `dir` has; none when it does not exist. */
export function migrationFilesIn(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return isGraphileLayout(dir) ? graphileFiles(dir) : folderFiles(dir);
}
