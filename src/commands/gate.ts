import { withServer, type CommandContext } from './context.js';
import { applyCurrent, resetDatabase } from '../migrate/index.js';

export interface GateOptions {
  /** Worlds per property. */
  runs?: number | undefined;
  /** fast-check seed, to replay a run exactly. */
  seed?: number | undefined;
}

export interface GateResult {
  passed: boolean;
  failedTests: number;
  passedTests: number;
  seed: number | undefined;
}

/**
 * The gate, until the isolation engine lands: reset a database from the
 * committed migrations (they must apply cleanly), then run the isolation
 * properties against the same server.
 */
export async function gate(ctx: CommandContext, o: GateOptions = {}): Promise<GateResult> {
  return withServer(ctx, async (server) => {
    ctx.log('reset: applying committed migrations and current.sql to a fresh database');
    const target = { projectRoot: ctx.projectRoot, serverUrl: server.url, database: 'tenantproof_gate' };
    await resetDatabase(target);
    // The working migration is part of what is checked: a developer's gate sees their pending change.
    await applyCurrent(target, { once: true });
    ctx.log('properties: running');
    // vitest is the property runner for now; loaded lazily so the other commands do not pay for it.
    const { startVitest } = await import('vitest/node');
    const saved = { ...process.env };
    Object.assign(process.env, {
      DATABASE_URL: server.url,
      TENANTPROOF_TEMPLATE_DATABASE: target.database,
      ...(o.runs !== undefined ? { TENANTPROOF_RUNS: String(o.runs) } : {}),
      ...(o.seed !== undefined ? { TENANTPROOF_SEED: String(o.seed) } : {}),
    });
    try {
      const vitest = await startVitest('test', ['properties/'], { root: ctx.projectRoot, run: true, watch: false });
      const files = vitest.state.getFiles();
      const tests = files.flatMap((f) => collect(f));
      const failed = tests.filter((t) => t.result?.state === 'fail').length + files.filter((f) => f.result?.state === 'fail').length;
      const passed = tests.filter((t) => t.result?.state === 'pass').length;
      await vitest.close();
      return { passed: failed === 0 && passed > 0, failedTests: failed, passedTests: passed, seed: o.seed };
    } finally {
      process.env = saved;
    }
  });
}

type Task = { type: string; result?: { state?: string }; tasks?: Task[] };
function collect(t: Task): Task[] {
  return t.type === 'test' ? [t] : (t.tasks ?? []).flatMap(collect);
}
