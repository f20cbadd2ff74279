/**
 * Catalog and lint time on one database (what every watch save pays):
 * `node --import tsx bench/catalog-lint.ts [runs]` against DATABASE_URL
 * (npm run db:start, db:reset; `npm run db:url` prints it). Prints the first
 * introspection of the process (parse caches cold, as in a gate), then the
 * median and range of introspect and lint over the runs after a warm-up
 * (caches warm, as in watch), each as wall time and as this process's CPU
 * time (less sensitive to other load on the machine).
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql } from '@databases/pg';
import { catalogOptions } from '../src/catalog/options.js';
import { introspect } from '../src/catalog/introspect.js';
import { loadConfig, unwrapConfig } from '../src/config/load.js';
import { openPool } from '../src/db/pool.js';
import { lint } from '../src/lint/index.js';
import { show, stat } from './stats.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const runs = Number(process.argv[2] ?? 20);

async function measure(fn: () => Promise<unknown> | unknown): Promise<{ wall: number; cpu: number }> {
  const t = performance.now();
  const c = process.cpuUsage();
  await fn();
  const used = process.cpuUsage(c);
  return { wall: performance.now() - t, cpu: (used.user + used.system) / 1000 };
}

async function main(): Promise<void> {
  const url = process.env.DATABASE_URL;
  if (!url) throw new Error('set DATABASE_URL (npm run db:url prints the development database)');
  const config = unwrapConfig(await loadConfig(path.join(root, 'tenantproof.config.ts')));
  const db = await openPool({ connectionString: url, poolSize: 2 });
  try {
    await db.query(sql`select 1`);
    let catalog: Awaited<ReturnType<typeof introspect>> | undefined;
    const cold = await measure(async () => (catalog = await introspect(db, catalogOptions(config))));
    const cat = catalog!;
    const coldLint = await measure(() => lint(cat, config));
    const samples = { introspect: [] as Array<{ wall: number; cpu: number }>, lint: [] as Array<{ wall: number; cpu: number }> };
    for (let i = 0; i <= runs; i++) {
      const a = await measure(() => introspect(db, catalogOptions(config)));
      const b = await measure(() => lint(cat, config));
      if (i === 0) continue;
      samples.introspect.push(a);
      samples.lint.push(b);
    }
    const policies = cat.relations.reduce((n, r) => n + r.policies.length, 0);
    console.log(`${cat.relations.length} relations, ${policies} policies, ${cat.functions.length} functions (${cat.functions.filter((f) => f.body).length} with a body)`);
    console.log(`first: introspect ${cold.wall.toFixed(1)} ms wall / ${cold.cpu.toFixed(1)} ms cpu, lint ${coldLint.wall.toFixed(1)} ms wall / ${coldLint.cpu.toFixed(1)} ms cpu`);
    for (const [name, xs] of Object.entries(samples)) {
      console.log(`${name.padEnd(10)} wall ${show(stat(xs.map((x) => x.wall)), 1, ' ms')}   cpu ${show(stat(xs.map((x) => x.cpu)), 1, ' ms')}`);
    }
  } finally {
    await db.dispose();
  }
}

await main();
