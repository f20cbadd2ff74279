export * from './types.js';
export * from './findings.js';
