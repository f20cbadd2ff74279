/**
 * A fixture database per test file, and "plant a mutation, introspect, lint"
 * inside a transaction that is always rolled back, so the tests of a file
 * share one database and never see each other's mutations.
 */
import { sql, type Queryable, type Transaction } from '@databases/pg';
import path from 'node:path';
import { expect } from 'vitest';
import { catalogOptions, introspect, type Catalog } from '../../../src/catalog/index.js';
import { loadConfig, unwrapConfig, validateConfig, type ResolvedConfig, type TenantproofConfig } from '../../../src/config/index.js';
import type { Finding } from '../../../src/findings/types.js';
import { lint } from '../../../src/lint/index.js';
import { FIXTURES, freshDatabase, loadFixture, type TestDatabase } from './db.js';

export interface FixtureDatabase extends TestDatabase {
  config: ResolvedConfig;
  /** The config as written, for tests that change one key. */
  raw: TenantproofConfig;
}

export async function fixtureDatabase(sqlFile: string, configFile: string): Promise<FixtureDatabase> {
  const { default: raw } = (await import(path.join(FIXTURES, configFile))) as { default: TenantproofConfig };
  const config = unwrapConfig(await loadConfig(raw));
  const t = await freshDatabase({ template: 'empty' });
  await loadFixture(t.db, sqlFile);
  return { ...t, config, raw };
}

class Rollback extends Error {}

/** Runs fn in a transaction and rolls it back, returning fn's result. */
export async function rolledBack<T>(db: Queryable, fn: (tx: Transaction) => Promise<T>): Promise<T> {
  let result: T | undefined;
  try {
    await db.tx(async (tx) => {
      result = await fn(tx);
      throw new Rollback();
    });
  } catch (e) {
    if (!(e instanceof Rollback)) throw e;
  }
  return result as T;
}

/** Applies the statements one by one (never as one multi-statement string). */
export async function apply(tx: Queryable, statements: readonly string[]): Promise<void> {
  for (const s of statements) await tx.query(sql.__dangerous__rawValue(s));
}

/** Plants `statements`, introspects inside the same transaction, lints with `config`, rolls back. */
export async function lintWith(fx: FixtureDatabase, statements: readonly string[], config: ResolvedConfig = fx.config): Promise<{ findings: Finding[]; catalog: Catalog }> {
  return rolledBack(fx.db, async (tx) => {
    await apply(tx, statements);
    const catalog = await introspect(tx, catalogOptions(config));
    return { findings: lint(catalog, config), catalog };
  });
}

/** The config with some keys replaced, validated like a real one. */
export function configWith(fx: FixtureDatabase, patch: (raw: TenantproofConfig) => TenantproofConfig): ResolvedConfig {
  // The fixture configs are plain data: a JSON round trip is a deep copy.
  const copy = JSON.parse(JSON.stringify(fx.raw)) as TenantproofConfig;
  return unwrapConfig(validateConfig(patch(copy), 'patched config'));
}

/** A role name no other test (or parallel file) uses. */
export function uniqueRole(prefix = 'lintfx_tmp'): string {
  return `${prefix}_${Math.random().toString(36).slice(2, 10)}`;
}

/** The first finding matching every given field; fails listing all findings when there is none. */
export function expectFinding(findings: Finding[], want: Partial<Finding> & { rule: string }): Finding {
  const match = findings.filter((f) => Object.entries(want).every(([k, v]) => (f as Record<string, unknown>)[k] === v));
  expect(match, `expected a ${JSON.stringify(want)} finding; got:\n${findings.map((f) => `  ${f.id} [${f.severity}] ${f.message}`).join('\n')}`).not.toHaveLength(0);
  return match[0]!;
}

export function ofRule(findings: Finding[], rule: string): Finding[] {
  return findings.filter((f) => f.rule === rule);
}
