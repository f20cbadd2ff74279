import type { LintRule, RuleFinding } from '../rule.js';
import { objectOf } from '../util.js';

export const conventionNaming: LintRule = {
  id: 'convention-naming',
  severity: 'warning',
  title: 'A relation or column name breaks the naming convention',
  pitfalls: [],
  why: 'Convention from the config (conventions.naming): names that need quoting or mix styles invite mistakes in policies and queries.',
  check(ctx) {
    const naming = ctx.config.conventions.naming;
    if (!naming) return [];
    const relationRe = new RegExp(naming.relation);
    const columnRe = new RegExp(naming.column);
    const out: RuleFinding[] = [];
    for (const rel of ctx.catalog.relations) {
      if (rel.extension !== null) continue;
      if (!relationRe.test(rel.name))
        out.push({
          relation: rel.qualifiedName,
          actor: null,
          message: `relation name "${rel.name}" does not match ${naming.relation}`,
          fix: `rename it to match ${naming.relation}`,
        });
      if (rel.partitionOf !== null) continue;
      for (const col of rel.columns) {
        if (!columnRe.test(col.name))
          out.push({
            relation: rel.qualifiedName,
            actor: null,
            object: objectOf.column(rel.qualifiedName, col.name),
            message: `column name "${col.name}" does not match ${naming.column}`,
            fix: `rename it to match ${naming.column}`,
          });
      }
    }
    return out;
  },
};
