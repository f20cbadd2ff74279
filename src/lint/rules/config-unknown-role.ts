import type { LintRule } from '../rule.js';
import { objectOf } from '../util.js';

export const configUnknownRole: LintRule = {
  id: 'config-unknown-role',
  severity: 'error',
  title: 'An actor\'s role does not exist in the database',
  pitfalls: [],
  why: 'Nothing can be checked for an actor whose role is missing: a typo here would make the verdict vacuous for that actor.',
  check(ctx) {
    return ctx.actors
      .filter((a) => !a.exists)
      .map((a) => ({
        relation: null,
        actor: a.name,
        object: objectOf.role(a.role),
        message: `actor ${a.name} uses role ${a.role}, which does not exist in database ${ctx.catalog.database}`,
        fix: `correct actors[].role for ${a.name}, or create the role in the migrations`,
      }));
  },
};
