/**
 * Global tables: scanned tables with no tenancy, access copied from today's
 * grants. The principals and the session table are global by the design the
 * proposal found, and say so; any other is a question (on purpose?).
 */
import type { Catalog } from '../../catalog/types.js';
import type { AccessLevel } from '../../config/schema.js';
import type { ProposedActor } from './actors.js';
import { inScope } from './scope.js';

export interface ProposedGlobalTable {
  relation: string;
  defaultAccess: AccessLevel;
  access: Record<string, AccessLevel>;
  /** The reason written in the config: known for the principals and the sessions, else a placeholder and a question. */
  reason: string;
  questions: string[];
}

const PLACEHOLDER_REASON = 'shared by every tenant (proposed by tenantproof init)';

export function proposeGlobalTables(catalog: Catalog, tenantTable: string | null, actors: readonly ProposedActor[], known: ReadonlyMap<string, string>): ProposedGlobalTable[] {
  const out: ProposedGlobalTable[] = [];
  for (const r of catalog.relations) {
    if (!inScope(r) || r.tenancy || r.qualifiedName === tenantTable || (r.kind !== 'table' && r.kind !== 'partitioned-table') || r.partitionOf) continue;
    const levels = new Map<string, AccessLevel>();
    for (const a of actors) {
      const p = r.privileges.find((x) => x.role === a.role);
      levels.set(a.name, a.expect === 'all' && !p ? 'none' : p && (p.insert || p.update || p.delete) ? 'write' : p?.select ? 'read' : 'none');
    }
    const counts = new Map<AccessLevel, number>();
    for (const l of levels.values()) counts.set(l, (counts.get(l) ?? 0) + 1);
    const defaultAccess = ([...counts.entries()].sort((a, b) => b[1] - a[1])[0]?.[0] ?? 'read') as AccessLevel;
    const access = Object.fromEntries([...levels.entries()].filter(([, l]) => l !== defaultAccess));
    const reason = known.get(r.qualifiedName);
    out.push({
      relation: r.qualifiedName,
      defaultAccess,
      access,
      reason: reason ?? PLACEHOLDER_REASON,
      questions: reason
        ? []
        : [`shared by every tenant on purpose? ${r.qualifiedName} has no ${catalog.tenancy.tenantColumn} and no key to a tenant row (access copies today's grants; say why in reason)`],
    });
  }
  return out;
}
