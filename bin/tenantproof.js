#!/usr/bin/env node
// In a checkout of tenantproof itself (src/ beside this folder), the TypeScript sources run through tsx:
// no build step between a change and the command. Installed as a package, the compiled dist/ runs.
import { existsSync } from 'node:fs';

const source = new URL('../src/cli/run.ts', import.meta.url);
if (existsSync(source)) {
  const { register } = await import('tsx/esm/api');
  register();
  await import(source.href);
} else {
  await import('../dist/cli/run.js');
}
