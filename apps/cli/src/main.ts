import { DataDirInUseError, MigrationFailedError, SchemaTooNewError } from '@confide/store';
import { OperationOutcomeError } from '@confide/fhir';
import { exportCommand } from './commands/export.ts';
import { importCommand } from './commands/import.ts';
import { migrate } from './commands/migrate.ts';
import { seed } from './commands/seed.ts';
import { start } from './commands/start.ts';

const USAGE = `Usage: confide <command> [options]

Commands:
  start     Start the server (--port 8080, --host 127.0.0.1, --data ./data, --no-demo)
  migrate   Bring the database schema up to date
  seed      Load the demo practice (--patients 100, --seed 42)
  import    Import FHIR Bundle (.json) or NDJSON (.ndjson) files: confide import FILE...
  export    Export every resource as NDJSON, one file per type (--out DIR, --type Patient,Observation)

The embedded database lives in --data (default ./data); set DATABASE_URL to use PostgreSQL instead.
`;

const COMMANDS: Record<string, (argv: string[]) => Promise<number>> = {
  start,
  migrate,
  seed,
  import: importCommand,
  export: exportCommand,
};

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === 'help' || command === '--help' || command === '-h') {
    process.stdout.write(USAGE);
    return command ? 0 : 1;
  }
  const run = COMMANDS[command];
  if (!run) {
    process.stderr.write(`Unknown command: ${command}\n\n${USAGE}`);
    return 2;
  }
  try {
    return await run(rest);
  } catch (e) {
    process.stderr.write(`confide ${command}: ${describe(e)}\n`);
    return 1;
  }
}

function describe(e: unknown): string {
  if (e instanceof DataDirInUseError || e instanceof SchemaTooNewError || e instanceof MigrationFailedError) return e.message;
  const cause = (e as { cause?: unknown }).cause;
  const oo = e instanceof OperationOutcomeError ? e : cause instanceof OperationOutcomeError ? cause : undefined;
  if (oo) {
    const issues = (oo.outcome.issue ?? []).slice(0, 5).map((i) => `  - ${i.details?.text ?? i.code}${i.expression ? ` (${i.expression.join(', ')})` : ''}`);
    return `${(e as Error).message.split(':')[0]}: refused (${oo.status})\n${issues.join('\n')}`;
  }
  return e instanceof Error ? e.message : String(e);
}
