import type { LintRule } from '../rule.js';
import { objectOf } from '../util.js';

export const configUnknownRole: LintRule = {
  id: 'config-unknown-role',
  severity: 'error',
  title: 'An actor\'s role, or the login it connects as, does not exist in the database',
  pitfalls: [],
  why: 'Nothing can be checked for an actor whose role or login is missing: a typo here would make the verdict vacuous for that actor.',
  check(ctx) {
    return ctx.actors.flatMap((a) => [
      ...(a.exists
        ? []
        : [{ relation: null, actor: a.name, object: objectOf.role(a.role), message: `actor ${a.name} uses role ${a.role}, which does not exist in database ${ctx.catalog.database}`, fix: `correct actors[].role for ${a.name}, or create the role in the migrations` }]),
      ...(a.loginExists || a.login === a.role
        ? []
        : [{ relation: null, actor: a.name, object: objectOf.role(a.login), message: `actor ${a.name} logs in as ${a.login}, which does not exist in database ${ctx.catalog.database}`, fix: `correct actors[].login for ${a.name}, or create the login role` }]),
    ]);
  },
};
