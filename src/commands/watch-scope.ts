/**
 * What a save changed, for `tenantproof watch`: the subjects whose definition
 * changed between two catalogs, what depends on them, and the part of the
 * catalog a partial probe pass needs.
 */
import type { Catalog, Func, Relation } from '../catalog/types.js';

export interface ChangeSet {
  /** Everything must be probed: first pass, or the actors' roles or the tenancy changed. */
  all: boolean;
  /** Relations (schema.name) and function signatures whose definition changed, appeared or disappeared. */
  changed: string[];
  /** The changed subjects and everything whose behaviour depends on them. */
  affected: Set<string>;
}

// oid changes when an object is dropped and recreated identically; that is no change for isolation.
const relationKey = ({ oid: _oid, ...rest }: Relation) => JSON.stringify(rest);
const functionKey = ({ oid: _oid, ...rest }: Func) => JSON.stringify(rest);

/**
 * What a save changed, from two catalogs. Changed: any difference in a
 * relation (columns, keys, RLS flags, policies, grants, tenancy) or a
 * function (body, security, grants). Affected adds, to a fixpoint, what
 * depends on a changed subject: views over it (dependsOn), relations whose
 * policies read it or call it (pg_depend), functions that name it, call it or
 * return its rows; partitions and their parent go together. A schema grant
 * affects its relations, a type its columns, a sequence the tables drawing
 * from it. Actor roles, memberships or the tenant table changing affect
 * everything. Foreign-key children are not dependents: a child's policies
 * and keys decide its isolation, not its parent's policies.
 */
export function diffCatalogs(before: Catalog | null, after: Catalog): ChangeSet {
  const subjects = [...after.relations.map((r) => r.qualifiedName), ...after.functions.map((f) => f.signature)];
  if (!before) return { all: true, changed: [], affected: new Set(subjects) };
  if (JSON.stringify(before.actors) !== JSON.stringify(after.actors) || JSON.stringify(before.tenancy) !== JSON.stringify(after.tenancy)) {
    return { all: true, changed: ['actor roles or tenancy'], affected: new Set(subjects) };
  }
  const changed = new Set<string>();
  const diff = <T>(a: readonly T[], b: readonly T[], name: (x: T) => string, key: (x: T) => string) => {
    const old = new Map(a.map((x) => [name(x), key(x)]));
    const now = new Map(b.map((x) => [name(x), key(x)]));
    for (const [n, k] of now) if (old.get(n) !== k) changed.add(n);
    for (const n of old.keys()) if (!now.has(n)) changed.add(n);
  };
  diff(before.relations, after.relations, (r) => r.qualifiedName, relationKey);
  diff(before.functions, after.functions, (f) => f.signature, functionKey);

  const direct = new Set(changed);
  const changedSchemas = new Set<string>();
  diff(before.schemas, after.schemas, (s) => `schema:${s.name}`, (s) => JSON.stringify(s));
  diff(before.types, after.types, (t) => `type:${t.schema}.${t.name}`, (t) => JSON.stringify(t));
  diff(before.sequences, after.sequences, (s) => `sequence:${s.qualifiedName}`, (s) => JSON.stringify(s));
  const seqUsers = new Map([...before.sequences, ...after.sequences].map((s) => [`sequence:${s.qualifiedName}`, s.usedBy]));
  for (const c of changed) {
    if (c.startsWith('schema:')) changedSchemas.add(c.slice('schema:'.length));
    else if (c.startsWith('type:')) {
      const t = c.slice('type:'.length);
      for (const r of after.relations) if (r.columns.some((col) => `${col.typeSchema}.${col.typeName}` === t)) direct.add(r.qualifiedName);
    } else if (c.startsWith('sequence:')) {
      for (const col of seqUsers.get(c) ?? []) direct.add(col.split('.').slice(0, 2).join('.'));
    }
  }
  for (const r of after.relations) if (changedSchemas.has(r.schema)) direct.add(r.qualifiedName);
  for (const f of after.functions) if (changedSchemas.has(f.schema)) direct.add(f.signature);

  const affected = new Set(direct);
  for (let grew = true; grew; ) {
    grew = false;
    const add = (s: string) => {
      if (!affected.has(s)) {
        affected.add(s);
        grew = true;
      }
    };
    for (const r of after.relations) {
      if (affected.has(r.qualifiedName)) {
        for (const p of r.partitions) add(p);
        if (r.partitionOf) add(r.partitionOf);
        continue;
      }
      const reads = [...r.dependsOn, ...r.policies.flatMap((p) => [...p.relations, ...p.functions])];
      if (reads.some((x) => affected.has(x))) add(r.qualifiedName);
    }
    for (const f of after.functions) {
      if (affected.has(f.signature)) continue;
      const reads = [...f.relationsReferenced, ...f.calls, ...(f.returnsRelation ? [f.returnsRelation] : [])];
      if (reads.some((x) => affected.has(x))) add(f.signature);
    }
  }
  return { all: false, changed: [...changed].sort(), affected };
}

/**
 * The catalog the probes see for a partial pass: the affected relations plus
 * what a world needs to fill them (the tenant table, foreign-key parents,
 * the relations views and policies read, partitions), transitively; and only
 * the affected functions. Everything else is left out, so its cases are not
 * built and its rows are not generated.
 */
export function probeScope(catalog: Catalog, affected: ReadonlySet<string>): Catalog {
  const byName = new Map(catalog.relations.map((r) => [r.qualifiedName, r]));
  const need = new Set<string>();
  const queue = [...catalog.relations.filter((r) => affected.has(r.qualifiedName)).map((r) => r.qualifiedName)];
  if (catalog.tenancy.tenantTable) queue.push(catalog.tenancy.tenantTable);
  for (const f of catalog.functions) if (affected.has(f.signature) && f.returnsRelation) queue.push(f.returnsRelation);
  while (queue.length > 0) {
    const name = queue.pop()!;
    const r = byName.get(name);
    if (!r || need.has(name)) continue;
    need.add(name);
    queue.push(...r.foreignKeys.map((k) => k.references), ...r.dependsOn, ...r.policies.flatMap((p) => p.relations), ...r.partitions);
    if (r.partitionOf) queue.push(r.partitionOf);
  }
  return {
    ...catalog,
    relations: catalog.relations.filter((r) => need.has(r.qualifiedName)),
    functions: catalog.functions.filter((f) => affected.has(f.signature)),
  };
}

