// The factory registry the isolation engine consumes: one factory per table
// of the reference schema, worlds built from them, and their arbitraries.
export {
  factories, missingParents, GLOBAL_TABLES, TENANT_TABLES, TABLE_ORDER, PICKED_UNIQUE_KEYS,
  type FactoryContext, type RowFactory, type Row,
} from './registry.js';
export { buildWorld, worldShape, worldSpec, REFERENCE_DATE, type World, type WorldShape, type ExistingRows } from './world.js';
export { insertRows, insertWorld, loadGlobalRows } from './db.js';
export { seededFaker } from './core.js';
