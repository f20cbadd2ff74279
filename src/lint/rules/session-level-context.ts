import { sessionLevelStatements } from '../../config/context.js';
import type { LintRule, RuleFinding } from '../rule.js';
import { objectOf } from '../util.js';

// set_config(name, value, false), or SET (not LOCAL) of a custom setting, in a function body.
const SESSION_WIDE = /set_config\s*\((?:[^()]|\([^()]*\))*,\s*false\s*\)|(?:^|;)\s*set\s+(?!local\b)(?!search_path)[a-z_]+\.[a-z_]/im;

export const sessionLevelContext: LintRule = {
  id: 'session-level-context',
  severity: 'error',
  title: 'An actor enters its tenant context for the whole session, not the transaction',
  pitfalls: [22],
  why: "On a pooled connection a session-level SET or set_config(..., false) survives COMMIT: the next request served by that connection runs in the previous tenant's context.",
  check(ctx) {
    const out: RuleFinding[] = [];
    for (const actor of ctx.actors) {
      const direct = sessionLevelStatements(actor.config);
      // A context that calls a helper: the helper's body must set locally too.
      const helpers = actor.contextHelpers.filter((f) => f.body !== null && SESSION_WIDE.test(f.body));
      if (direct.length === 0 && helpers.length === 0) continue;
      out.push({
        relation: null,
        actor: actor.name,
        object: objectOf.actorContext(actor.name),
        message:
          direct.length > 0
            ? `${actor.name}'s context is set for the session: ${direct.join('; ')}`
            : `${actor.name}'s context calls ${helpers.map((f) => f.signature).join(', ')}, which set${helpers.length === 1 ? 's' : ''} the context for the session`,
        fix: "set it for the transaction only: set_config('<setting>', <value>, true) or SET LOCAL, inside the transaction of each request",
      });
    }
    return out;
  },
};
