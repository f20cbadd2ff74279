/**
 * The catalog facts root causes need (causes.ts), as plain data: who owns
 * each relation, which roles each actor is a member of, and each policy's
 * command and roles. Extracted once by the gate; kept in partial reports so
 * that `report --merge` recomputes the same causes without a database.
 */
import { z } from 'zod';
import type { Catalog } from '../catalog/types.js';
import type { CauseFacts } from './causes.js';

export const causeFactsSchema = z.object({
  owners: z.record(z.string(), z.string()).optional(),
  actorRoles: z.record(z.string(), z.array(z.string())).optional(),
  policies: z.array(z.object({ relation: z.string(), name: z.string(), command: z.enum(['all', 'select', 'insert', 'update', 'delete']), roles: z.array(z.string()) })).optional(),
});

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** Sorted, so that the same catalog gives the same facts (they travel in partial reports). */
export function causeFactsOf(catalog: Pick<Catalog, 'relations' | 'actors'>, actors: ReadonlyArray<{ name: string; role: string }>): CauseFacts {
  const relations = catalog.relations.filter((r) => !r.extension).sort((a, b) => cmp(a.qualifiedName, b.qualifiedName));
  return {
    owners: Object.fromEntries(relations.map((r) => [r.qualifiedName, r.owner])),
    actorRoles: Object.fromEntries(
      [...actors].sort((a, b) => cmp(a.name, b.name)).map((a) => [a.name, [a.role, ...(catalog.actors.find((c) => c.role === a.role)?.reaches ?? []).map((r) => r.role).sort(cmp)]]),
    ),
    policies: relations.flatMap((r) => [...r.policies].sort((a, b) => cmp(a.name, b.name)).map((p) => ({ relation: r.qualifiedName, name: p.name, command: p.command, roles: [...p.roles].sort(cmp) }))),
  };
}
