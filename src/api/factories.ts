/**
 * The factories contract: a project's module named by `probes.factories`
 * exports `factories` (one row factory per "schema.table") and
 * `seededFaker(seed)`. `defineFactories` types both and fills in a
 * `seededFaker` when the project uses no faker, so a factories module is
 * `export const { factories, seededFaker } = defineFactories({ ... })`.
 */

/** What a row factory is given. `F` is whatever `seededFaker` returns (a Faker, or nothing). */
export interface FactoryContext<F = undefined> {
  /** From `seededFaker(seed)`: the same world seed gives the same values. */
  faker: F;
  /** The tenant the row belongs to (ignored by global tables). */
  tenantId: string;
  /** A per-run counter, unique per row built in a run: use it where the schema demands unique values. */
  n: number;
  /** An existing row of `table` in the same tenant (or a global row); undefined if there is none. */
  pick(table: string): Record<string, unknown> | undefined;
}

/** Builds one row of its table: column name to value. Columns left out get the table's defaults or type-driven values. */
export type RowFactory<F = undefined> = (ctx: FactoryContext<F>) => Record<string, unknown>;

export interface FactoriesDefinition<F> {
  /** One factory per relation, keyed "schema.table". */
  factories: Readonly<Record<string, RowFactory<F>>>;
  /** Makes the `faker` every factory receives, from the world's seed (e.g. a seeded @faker-js/faker). Optional. */
  seededFaker?: (seed: number) => F;
}

export interface FactoriesModule<F> {
  factories: Readonly<Record<string, RowFactory<F>>>;
  seededFaker: (seed: number) => F;
}

/** Types a factories module; without `seededFaker`, factories receive `faker: undefined`. */
export function defineFactories<F = undefined>(definition: FactoriesDefinition<F>): FactoriesModule<F> {
  return { factories: definition.factories, seededFaker: definition.seededFaker ?? (() => undefined as F) };
}
