/**
 * The pgTAP row needs Debian's PostgreSQL 15 with the pgTAP extension and
 * pg_prove. The bench installs what is missing with apt-get (CI machines start
 * without them; these machines run as root). When that is impossible it says
 * why, and only the pgTAP row is skipped.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

export const PG_MAJOR = 15;
/** Debian bookworm's names: the server, its pgTAP build, and pg_prove (a Perl TAP source handler). */
export const PACKAGES = [`postgresql-${PG_MAJOR}`, `postgresql-${PG_MAJOR}-pgtap`, 'libtap-parser-sourcehandler-pgtap-perl'] as const;

export interface PgTapTools {
  bin: string;
  pgProve: string;
  /** Packages this run installed (empty when all were there). */
  installed: string[];
  pgtapVersion: string;
}

export type Installation = { ok: true; tools: PgTapTools } | { ok: false; reason: string };

const isInstalled = (pkg: string) => spawnSync('dpkg-query', ['-W', '-f=${Status}', pkg], { encoding: 'utf8' }).stdout === 'install ok installed';

function version(pkg: string): string {
  return spawnSync('dpkg-query', ['-W', '-f=${Version}', pkg], { encoding: 'utf8' }).stdout.trim();
}

/** Clusters `pg_lsclusters` reports online, as `version/name`. */
function onlineClusters(): Set<string> {
  const r = spawnSync('pg_lsclusters', ['--no-header'], { encoding: 'utf8' });
  if (r.status !== 0) return new Set();
  return new Set(
    r.stdout
      .split('\n')
      .map((l) => l.trim().split(/\s+/))
      .filter((f) => f[3] === 'online')
      .map((f) => `${f[0]}/${f[1]}`),
  );
}

function aptGet(args: string[]): { ok: boolean; output: string } {
  const r = spawnSync('apt-get', args, { encoding: 'utf8', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' }, maxBuffer: 64 * 2 ** 20 });
  return { ok: r.status === 0, output: `${r.stdout ?? ''}${r.stderr ?? ''}${r.error ? r.error.message : ''}` };
}

export function ensurePgTap(log: (line: string) => void = () => {}): Installation {
  if (spawnSync('dpkg-query', ['--version']).status !== 0) return { ok: false, reason: 'not a Debian-based system (no dpkg): the pgTAP packages cannot be installed here' };
  const missing = PACKAGES.filter((p) => !isInstalled(p));
  if (missing.length > 0) {
    if (typeof process.getuid !== 'function' || process.getuid() !== 0) {
      return { ok: false, reason: `${missing.join(', ')} not installed, and installing them needs root (run: apt-get install ${missing.join(' ')})` };
    }
    log(`pgTAP: installing ${missing.join(', ')} with apt-get`);
    const before = onlineClusters();
    let r = aptGet(['install', '-y', '--no-install-recommends', ...missing]);
    // A fresh machine has no package lists yet.
    if (!r.ok && /Unable to locate package|has no installation candidate/.test(r.output)) {
      log('pgTAP: apt-get update (no package lists)');
      aptGet(['update']);
      r = aptGet(['install', '-y', '--no-install-recommends', ...missing]);
    }
    // Installing postgresql-15 may create and start a `15/main` cluster: stop what our install started.
    for (const cluster of onlineClusters()) {
      if (before.has(cluster)) continue;
      const [ver, name] = cluster.split('/') as [string, string];
      log(`pgTAP: stopping the cluster ${cluster} the package install started`);
      spawnSync('pg_ctlcluster', [ver, name, 'stop'], { stdio: 'ignore' });
    }
    if (!r.ok) return { ok: false, reason: `apt-get install ${missing.join(' ')} failed: ${r.output.trim().split('\n').slice(-3).join(' | ')}` };
  }
  const bin = `/usr/lib/postgresql/${PG_MAJOR}/bin`;
  const control = `/usr/share/postgresql/${PG_MAJOR}/extension/pgtap.control`;
  const pgProve = '/usr/bin/pg_prove';
  for (const [what, file] of [
    ['initdb', `${bin}/initdb`],
    ['pg_ctl', `${bin}/pg_ctl`],
    ['the pgTAP extension', control],
    ['pg_prove', pgProve],
  ] as const) {
    if (!existsSync(file)) return { ok: false, reason: `${what} not found at ${file} although ${PACKAGES.join(', ')} are installed` };
  }
  return { ok: true, tools: { bin, pgProve, installed: missing, pgtapVersion: version(`postgresql-${PG_MAJOR}-pgtap`) } };
}
