import { quoteIdent, quoteRelation } from '../../sql/text.js';
import type { LintRule, RuleFinding } from '../rule.js';
import { isTopLevelTable, objectOf } from '../util.js';

export const conventionForeignKeyIndexed: LintRule = {
  id: 'convention-foreign-key-indexed',
  severity: 'warning',
  title: 'A foreign key has no index leading with its columns',
  pitfalls: [],
  why: 'Convention from the config (conventions.foreignKeysIndexed): deleting or updating a referenced row scans the whole referencing table, under a lock.',
  check(ctx) {
    if (!ctx.config.conventions.foreignKeysIndexed) return [];
    const out: RuleFinding[] = [];
    for (const rel of ctx.catalog.relations) {
      if (!isTopLevelTable(rel)) continue;
      for (const fk of rel.foreignKeys) {
        if (fk.inherited) continue;
        const n = fk.columns.length;
        const covered = rel.indexes.some((ix) => {
          const lead = ix.columns.slice(0, n);
          return lead.length === n && fk.columns.every((c) => lead.includes(c));
        });
        if (covered) continue;
        out.push({
          relation: rel.qualifiedName,
          actor: null,
          object: objectOf.constraint(rel.qualifiedName, fk.name),
          message: `foreign key ${fk.name} (${fk.columns.join(', ')}) -> ${fk.references} has no index leading with its columns`,
          fix: `CREATE INDEX ON ${quoteRelation(rel.qualifiedName)} (${fk.columns.map(quoteIdent).join(', ')});`,
        });
      }
    }
    return out;
  },
};
