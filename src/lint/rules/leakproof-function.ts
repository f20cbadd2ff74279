import type { LintRule } from '../rule.js';
import { locationKey, objectOf, sqlFunction } from '../util.js';

export const leakproofFunction: LintRule = {
  id: 'leakproof-function',
  severity: 'error',
  title: 'A user-defined function is marked LEAKPROOF',
  pitfalls: [16],
  why: 'The planner runs LEAKPROOF functions before the policy filter, on rows of every tenant: any error message, notice or side effect the function can produce reveals those rows.',
  check(ctx) {
    return ctx.catalog.functions
      .filter((f) => f.leakproof && f.inScope && f.extension === null)
      .map((f) => ({
        relation: null,
        actor: null,
        object: objectOf.function(f),
        locate: locationKey.function(f.schema, f.name),
        message: `${f.signature} is marked LEAKPROOF: it may run on other tenants' rows before the policies filter them`,
        fix: `ALTER FUNCTION ${sqlFunction(f)} NOT LEAKPROOF;`,
      }));
  },
};
