import path from 'node:path';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

/**
 * Longest files first: on two workers, a long file that starts last decides when the suite ends.
 * Vitest orders by the durations it remembers, and on a clean clone (CI) by file size, which puts
 * these late. They run the CLI as a child process, a gate per test, or many worlds; the rest keep
 * Vitest's order.
 */
const LONGEST_FIRST = [
  'tests/report-cli.test.ts',
  'tests/mutations.test.ts',
  'tests/cli-errors.test.ts',
  'tests/cli.test.ts',
  'tests/watch.test.ts',
  'tests/init.test.ts',
  'properties/validators-sql.property.ts',
  'properties/reference-isolation.property.ts',
  'tests/migrations.test.ts',
  'properties/validators.property.ts',
];

export class LongestFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const rank = (f: TestSpecification) => {
      const i = LONGEST_FIRST.indexOf(path.relative(f.project.config.root, f.moduleId).split(path.sep).join('/'));
      return i < 0 ? LONGEST_FIRST.length : i;
    };
    // Array.prototype.sort is stable: files outside the list keep Vitest's order.
    return sorted.sort((a, b) => rank(a) - rank(b));
  }
}
