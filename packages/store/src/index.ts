export * from './db/db.ts';
export { openDb, type OpenDbOptions } from './db/open-db.ts';
export { DataDirInUseError } from './db/data-dir-lock.ts';
export { migrate, schemaVersion, SchemaTooNewError, MigrationFailedError, type MigrateResult } from './migrate.ts';
export { migrations, type Migration } from './migrations/index.ts';
export * from './stored-resource.ts';
export * from './repository.ts';
export * from './history.ts';
export { flushWrites, noIndexer, type PendingWrite, type SearchIndexer } from './write-batch.ts';
