import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { sql } from '@databases/pg';
import { freshDatabase, type TestDatabase } from './support/database.js';
import { tempProject, type TempProject } from './support/temp-project.js';

// `npm run db:watch`: graphile-migrate's watch through our wrapper re-applies the top-level current.sql on save.

let project: TempProject;
let t: TestDatabase;
beforeAll(async () => {
  project = tempProject();
  t = await freshDatabase();
});
afterAll(async () => {
  await t?.drop();
  await project?.cleanup();
});

const tableExists = async (name: string) => {
  const [row] = await t.db.query(sql`select to_regclass(${name}) is not null as ok`);
  return row.ok as boolean;
};

describe('db watch', () => {
  it('applies current.sql when it is saved, again on the next save, and stops on SIGINT', async () => {
    const child = spawn(process.execPath, [path.join(inject('projectRoot'), 'bin/tenantproof.js'), 'db', 'watch'], {
      cwd: project.root,
      env: { ...process.env, DATABASE_URL: t.url, NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    const exited = new Promise<string>((r) => child.once('exit', (code, signal) => r(signal ?? `code ${code}`)));
    const waitFor = async (what: () => Promise<boolean>, label: string) => {
      for (let i = 0; i < 200; i++) {
        if (await what()) return;
        await sleep(100);
      }
      throw new Error(`timed out waiting for ${label}; watch printed:\n${output}`);
    };
    try {
      await waitFor(async () => /watching current\.sql/.test(output), 'the watcher to start');
      writeFileSync(path.join(project.root, 'current.sql'), 'create table if not exists app.watch_probe_one (id int);\n');
      await waitFor(() => tableExists('app.watch_probe_one'), 'the first save to be applied');
      writeFileSync(path.join(project.root, 'current.sql'), 'create table if not exists app.watch_probe_one (id int);\ncreate table if not exists app.watch_probe_two (id int);\n');
      await waitFor(() => tableExists('app.watch_probe_two'), 'the second save to be applied');
    } finally {
      child.kill('SIGINT');
    }
    // Ended by the interrupt (the shell reports 130), not by an error of its own.
    expect(['SIGINT', 'code 130']).toContain(await exited);
    expect(await tableExists('app.watch_probe_two')).toBe(true);
  });
});
