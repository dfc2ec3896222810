export * from './outcome.ts';
export * from './definitions.ts';
export * from './bundle-references.ts';
