import type { Migration } from './migration.ts';
import { resources } from './0001-resources.ts';

/** Every schema step, in order. Append only. */
export const migrations: Migration[] = [resources];

export type { Migration } from './migration.ts';
