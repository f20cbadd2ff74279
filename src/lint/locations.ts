/**
 * Where a migration created each object, so a finding can say "file:line".
 *
 * Best effort, by design: the migrations (graphile-migrate's layout,
 * `<dir>/committed/*.sql` in name order, then `<dir>/current.sql`; or a plain
 * folder of *.sql files in name order) are scanned
 * with tolerant regular expressions for CREATE TABLE / VIEW / MATERIALIZED
 * VIEW / FOREIGN TABLE / FUNCTION / PROCEDURE / POLICY. The last definition
 * wins (CREATE OR REPLACE). Objects created dynamically (EXECUTE format(...)),
 * by tools or by unqualified names that match several schemas get no location.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Catalog } from '../catalog/types.js';
import { unquoteIdent } from '../catalog/expressions.js';
import type { SourceLocation } from '../findings/types.js';
import { migrationFilesIn } from '../migrate/files.js';
import { locationKey } from './util.js';

export type ObjectLocations = Map<string, SourceLocation>;

const IDENT = String.raw`(?:"(?:[^"]|"")+"|[A-Za-z_][\w$]*)`;
const NAME = String.raw`(${IDENT})(?:\s*\.\s*(${IDENT}))?`;
const RELATION = new RegExp(
  String.raw`\bcreate\s+(?:or\s+replace\s+)?(?:(?:global|local)\s+)?(?:(?:temp|temporary|unlogged)\s+)?(?:recursive\s+)?(?:materialized\s+)?(?:foreign\s+)?(?:table|view)\s+(?:if\s+not\s+exists\s+)?${NAME}`,
  'gi',
);
const FUNCTION = new RegExp(String.raw`\bcreate\s+(?:or\s+replace\s+)?(?:function|procedure)\s+${NAME}\s*\(`, 'gi');
const POLICY = new RegExp(String.raw`\bcreate\s+policy\s+(${IDENT})\s+on\s+${NAME}`, 'gi');

/** The migration files in the order they run (graphile-migrate's layout or a plain folder: src/migrate/files.ts). */
export async function migrationFiles(migrationsDir: string): Promise<string[]> {
  return migrationFilesIn(migrationsDir);
}

export async function locateObjects(migrationsDir: string, catalog: Catalog, options: { relativeTo?: string } = {}): Promise<ObjectLocations> {
  const out: ObjectLocations = new Map();
  const relativeTo = options.relativeTo ?? process.cwd();
  const bySimpleName = new Map<string, string[]>();
  for (const r of catalog.relations) bySimpleName.set(r.name, [...(bySimpleName.get(r.name) ?? []), r.schema]);
  for (const f of catalog.functions) bySimpleName.set(`fn:${f.name}`, [...new Set([...(bySimpleName.get(`fn:${f.name}`) ?? []), f.schema])]);

  // Unqualified names resolve only when exactly one scanned schema has them.
  const resolve = (a: string, b: string | undefined, fn = false): [string, string] | null => {
    if (b !== undefined) return [unquoteIdent(a), unquoteIdent(b)];
    const name = unquoteIdent(a);
    const schemas = bySimpleName.get(fn ? `fn:${name}` : name) ?? [];
    return schemas.length === 1 ? [schemas[0]!, name] : null;
  };

  for (const file of await migrationFiles(migrationsDir)) {
    const text = blankComments(await readFile(file, 'utf8'));
    const shown = displayPath(file, relativeTo);
    const lineAt = lineIndex(text);
    for (const m of text.matchAll(RELATION)) {
      const q = resolve(m[1]!, m[2]);
      if (q) out.set(locationKey.relation(`${q[0]}.${q[1]}`), { file: shown, line: lineAt(m.index!) });
    }
    for (const m of text.matchAll(FUNCTION)) {
      const q = resolve(m[1]!, m[2], true);
      if (q) out.set(locationKey.function(q[0], q[1]), { file: shown, line: lineAt(m.index!) });
    }
    for (const m of text.matchAll(POLICY)) {
      const q = resolve(m[2]!, m[3]);
      if (q) out.set(locationKey.policy(`${q[0]}.${q[1]}`, unquoteIdent(m[1]!)), { file: shown, line: lineAt(m.index!) });
    }
  }
  return out;
}

/** `-- comments` and `/* blocks *\/` become spaces, newlines kept, so indexes still map to lines. */
function blankComments(text: string): string {
  return text.replace(/--[^\n]*/g, (c) => ' '.repeat(c.length)).replace(/\/\*[\s\S]*?\*\//g, (c) => c.replace(/[^\n]/g, ' '));
}

function lineIndex(text: string): (offset: number) => number {
  const starts = [0];
  for (let i = 0; i < text.length; i++) if (text[i] === '\n') starts.push(i + 1);
  return (offset) => {
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo + 1;
  };
}

function displayPath(file: string, relativeTo: string): string {
  const rel = path.relative(relativeTo, file);
  return rel.startsWith('..') || path.isAbsolute(rel) ? file : rel.split(path.sep).join('/');
}
