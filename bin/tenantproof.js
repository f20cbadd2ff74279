#!/usr/bin/env node
// In a checkout of tenantproof itself (src/ beside this folder), the TypeScript sources run through tsx:
// no build step between a change and the command. Installed as a package, the compiled dist/ runs.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const source = new URL('../src/cli/run.ts', import.meta.url);
if (existsSync(source)) {
  // The repository's tsconfig maps `tenantproof` to src/ (for configs and factories tsx loads from anywhere).
  process.env.TSX_TSCONFIG_PATH ??= fileURLToPath(new URL('../tsconfig.json', import.meta.url));
  const { register } = await import('tsx/esm/api');
  register();
  await import(source.href);
} else {
  await import('../dist/cli/run.js');
}
