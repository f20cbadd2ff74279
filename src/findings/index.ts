export * from './types.js';
export * from './findings.js';
export * from './causes.js';
