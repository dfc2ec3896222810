import type { Migration } from './migration.ts';
import { resources } from './0001-resources.ts';
import { searchColumns } from './0002-search-columns.ts';

/** Every schema step, in order. Append only. */
export const migrations: Migration[] = [resources, searchColumns];

export type { Migration } from './migration.ts';
