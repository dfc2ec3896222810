export * from './db/db.ts';
export { openDb, type OpenDbOptions } from './db/open-db.ts';
export { DataDirInUseError } from './db/data-dir-lock.ts';
export { migrate, schemaVersion, SchemaTooNewError, MigrationFailedError, type MigrateResult } from './migrate.ts';
export { migrations, type Migration } from './migrations/index.ts';
export * from './stored-resource.ts';
export * from './repository.ts';
export * from './history.ts';
export { flushWrites, noIndexer, type PendingWrite, type SearchIndexer } from './write-batch.ts';
export type { WriteRule } from './write-rules.ts';
export * from './search/index.ts';
export * from './everything.ts';
export { Access, accessFor, type RestrictHook } from './access/access.ts';
export { restrictionSql } from './access/restriction-sql.ts';
export { patientOrganizations } from './organizations.ts';
export * from './audit/index.ts';
export { withheldByConsent } from './consent/withheld.ts';
export { labelWrites, type LabelOptions } from './consent/labeler.ts';
export { segmentationSql } from './access/segmentation-sql.ts';
<<<<<<< HEAD
export { rowLabels, LABELS_COLUMN } from './access/row-labels.ts';
=======
export { BulkJobs, type BulkJob, type BulkFile } from './bulk/bulk-jobs.ts';
export { exportRows, type ExportRow, type ExportRowsOptions } from './bulk/export-rows.ts';
>>>>>>> bulk
