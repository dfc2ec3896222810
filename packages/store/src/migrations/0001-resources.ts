import { resourceTypes } from '@confide/fhir';
import { ident } from '../db/db.ts';
import type { Migration } from './migration.ts';

/**
 * Every version of every resource lives in `resource_history` (one table, so system-level history is one
 * index scan). The current version of each resource lives in a table per resource type, named as the type
 * is spelled (`"Patient"`); search columns are added to those tables by later migrations.
 * `content` holds the resource's JSON text exactly as it is served, so reads pass it through unparsed.
 */
export const resources: Migration = {
  version: 1,
  name: 'resources',
  sql: () => {
    const parts = [
      `CREATE TABLE resource_history (
         resource_type text NOT NULL,
         id text NOT NULL,
         version_id integer NOT NULL,
         last_updated timestamptz NOT NULL,
         deleted boolean NOT NULL DEFAULT false,
         content text,
         PRIMARY KEY (resource_type, id, version_id)
       );`,
      `CREATE INDEX resource_history_last_updated ON resource_history (last_updated);`,
      `CREATE INDEX resource_history_type_last_updated ON resource_history (resource_type, last_updated);`,
    ];
    for (const type of resourceTypes()) {
      parts.push(`CREATE TABLE ${ident(type)} (
         id text PRIMARY KEY,
         version_id integer NOT NULL,
         last_updated timestamptz NOT NULL,
         deleted boolean NOT NULL DEFAULT false,
         content text
       );`);
      parts.push(`CREATE INDEX ${ident(type + '_last_updated')} ON ${ident(type)} (last_updated);`);
    }
    return parts.join('\n');
  },
};
