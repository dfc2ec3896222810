export * from './outcome.ts';
export * from './definitions.ts';
