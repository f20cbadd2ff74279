import { lstatSync, readdirSync, readFileSync, readlinkSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { sql } from '@databases/pg';
import { applyCurrent, commitCurrent, migrateDatabase, resetDatabase, uncommitLast } from '../src/migrate/index.js';
import { openPool } from '../src/db/pool.js';
import { withDatabase } from '../src/db/server.js';
import { TenantproofError } from '../src/errors.js';
import { freshDatabase } from './support/database.js';
import { schemaFingerprint } from './support/fingerprint.js';
import { tempProject, type TempProject } from './support/temp-project.js';
import type { MigrationTarget } from '../src/migrate/index.js';

let project: TempProject | undefined;
afterEach(async () => {
  await project?.cleanup();
  project = undefined;
});

async function fingerprintOf(t: MigrationTarget): Promise<string[]> {
  const db = await openPool({ connectionString: withDatabase(t.serverUrl, t.database), poolSize: 1, warm: 1 });
  try {
    return await schemaFingerprint(db);
  } finally {
    await db.dispose();
  }
}

const committedFiles = (root: string) => readdirSync(path.join(root, 'migrations', 'committed')).sort();

describe('graphile-migrate workflow', () => {
  it('migrations/current.sql is a link to the top-level current.sql', () => {
    project = tempProject();
    const link = path.join(project.root, 'migrations', 'current.sql');
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
    expect(readlinkSync(link)).toBe('../current.sql');
  });

  it('applies the top-level current.sql, and applying it twice changes nothing', async () => {
    project = tempProject();
    const t = project.target();
    await resetDatabase(t);
    writeFileSync(
      path.join(project.root, 'current.sql'),
      `create table if not exists app.notes (tenant_id uuid not null, id uuid not null default gen_random_uuid(), body text, primary key (tenant_id, id));\n` +
        `alter table app.notes enable row level security;\nalter table app.notes force row level security;\n` +
        `drop policy if exists notes_select on app.notes;\n` +
        `create policy notes_select on app.notes for select to tp_member using (tenant_id = app.current_tenant_id());\n`,
    );
    await applyCurrent(t);
    const once = await fingerprintOf(t);
    expect(once.some((l) => l.startsWith('pol app.notes notes_select'))).toBe(true);
    await applyCurrent(t);
    expect(await fingerprintOf(t)).toEqual(once);
  });

  it('commit writes the next migration from the top-level file; uncommit brings it back byte for byte', async () => {
    project = tempProject();
    const t = project.target();
    await resetDatabase(t);
    // current.sql must be idempotent: uncommit leaves its effects in the database.
    const body = 'create table if not exists app.commit_probe (tenant_id uuid not null, id uuid not null, primary key (tenant_id, id));\n';
    writeFileSync(path.join(project.root, 'current.sql'), body);
    const before = committedFiles(project.root);
    await commitCurrent(t, 'commit probe');
    const after = committedFiles(project.root);
    expect(after.length).toBe(before.length + 1);
    const added = after.find((f) => !before.includes(f))!;
    expect(added).toMatch(/commit-probe\.sql$/);
    const committedText = readFileSync(path.join(project.root, 'migrations', 'committed', added), 'utf8');
    expect(committedText).toContain(body.trim());
    expect(readFileSync(path.join(project.root, 'current.sql'), 'utf8').trim()).toBe('-- Enter migration here');
    // The link survives commit: graphile-migrate wrote through it, not over it.
    expect(lstatSync(path.join(project.root, 'migrations', 'current.sql')).isSymbolicLink()).toBe(true);

    await uncommitLast(t);
    expect(committedFiles(project.root)).toEqual(before);
    expect(readFileSync(path.join(project.root, 'current.sql'), 'utf8')).toContain(body.trim());
    await commitCurrent(t, 'commit probe');
    expect(readFileSync(path.join(project.root, 'migrations', 'committed', added), 'utf8')).toBe(committedText);
  });

  it('a database at an earlier committed migration migrates to the same schema as a fresh reset', async () => {
    project = tempProject();
    const files = committedFiles(project.root);
    expect(files.length).toBeGreaterThan(1);
    const committedDir = path.join(project.root, 'migrations', 'committed');
    const fresh = await freshDatabase();
    try {
      const target = await schemaFingerprint(fresh.db);
      const previous = project.target();
      // Go back one committed migration at a time until the schema differs: the newest ones may only
      // change data (000005 renumbers reference rows), and a database they left alike proves nothing.
      let atPrevious: string[] = target;
      for (let parked = 1; parked < files.length; parked++) {
        const moved = files.slice(files.length - parked);
        for (const f of moved) renameSync(path.join(committedDir, f), path.join(project.root, f));
        await resetDatabase(previous);
        for (const f of moved) renameSync(path.join(project.root, f), path.join(committedDir, f));
        atPrevious = await fingerprintOf(previous);
        if (JSON.stringify(atPrevious) !== JSON.stringify(target)) break;
      }
      expect(atPrevious).not.toEqual(target);
      await migrateDatabase(previous);
      expect(await fingerprintOf(previous)).toEqual(target);
    } finally {
      await fresh.drop();
    }
  });

  it('a broken migration fails with file, line and PostgreSQL message, and keeps the last good state', async () => {
    project = tempProject();
    const t = project.target();
    await resetDatabase(t);
    const good = await fingerprintOf(t);
    writeFileSync(path.join(project.root, 'current.sql'), 'create table app.ok_table (id int);\n\ncreate tabel app.broken (id int);\n');
    const error = await applyCurrent(t).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(TenantproofError);
    expect((error as TenantproofError).code).toBe('migration-failed');
    expect((error as TenantproofError).message).toMatch(/syntax error at or near "tabel"/);
    expect((error as TenantproofError).message).toMatch(/current\.sql:3/);
    expect(await fingerprintOf(t)).toEqual(good);
  });
});

describe('the reference schema as migrated', () => {
  it('is owned by the NOLOGIN owner role; no superuser owns any object', async () => {
    const t = await freshDatabase();
    try {
      const rows = await t.db.query(sql`
        select r.rolname, r.rolsuper, r.rolcanlogin, count(*)::int as n
        from pg_class c join pg_namespace n on n.oid = c.relnamespace join pg_roles r on r.oid = c.relowner
        where n.nspname not in ('pg_catalog', 'information_schema', 'pg_toast') and not starts_with(n.nspname, 'pg_')
        group by 1, 2, 3`);
      expect(rows.length).toBe(1);
      expect(rows[0]).toMatchObject({ rolname: 'tp_owner', rolsuper: false, rolcanlogin: false });
      expect(rows[0]!.n).toBeGreaterThan(10);
    } finally {
      await t.drop();
    }
  });
});
