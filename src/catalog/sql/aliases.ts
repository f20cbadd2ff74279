/**
 * Names that hold a setting's value, so that a use of the name counts as a
 * use of the setting: output columns of subqueries and CTEs
 * (`from (select current_setting('app.user_id', true) as s) t ... t.s`).
 * PL/pgSQL variables are found by plpgsql.ts the same way.
 */
import { frameOf, walk } from './nodes.js';
import { originOf, type Origin, type Scope } from './setting-values.js';

/** `scope` with the output columns of `roots` that are a setting's value added to its aliases. */
export function withOutputAliases(roots: readonly unknown[], scope: Scope): Scope {
  const found = new Map<string, Origin>();
  for (const root of roots) {
    walk(root, (f) => {
      if (f.kind !== 'ResTarget' || typeof f.body.name !== 'string') return;
      const val = frameOf(f.body.val, 'val');
      const origin = val ? originOf(val, scope) : undefined;
      if (origin) found.set(f.body.name, origin);
    });
  }
  if (found.size === 0) return scope;
  return { ...scope, aliases: new Map([...scope.aliases, ...found]) };
}
