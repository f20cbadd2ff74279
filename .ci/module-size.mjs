// House rule: no source module past ~400 lines without a reason written at its top.
// A long module says why in its first 30 lines, in a comment containing "Long module:".
// The modules already past the limit when the rule came in are listed below with their size then:
// they may not grow, and leave the list once they carry their reason or shrink.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

const LIMIT = 400;
const ROOTS = ['src', 'reference', 'factories'];
const GRANDFATHERED = {
  'src/config/schema.ts': 470,
};

const files = (dir) =>
  readdirSync(dir).flatMap((name) => {
    const p = path.join(dir, name);
    if (statSync(p).isDirectory()) return files(p);
    return /\.ts$/.test(name) && !/\.test\.ts$/.test(name) ? [p] : [];
  });

const problems = [];
for (const file of ROOTS.flatMap(files)) {
  const text = readFileSync(file, 'utf8');
  const lines = text.split('\n').length - (text.endsWith('\n') ? 1 : 0);
  if (lines <= LIMIT) continue;
  if (/Long module:/.test(text.split('\n').slice(0, 30).join('\n'))) continue;
  const known = GRANDFATHERED[file.split(path.sep).join('/')];
  if (known !== undefined && lines <= known) continue;
  problems.push(known !== undefined ? `${file}: ${lines} lines, grew past its ${known} (split it, or say why at its top: "Long module: ...")` : `${file}: ${lines} lines (split it, or say why at its top: "Long module: ...")`);
}
if (problems.length > 0) {
  console.error(`modules past ${LIMIT} lines without a reason:\n  ${problems.join('\n  ')}`);
  process.exit(1);
}
console.log(`module size: every module is within ${LIMIT} lines or says why`);
