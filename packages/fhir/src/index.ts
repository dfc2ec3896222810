export * from './outcome.ts';
export * from './definitions.ts';
export * from './bundle-references.ts';
export * from './validation/index.ts';
export * from './compartments.ts';
export * from './search/index.ts';
export * from './summary.ts';
