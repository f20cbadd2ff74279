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
  inherits: z.record(z.string(), z.array(z.string())).optional(),
  forced: z.array(z.string()).optional(),
  policies: z.array(z.object({ relation: z.string(), name: z.string(), command: z.enum(['all', 'select', 'insert', 'update', 'delete']), roles: z.array(z.string()) })).optional(),
});

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** Sorted, so that the same catalog gives the same facts (they travel in partial reports). */
export function causeFactsOf(catalog: Pick<Catalog, 'relations' | 'actors'>, actors: ReadonlyArray<{ name: string; role: string }>): CauseFacts {
  const relations = catalog.relations.filter((r) => !r.extension).sort((a, b) => cmp(a.qualifiedName, b.qualifiedName));
  const sorted = [...actors].sort((a, b) => cmp(a.name, b.name));
  const reaches = (role: string) => catalog.actors.find((c) => c.role === role)?.reaches ?? [];
  return {
    owners: Object.fromEntries(relations.map((r) => [r.qualifiedName, r.owner])),
    actorRoles: Object.fromEntries(sorted.map((a) => [a.name, [a.role, ...reaches(a.role).map((r) => r.role).sort(cmp)]])),
    inherits: Object.fromEntries(sorted.map((a) => [a.name, [a.role, ...reaches(a.role).filter((r) => r.inheritsPrivileges).map((r) => r.role).sort(cmp)]])),
    forced: relations.filter((r) => r.rls.forced).map((r) => r.qualifiedName),
    policies: relations.flatMap((r) => [...r.policies].sort((a, b) => cmp(a.name, b.name)).map((p) => ({ relation: r.qualifiedName, name: p.name, command: p.command, roles: [...p.roles].sort(cmp) }))),
  };
}
