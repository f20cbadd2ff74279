export { introspect, type IntrospectOptions } from './introspect.js';
export { catalogOptions } from './options.js';
export { computeTenancy } from './tenancy.js';
export * from './types.js';
export { settingsWrittenBy } from './settings-written.js';
