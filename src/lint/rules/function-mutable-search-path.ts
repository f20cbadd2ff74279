import type { LintRule, RuleFinding } from '../rule.js';
import { list, locationKey, objectOf, sqlFunction } from '../util.js';

export const functionMutableSearchPath: LintRule = {
  id: 'function-mutable-search-path',
  severity: 'error',
  title: 'A SECURITY DEFINER function has no fixed search_path, or one an actor can write to',
  pitfalls: [4],
  why: 'A SECURITY DEFINER function resolves unqualified names through the caller\'s search_path: a caller who can create objects in a schema on that path (or temporary ones) makes the function run its code with the owner\'s rights.',
  check(ctx) {
    const out: RuleFinding[] = [];
    for (const f of ctx.catalog.functions) {
      if (!f.securityDefiner || !f.inScope || f.extension !== null) continue;
      const base = { relation: null, actor: null, object: objectOf.function(f), locate: locationKey.function(f.schema, f.name) };
      const fixed = `ALTER FUNCTION ${sqlFunction(f)} SET search_path = pg_catalog, pg_temp; (and schema-qualify every name in the body)`;
      if (f.searchPath === null) {
        out.push({ ...base, message: `${f.signature} is SECURITY DEFINER (runs as ${f.owner}) without a fixed search_path: it resolves names through the caller's`, fix: fixed });
        continue;
      }
      const schemas = f.searchPath
        .split(',')
        .map((s) => s.trim().replace(/^"(.*)"$/, '$1'))
        .filter((s) => s.length > 0 && s !== "''" && s !== '""');
      const writable = schemas.filter((s) => {
        if (s === '$user') return true;
        const schema = ctx.catalog.schemas.find((x) => x.name === s);
        return schema?.privileges.some((p) => p.create && ctx.restricted.some((a) => a.role === p.role)) ?? false;
      });
      if (writable.length > 0) {
        out.push({ ...base, message: `${f.signature} is SECURITY DEFINER with search_path ${f.searchPath}: ${list(writable)} ${writable.length === 1 ? 'is' : 'are'} writable by an actor (or per-user), so an actor can shadow the names it calls`, fix: fixed });
      } else if (schemas.length > 0 && !schemas.includes('pg_temp')) {
        out.push({ ...base, severity: 'warning', message: `${f.signature} is SECURITY DEFINER with search_path ${f.searchPath} but without pg_temp last: temporary tables of the caller are searched first for unqualified relation names`, fix: fixed });
      }
    }
    return out;
  },
};
