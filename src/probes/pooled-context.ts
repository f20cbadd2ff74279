/**
 * pooled-context: after COMMIT, a new transaction on the same pooled
 * connection must carry no tenant. A context written at session level
 * (SET, set_config(..., false)) hands the tenant to the next user of the
 * connection (pitfall 22). Where the config declares a session-level setting
 * (the application sets it on every checkout), it is a warning: any path
 * that uses a connection without setting it inherits the previous tenant.
 */
import { sql, type ConnectionPool } from '@databases/pg';
import { findingId } from '../findings/findings.js';
import type { Finding } from '../findings/types.js';
import { quoteIdent, quoteLiteral } from '../sql/text.js';
import type { TenancyModel } from '../tenancy/model.js';
import { stepToSql } from '../tenancy/steps.js';

export async function pooledContextFindings(db: ConnectionPool, model: TenancyModel): Promise<Finding[]> {
  const findings: Finding[] = [];
  const tenant = '00000000-0000-4000-8000-0000000000aa';
  for (const actor of model.actors) {
    if (actor.expect !== 'tenant' || actor.adapter.writes.settings.length === 0) continue;
    const steps = actor.adapter.steps('context') ?? [];
    if (steps.some((s) => s.kind === 'statements' || s.kind === 'call')) continue;
    const subject = { tenant, principal: tenant, login: actor.login ?? actor.role, role: actor.role, session: tenant };
    const statements = steps.flatMap((s) => stepToSql(s, subject));
    const leaked = await db.task(async (conn) => {
      try {
        await conn.tx(async (tx) => {
          for (const s of statements) await tx.query(sql.__dangerous__rawValue(s));
        });
      } catch {
        return []; // a context that cannot be entered stops the run elsewhere
      }
      const out: string[] = [];
      for (const s of actor.adapter.writes.settings) {
        const [row] = await conn.query(sql`select coalesce(current_setting(${s}, true), '') as v`);
        if ((row.v as string) !== '') out.push(`${s} = '${row.v as string}'`);
      }
      // Leave the connection as found for the next user of the pool.
      await conn.query(sql`reset all`);
      return out;
    });
    if (leaked.length === 0) continue;
    const declared = [actor.config.context?.setting ?? []].flat().some((s) => s.scope === 'session');
    findings.push({
      id: findingId('probe-pooled-context', { relation: null }, actor.name),
      rule: 'probe-pooled-context',
      severity: declared ? 'warning' : 'error',
      relation: null,
      actor: actor.name,
      message: `${actor.name}'s context outlives its transaction: after COMMIT the connection still has ${leaked.join(', ')}, so the next user of a pooled connection inherits the tenant${declared ? ' (declared: the application sets it on every checkout; any code path that does not inherits the previous tenant)' : ''}`,
      fix: "set the context transaction-locally: set_config('...', value, true) or SET LOCAL; where a pooler forces session-level settings, RESET ALL when a connection is returned",
      reproduction: [
        `-- tenantproof: ${actor.name}'s context survives COMMIT on a pooled connection`,
        'begin;',
        `set local role ${quoteIdent(actor.role)};`,
        ...statements.map((s) => `${s};`),
        'commit;',
        ...actor.adapter.writes.settings.map((s) => `select current_setting(${quoteLiteral(s)}, true); -- should be empty`),
      ].join('\n'),
    });
  }
  return findings;
}
