import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Catalog, Func, Relation } from '../catalog/types.js';
import { locateObjects, migrationFiles } from './locations.js';

// Only the names matter to locateObjects.
const catalog = {
  relations: [
    { schema: 'app', name: 'tasks' },
    { schema: 'app', name: 'task_view' },
    { schema: 'app', name: 'dup' },
    { schema: 'other', name: 'dup' },
  ] as Relation[],
  functions: [{ schema: 'app', name: 'current_tenant' }] as Func[],
} as Catalog;

describe('locateObjects', () => {
  it('finds CREATE TABLE / VIEW / FUNCTION / POLICY in committed migrations and current.sql, last definition winning', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'tp-migrations-'));
    mkdirSync(path.join(dir, 'committed'));
    writeFileSync(
      path.join(dir, 'committed', '000001-a.sql'),
      [
        '--! Previous: -',
        '-- create table app.commented_out (id int);',
        'create table if not exists app.tasks (',
        '  id int',
        ');',
        'create function app.current_tenant() returns uuid language sql as $$ select null::uuid $$;',
        'create table dup (id int);',
        'CREATE POLICY',
        '  tasks_select ON "app"."tasks" FOR SELECT USING (true);',
      ].join('\n'),
    );
    writeFileSync(path.join(dir, 'committed', '000002-b.sql'), '\ncreate or replace function app.current_tenant() returns uuid language sql as $$ select null::uuid $$;\n');
    writeFileSync(path.join(dir, 'current.sql'), 'create or replace view task_view as select 1;\n');

    expect((await migrationFiles(dir)).map((f) => path.basename(f))).toEqual(['000001-a.sql', '000002-b.sql', 'current.sql']);
    const loc = await locateObjects(dir, catalog, { relativeTo: dir });
    expect(loc.get('relation:app.tasks')).toEqual({ file: 'committed/000001-a.sql', line: 3 });
    expect(loc.get('policy:app.tasks.tasks_select')).toEqual({ file: 'committed/000001-a.sql', line: 8 });
    expect(loc.get('function:app.current_tenant')).toEqual({ file: 'committed/000002-b.sql', line: 2 });
    expect(loc.get('relation:app.task_view')).toEqual({ file: 'current.sql', line: 1 });
    // Ambiguous unqualified names and commented-out statements get no location.
    expect(loc.has('relation:app.dup')).toBe(false);
    expect(loc.has('relation:app.commented_out')).toBe(false);
  });

  it('returns nothing for a folder without migrations', async () => {
    expect((await locateObjects(mkdtempSync(path.join(tmpdir(), 'tp-empty-')), catalog)).size).toBe(0);
  });
});
