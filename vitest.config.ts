import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';
import { LongestFirst } from './tests/support/sequencer.js';

const src = (file: string) => fileURLToPath(new URL(`./src/${file}`, import.meta.url));

export default defineConfig({
  // The package's own name resolves to the sources, as tsconfig.json's paths say.
  resolve: {
    alias: [
      { find: /^tenantproof\/validators$/, replacement: src('validators/index.ts') },
      { find: /^tenantproof$/, replacement: src('index.ts') },
    ],
  },
  test: {
    include: ['src/**/*.test.ts', 'reference/**/*.test.ts', 'tests/**/*.test.ts', 'factories/**/*.test.ts', 'properties/**/*.property.ts'],
    globalSetup: ['tests/support/global-setup.ts'],
    setupFiles: ['tests/support/fast-check-setup.ts'],
    // Real PostgreSQL work: a property may run hundreds of transactions.
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // Two cores: more workers only queue on the server.
    maxWorkers: 2,
    // A worker keeps its modules from one file to the next (no test mocks a module): each of the
    // sixty files no longer loads the SQL parser, the driver and zod again (suite 5.2 -> 4.3 min).
    isolate: false,
    sequence: { sequencer: LongestFirst },
    reporters: ['default', './tests/support/summary-reporter.ts'],
  },
});
