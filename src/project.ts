/**
 * The project a command works on, resolved once: where it is, its config,
 * and where its schema comes from. Every setting that has several layers is
 * decided by `firstOf` in one order: flag > environment > config > default.
 */
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { findConfig } from './config/find.js';
import type { ResolvedConfig } from './config/schema.js';
import { folderFiles } from './migrate/files.js';
import { folderLabel, folderSource } from './migrate/folder-source.js';
import { graphileSource } from './migrate/graphile-source.js';
import { noneSource } from './migrate/none-source.js';
import { loadGmrc } from './migrate/settings.js';
import type { MigrationSource } from './migrate/source.js';

/** The precedence of every layered setting: the first layer that says something wins. */
export function firstOf<T>(flag: T | undefined, env: T | undefined, config: T | undefined, fallback: T): T {
  return flag ?? env ?? config ?? fallback;
}

function upwards(from: string, found: (dir: string) => boolean): string | null {
  for (let dir = path.resolve(from); ; dir = path.dirname(dir)) {
    if (found(dir)) return dir;
    if (dir === path.dirname(dir)) return null;
  }
}

/** The folder of the nearest .gmrc from `from` upwards, or null. */
export const findGmrcRoot = (from: string): string | null => upwards(from, (dir) => existsSync(path.join(dir, '.gmrc')));

export interface ProjectLocation {
  /** Where the project lives: the config file's folder, else the nearest .gmrc's, else the current folder. */
  root: string;
  /** --config, else the nearest tenantproof.config.* from the current folder upwards. */
  configFile: string | null;
  /** The folder holding .gmrc, if any (graphile-migrate resolves its paths from there). */
  gmrcRoot: string | null;
}

export function locateProject(cwd: string, configFlag?: string): ProjectLocation {
  const configFile = configFlag ? path.resolve(cwd, configFlag) : findConfig(cwd);
  const gmrcRoot = findGmrcRoot(configFile ? path.dirname(configFile) : cwd);
  return { root: configFile ? path.dirname(configFile) : (gmrcRoot ?? path.resolve(cwd)), configFile, gmrcRoot };
}

/**
 * The migration source: the config's `migrations` when it says one; else
 * graphile-migrate when a .gmrc is found; else a folder of *.sql files at
 * migrationsDir (default migrations/) when it holds any; else none.
 */
export function resolveSource(at: ProjectLocation, config: Pick<ResolvedConfig, 'migrationsDir' | 'migrations'> | null): MigrationSource {
  const base = at.configFile ? path.dirname(at.configFile) : at.root;
  const explicit = config?.migrations;
  const folderAt = path.resolve(base, explicit?.dir ?? config?.migrationsDir ?? 'migrations');
  const graphile = () => {
    const gmrcRoot = at.gmrcRoot ?? at.root;
    const dir = path.resolve(gmrcRoot, loadGmrc(gmrcRoot).migrationsFolder ?? './migrations');
    return graphileSource(dir, folderLabel(dir, at.root));
  };
  const folder = () => folderSource(folderAt, folderLabel(folderAt, at.root), (explicit?.prerequisites ?? []).map((f) => path.resolve(base, f)));
  switch (explicit?.source) {
    case 'graphile-migrate':
      return graphile();
    case 'folder':
      return folder();
    case 'none':
      return noneSource();
    default:
      if (at.gmrcRoot) return graphile();
      if (existsSync(folderAt) && folderFiles(folderAt).length > 0) return folder();
      return noneSource();
  }
}

/** A folder with *.sql files directly in it (what `init` offers as a folder source). */
export const hasSqlFiles = (dir: string): boolean => existsSync(dir) && readdirSync(dir).some((f) => f.endsWith('.sql'));
