/**
 * Driving the probe engine on a fixture at the level of one world: a world
 * of a chosen shape, optionally changed after it is written, and the
 * outcome of each check. The end-to-end tests use `checkIsolation` instead.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { inject } from 'vitest';
import { sql } from '@databases/pg';
import { introspect } from '../../src/catalog/introspect.js';
import { catalogOptions } from '../../src/catalog/options.js';
import { loadConfig, unwrapConfig } from '../../src/config/load.js';
import type { ResolvedConfig } from '../../src/config/schema.js';
import { prepareRun, type PreparedRun } from '../../src/probes/prepare.js';
import { decodeWorld, installRunner, runWorld, type WorldOutcome } from '../../src/probes/world-run.js';
import { resolveTenancy } from '../../src/tenancy/model.js';
import { buildWorld, dataRelations, type World, type WorldShape } from '../../src/world/build.js';
import { freshDatabase, type TestDatabase } from '../support/database.js';

export const fixtureDir = () => path.join(inject('projectRoot'), 'tests/engine/fixtures');

export async function fixtureDatabase(name: string): Promise<TestDatabase> {
  const t = await freshDatabase({ template: 'empty' });
  await t.db.query(sql.__dangerous__rawValue(readFileSync(path.join(fixtureDir(), `${name}.sql`), 'utf8')));
  return t;
}

export async function fixtureConfig(name: string): Promise<ResolvedConfig> {
  return unwrapConfig(await loadConfig(path.join(fixtureDir(), `${name}.config.ts`)));
}

export async function prepare(t: TestDatabase, config: ResolvedConfig): Promise<PreparedRun> {
  const catalog = await introspect(t.db, catalogOptions(config));
  return prepareRun(t.db, catalog, config, resolveTenancy(catalog, config));
}

/** A shape with `tenants` tenants, principals with the given memberships, and `rows` rows of every data relation per tenant. */
export function shape(ex: PreparedRun, o: { seed?: number; tenants: number; memberships?: boolean[][]; rows: number; maxTenants?: number }): WorldShape {
  const max = o.maxTenants ?? o.tenants;
  const memberships = (o.memberships ?? []).map((m) => [...m, ...Array(Math.max(0, max - m.length)).fill(false)]);
  return { seed: o.seed ?? 7, tenants: o.tenants, principals: memberships.length, memberships, counts: dataRelations(ex.world).map(() => Array(max).fill(o.rows)) };
}

export function worldOf(ex: PreparedRun, s: WorldShape): World {
  return buildWorld(ex.world, s, ex.build);
}

/** Runs one world; `after` runs as the checker right after the world is written (before the snapshot). */
export async function runOne(t: TestDatabase, ex: PreparedRun, s: WorldShape, after: string[] = []): Promise<WorldOutcome> {
  const run = { ...ex, snapshot: [...after, ...ex.snapshot] };
  return t.db.task(async (conn) => {
    await installRunner(conn, run);
    return runWorld(conn, run, s);
  });
}

/** The outcome characters of a cell's checks in one world, subject slot by subject slot. */
export function outcomesOf(ex: PreparedRun, w: WorldOutcome, relation: string, actor: string, probe: string): string {
  const ids = new Set(ex.plan.cells.get(`${relation}|${actor}|${probe}`) ?? []);
  return decodeWorld(ex, w).results.filter((r) => ids.has(r.check.id)).map((r) => r.outcome).join('');
}

export function noteOf(w: WorldOutcome, ex: PreparedRun, relation: string, actor: string, probe: string): string | undefined {
  const ids = new Set(ex.plan.cells.get(`${relation}|${actor}|${probe}`) ?? []);
  return decodeWorld(ex, w).results.find((r) => ids.has(r.check.id) && r.note !== undefined)?.note;
}
