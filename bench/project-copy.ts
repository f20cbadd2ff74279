/**
 * A throwaway copy of the project for running the CLI as a user runs it: the
 * migrations, a current.sql of the bench's choosing and the config (its
 * imports made absolute). Its own `.tenantproof/` state means its own embedded
 * server, never the developer's, and its reports stay out of the repository.
 */
import { chmodSync, cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const cliPath = path.join(projectRoot, 'bin', 'tenantproof.js');

export interface ProjectCopy {
  dir: string;
  remove(): void;
}

export function copyProject(currentSql = '-- Enter migration here\n'): ProjectCopy {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'tenantproof-bench-'));
  chmodSync(dir, 0o755); // the embedded server's unprivileged user must enter it
  cpSync(path.join(projectRoot, '.gmrc'), path.join(dir, '.gmrc'));
  cpSync(path.join(projectRoot, 'migrations'), path.join(dir, 'migrations'), { recursive: true, verbatimSymlinks: true });
  writeFileSync(path.join(dir, 'current.sql'), currentSql);
  // Imports made absolute: relative ones, and the package's own name (mapped to the sources by tsconfig paths here).
  const config = readFileSync(path.join(projectRoot, 'tenantproof.config.ts'), 'utf8')
    .replaceAll("'./", `'${projectRoot}/`)
    .replaceAll(/from '(tenantproof(?:\/validators)?)'/g, (_, name: string) => `from '${projectRoot}/src/${name === 'tenantproof' ? 'index' : 'validators/index'}.ts'`);
  writeFileSync(path.join(dir, 'tenantproof.config.ts'), config);
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** The CLI's environment: no colours, no DATABASE_URL (its own embedded server). */
export function cliEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1' };
  delete env.DATABASE_URL;
  delete env.FORCE_COLOR;
  return env;
}
