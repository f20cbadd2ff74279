import { quoteIdent, quoteRelation } from '../../sql/text.js';
import type { LintRule } from '../rule.js';
import { isTopLevelTable } from '../util.js';

export const conventionTimestamps: LintRule = {
  id: 'convention-timestamps',
  severity: 'warning',
  title: 'A table lacks the timestamp columns the conventions require',
  pitfalls: [],
  why: 'Convention from the config (conventions.timestamps): audits and retention need to know when each row was created and changed.',
  check(ctx) {
    const required = ctx.config.conventions.timestamps;
    if (!required || required.length === 0) return [];
    return ctx.catalog.relations
      .filter((rel) => isTopLevelTable(rel))
      .flatMap((rel) => {
        const missing = required.filter((c) => !rel.columns.some((col) => col.name === c));
        if (missing.length === 0) return [];
        return [
          {
            relation: rel.qualifiedName,
            actor: null,
            message: `${rel.qualifiedName} has no ${missing.join(', ')}`,
            fix: missing.map((c) => `ALTER TABLE ${quoteRelation(rel.qualifiedName)} ADD COLUMN ${quoteIdent(c)} timestamptz NOT NULL DEFAULT now();`).join(' '),
          },
        ];
      });
  },
};
