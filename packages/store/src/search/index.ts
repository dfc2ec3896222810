export { executeSearch, type SearchOptions, type SearchResult } from './execute.ts';
export { searchIndexer } from './indexer.ts';
export { searchMatcher } from './matcher.ts';
export { isSearchable, tableLayout, type TableLayout } from './table-layout.ts';
export { columnsFor, columnValues, type ColumnSpec } from './columns.ts';
