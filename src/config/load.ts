/**
 * The config's edge: read a file (TypeScript through tsx, JavaScript, JSON)
 * or take an object, validate it once, and report every mistake at once.
 * Nothing past this point re-validates.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { TenantproofError } from '../errors.js';
import { formatConfigIssues, toConfigIssues, type ConfigIssue } from './issues.js';
import { configSchema, type ResolvedConfig } from './schema.js';

export type ConfigResult =
  | { ok: true; config: ResolvedConfig; source: string }
  | { ok: false; issues: ConfigIssue[]; source: string };

const SCRIPT_EXTENSIONS = new Set(['.ts', '.mts', '.cts', '.js', '.mjs', '.cjs']);

/** Validates a config given as a file path (relative to `cwd`) or as an object. Never throws for user mistakes. */
export async function loadConfig(input: string | object, options: { cwd?: string } = {}): Promise<ConfigResult> {
  if (typeof input !== 'string') return validateConfig(input, 'the config object');
  const file = path.resolve(options.cwd ?? process.cwd(), input);
  const source = file;
  if (!existsSync(file)) return fail(source, `file not found: ${file}`, 'pass the path of an existing tenantproof.config.ts (or .js/.mjs/.json)');
  const ext = path.extname(file).toLowerCase();
  let raw: unknown;
  try {
    if (ext === '.json') raw = JSON.parse(readFileSync(file, 'utf8'));
    else if (SCRIPT_EXTENSIONS.has(ext)) raw = pickExport(await importModule(file));
    else return fail(source, `unsupported config file extension "${ext}"`, 'use .ts, .mts, .js, .mjs or .json');
  } catch (e) {
    return fail(source, `could not be read: ${(e as Error).message}`, ext === '.json' ? 'fix the JSON syntax' : 'fix the error in the config module so that it can be imported');
  }
  if (raw === undefined) return fail(source, 'exports no config', 'export the config as default: `export default defineConfig({ ... })`');
  const result = validateConfig(raw, source);
  // Paths in the config are relative to the config file: resolve them here, once.
  if (result.ok && result.config.probes.factories) result.config.probes.factories = path.resolve(path.dirname(file), result.config.probes.factories);
  return result;
}

/** Validates an already-read value. */
export function validateConfig(raw: unknown, source: string): ConfigResult {
  const parsed = configSchema.safeParse(raw, { reportInput: true });
  if (parsed.success) return { ok: true, config: parsed.data, source };
  return { ok: false, issues: toConfigIssues(configSchema, parsed.error), source };
}

/** For callers that stop on a bad config: the result's config, or a TenantproofError listing every mistake. */
export function unwrapConfig(result: ConfigResult): ResolvedConfig {
  if (result.ok) return result.config;
  throw new TenantproofError('config-invalid', formatConfigIssues(result.issues, result.source), 'correct the keys listed above and run again');
}

/**
 * A config module, through tsx (TypeScript, and JavaScript in either module
 * system, fresh on every load). tsx is loaded only here, when a script config
 * is given: a JSON config never pays for it.
 */
async function importModule(file: string): Promise<unknown> {
  const { tsImport } = await import('tsx/esm/api');
  return tsImport(pathToFileURL(file).href, import.meta.url);
}

function pickExport(mod: unknown): unknown {
  const m = mod as { default?: unknown; config?: unknown } | undefined;
  let value = m?.default ?? m?.config;
  // CommonJS through tsImport may nest the default once more.
  const nested = (value as { default?: unknown } | undefined)?.default;
  if (nested !== undefined && value !== null && typeof value === 'object' && !('actors' in value)) value = nested;
  return value;
}

function fail(source: string, message: string, fix: string): ConfigResult {
  return { ok: false, issues: [{ path: '', message, fix }], source };
}
