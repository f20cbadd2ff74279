/** The hand-written suite (bench/suite.ts) as pgTAP test files, each a rolled-back transaction. */
import { quoteLiteral } from '../../src/sql/text.js';
import type { Check, Group, Suite } from '../suite.js';

export function assertion(c: Check): string {
  const what = quoteLiteral(c.description);
  if (c.expect === 'zero') return `select is((${c.statement}), 0::bigint, ${what})`;
  if (c.expect === 'refused') return `select throws_ok(${quoteLiteral(c.statement)}, '42501', null, ${what})`;
  return `select is_empty(${quoteLiteral(c.statement)}, ${what})`;
}

/**
 * The suite as `files` test files of about equal size. A group is cut into
 * slices when there are fewer groups than files (each slice enters its actor
 * and tenant again, as a separate test file would).
 */
export function suiteFiles(suite: Suite, files: number): string[] {
  const cuts = Math.max(1, Math.ceil(files / suite.groups.length));
  const pieces = suite.groups.flatMap((g) => {
    const size = Math.ceil(g.checks.length / cuts);
    return Array.from({ length: cuts }, (_, i) => ({ ...g, checks: g.checks.slice(i * size, (i + 1) * size) })).filter((p) => p.checks.length > 0);
  });
  const buckets: Group[][] = Array.from({ length: Math.max(1, Math.min(files, pieces.length)) }, () => []);
  const sizes = buckets.map(() => 0);
  // Largest pieces first, each into the lightest file: balanced work for pg_prove -j.
  for (const g of pieces.sort((a, b) => b.checks.length - a.checks.length)) {
    const i = sizes.indexOf(Math.min(...sizes));
    buckets[i]!.push(g);
    sizes[i]! += g.checks.length;
  }
  return buckets.map((groups, i) => {
    const lines = ['\\set ON_ERROR_STOP 1', '\\set QUIET 1', 'begin;', `select plan(${sizes[i]});`];
    for (const g of groups) lines.push(`-- ${g.label}`, ...g.enter.map((s) => `${s};`), ...g.checks.map((c) => `${assertion(c)};`), 'reset role;');
    lines.push('select * from finish();', 'rollback;', '');
    return lines.join('\n');
  });
}
