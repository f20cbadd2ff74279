// The factory registry the isolation engine consumes (probes.factories in tenantproof.config.ts): one
// factory per table of the reference schema, through tenantproof's factories contract; and, for the
// demo seed and the properties, the worlds built from them.
import type { Faker } from '@faker-js/faker';
import { defineFactories } from 'tenantproof';
import { factories as registry } from './registry.js';
import { seededFaker as seeded } from './core.js';

export const { factories, seededFaker } = defineFactories<Faker>({ factories: registry, seededFaker: seeded });

export {
  missingParents, GLOBAL_TABLES, TENANT_TABLES, TABLE_ORDER, PICKED_UNIQUE_KEYS,
  type FactoryContext, type RowFactory, type Row,
} from './registry.js';
export { buildWorld, worldShape, worldSpec, REFERENCE_DATE, type World, type WorldShape, type ExistingRows } from './world.js';
export { insertRows, insertWorld, loadGlobalRows } from './db.js';
