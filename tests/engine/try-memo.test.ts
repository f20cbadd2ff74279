import { sql } from '@databases/pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { definitionsFingerprint, tried } from '../../src/world/try-memo.js';
import { freshDatabase, type TestDatabase } from '../support/database.js';

// Discovery's answers are remembered under a fingerprint of every definition they may depend on: a
// stale answer would make worlds the schema refuses, so each kind of definition must move it.

let t: TestDatabase;
beforeAll(async () => {
  t = await freshDatabase({ template: 'empty' });
  await t.db.query(
    sql.__dangerous__rawValue(`
      create schema m;
      create function m.valid(v text) returns boolean language sql immutable as $$ select length(v) = 3 $$;
      create domain m.code as text check (m.valid(value));
      create type m.kind as enum ('a', 'b');
      create table m.t (id int primary key, code m.code not null, kind m.kind not null, n int check (n > 0));
    `),
  );
});
afterAll(async () => t?.drop());

const changes: Array<[string, string]> = [
  ['a function body a CHECK calls', `create or replace function m.valid(v text) returns boolean language sql immutable as $$ select length(v) = 4 $$`],
  ['a table CHECK', `alter table m.t drop constraint t_n_check, add constraint t_n_check check (n > 1)`],
  ['a domain CHECK', `alter domain m.code add constraint code_upper check (value = upper(value))`],
  ['a column type', `alter table m.t alter column n type bigint`],
  ['an enum label', `alter type m.kind add value 'c'`],
  ['a new column', `alter table m.t add column extra text not null default ''`],
];

describe('the fingerprint of the definitions discovery depends on', () => {
  it('stays the same when nothing changes, across connections and their temporary objects', async () => {
    const before = await definitionsFingerprint(t.db);
    await t.db.task(async (c) => {
      await c.query(sql`create function pg_temp.scratch() returns int language sql as $$ select 1 $$`);
      expect(await definitionsFingerprint(c)).toBe(before);
    });
    // A policy is no input of discovery: editing one (a watch pass) keeps the answers.
    await t.db.query(sql`create policy p on m.t using (true)`);
    expect(await definitionsFingerprint(t.db)).toBe(before);
  });

  it.each(changes)('moves when %s changes', async (_what, ddl) => {
    const before = await definitionsFingerprint(t.db);
    await t.db.query(sql.__dangerous__rawValue(ddl));
    expect(await definitionsFingerprint(t.db)).not.toBe(before);
  });
});

describe('tried', () => {
  it('asks once per fingerprint and arguments, and again under another fingerprint or other arguments', async () => {
    let asked = 0;
    const ask = async () => {
      asked++;
      return [true, false];
    };
    const f = `test-${Math.random()}`;
    expect(await tried(f, ['values', 'expr', ['x', 'y']], ask)).toEqual([true, false]);
    expect(await tried(f, ['values', 'expr', ['x', 'y']], ask)).toEqual([true, false]);
    expect(asked).toBe(1);
    await tried(`${f}-other`, ['values', 'expr', ['x', 'y']], ask);
    await tried(f, ['values', 'expr', ['x', 'z']], ask);
    expect(asked).toBe(3);
  });
});
