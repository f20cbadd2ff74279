import { sql } from '@databases/pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { introspect } from '../../src/catalog/introspect.js';
import type { Relation } from '../../src/catalog/types.js';
import { partialPredicate, uniqueKeysOf } from '../../src/world/unique-keys.js';
import { freshDatabase, type TestDatabase } from '../support/database.js';

// A generated world that repeats a unique key is written again row by row (slow): the builder must
// know every unique key, partial unique indexes included, and when a partial one applies to a row.

let t: TestDatabase;
let rel: Relation;
beforeAll(async () => {
  t = await freshDatabase({ template: 'empty' });
  await t.db.query(
    sql.__dangerous__rawValue(`
      create schema u;
      create table u.links (
        id int primary key, account int not null, member int not null, is_default boolean not null default false,
        deleted_at timestamptz, status text not null default 'active', email text, "Odd Name" boolean,
        unique (account, member, status)
      );
      create unique index links_one_default on u.links (account, member) where is_default;
      create unique index links_live_email on u.links (account, email) where deleted_at is null and status = 'active';
      create unique index links_not_odd on u.links (member) where not "Odd Name";
      create unique index links_lower_email on u.links (lower(email));
      create unique index links_complex on u.links (account) where length(status) > 3 or member < 0;
    `),
  );
  const catalog = await introspect(t.db, { actorRoles: [], schemas: ['u'] });
  rel = catalog.relations.find((r) => r.qualifiedName === 'u.links')!;
});
afterAll(async () => t?.drop());

const rows: Array<Record<string, unknown>> = [
  { id: 1, account: 1, member: 1, is_default: true, deleted_at: null, status: 'active', email: 'a', 'Odd Name': false },
  { id: 2, account: 1, member: 2, is_default: false, deleted_at: '2026-01-01T00:00:00Z', status: 'active', email: 'b', 'Odd Name': true },
  { id: 3, account: 2, member: 3, is_default: true, deleted_at: null, status: "it's off", email: null, 'Odd Name': null },
  { id: 4, account: 2, member: 4, is_default: false, deleted_at: null, status: 'gone', email: 'c', 'Odd Name': false },
];

describe('the unique keys of a generated row', () => {
  it('are the primary key, the unique constraints and the unique indexes of plain columns, partial ones with their condition', () => {
    const keys = uniqueKeysOf(rel);
    expect(keys.map((k) => [k.columns.join(','), k.applies !== undefined]).sort()).toEqual(
      [
        ['id', false],
        ['account,member,status', false],
        ['account,member', true],
        ['account,email', true],
        ['member', true],
        ['account', true],
      ].sort(),
    );
  });

  it('say whether a partial index applies to a row exactly as PostgreSQL does, for the forms they take', async () => {
    const partial = rel.indexes.filter((i) => i.predicate !== null);
    expect(partial).toHaveLength(4);
    let compared = 0;
    for (const index of partial) {
      const applies = partialPredicate(index.predicate!);
      for (const row of rows) {
        const [pg] = await t.db.query(
          sql.__dangerous__rawValue(
            `select coalesce((${index.predicate}), false) as ok from jsonb_populate_record(null::u.links, '${JSON.stringify(row).replaceAll("'", "''")}'::jsonb) t`,
          ),
        );
        if (index.name === 'links_complex') {
          // Not a form the builder reads: it applies to every row (stricter than the index, never a collision).
          expect(applies(row)).toBe(true);
        } else {
          expect(applies(row), `${index.name} on row ${row.id}`).toBe(pg!.ok);
          compared++;
        }
      }
    }
    expect(compared).toBe(12);
  });

  it('reads the quoted literals and identifiers of pg_get_expr', () => {
    expect(partialPredicate(`(status = 'it''s off'::text)`)({ status: "it's off" })).toBe(true);
    expect(partialPredicate(`((kind <> 'x'::text) AND "Is On")`)({ kind: 'y', 'Is On': true })).toBe(true);
    expect(partialPredicate(`((kind <> 'x'::text) AND "Is On")`)({ kind: 'x', 'Is On': true })).toBe(false);
    expect(partialPredicate(`(n = 3)`)({ n: 3 })).toBe(true);
    expect(partialPredicate(`(n = 3)`)({ n: null })).toBe(false);
  });
});
