/** One step of the schema. Versions are consecutive integers; a step never changes once released. */
export interface Migration {
  version: number;
  name: string;
  sql: () => string;
}
