import { quoteIdent } from '../../sql/text.js';
import type { LintRule, RuleFinding } from '../rule.js';
import { list } from '../util.js';

export const defaultPrivilegesToActor: LintRule = {
  id: 'default-privileges-to-actor',
  severity: 'warning',
  title: 'ALTER DEFAULT PRIVILEGES grants future tables or functions to an actor',
  pitfalls: [20],
  why: 'Every table the owner creates later is readable or writable by the actor from the first second, before anyone enables RLS or writes a policy on it.',
  check(ctx) {
    const out: RuleFinding[] = [];
    for (const d of ctx.catalog.defaultPrivileges) {
      if (d.objectType !== 'table' && d.objectType !== 'function') continue;
      if (d.schema !== null && !ctx.catalog.scannedSchemas.includes(d.schema)) continue;
      const actors = ctx.restricted.filter((a) => a.exists && (d.grantee === 'PUBLIC' || a.inheritedRoles.has(d.grantee)));
      for (const actor of actors) {
        const where = d.schema === null ? 'in every schema' : `in schema ${d.schema}`;
        const what = d.objectType === 'table' ? 'tables' : 'functions';
        out.push({
          relation: null,
          actor: actor.name,
          object: `default privileges for ${d.owner} ${where} on ${what} to ${d.grantee}`,
          message: `every new ${d.objectType} that ${d.owner} creates ${where} is granted ${list(d.privileges)} to ${d.grantee}${d.grantee === actor.role ? '' : ` (held by ${actor.name})`}, before its RLS and policies exist`,
          fix: `ALTER DEFAULT PRIVILEGES FOR ROLE ${quoteIdent(d.owner)}${d.schema === null ? '' : ` IN SCHEMA ${quoteIdent(d.schema)}`} REVOKE ${d.privileges.join(', ')} ON ${what.toUpperCase()} FROM ${d.grantee === 'PUBLIC' ? 'PUBLIC' : quoteIdent(d.grantee)}; grant each new object explicitly in the migration that secures it`,
        });
      }
    }
    return out;
  },
};
