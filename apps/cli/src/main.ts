import { DataDirInUseError, MigrationFailedError, SchemaTooNewError } from '@confide/store';
import { OperationOutcomeError } from '@confide/fhir';

const USAGE = `Usage: confide <command> [options]

Commands:
  start     Start the server (--port 8080, --host 127.0.0.1, --data ./data, --no-demo)
  migrate   Bring the database schema up to date
  seed      Load the demo practice (--patients 100, --seed 42)
  import    Import FHIR Bundle (.json) or NDJSON (.ndjson) files: confide import FILE...
  export    Export every resource as NDJSON, one file per type (--out DIR, --type Patient,Observation): the
            operator's full, unsegmented database export; --as USER exports only what that account may see
  relabel   Label stored records again with the current rules (--type Condition,Encounter, --dry-run)
  label-rules  The rules that label records at write time: \`label-rules show [--json]\`, \`label-rules check FILE\`;
            CONFIDE_LABEL_RULES=FILE puts a practice's own rules in force (start, seed, import, relabel)
  audit     The audit trail: \`audit verify\` checks its hash chain (exit 1 when broken); \`audit list\` shows events
  users     Manage sign-in accounts: list, add, disable, enable, reset, unlock, roles (confide users --help)
  clients   Manage OAuth clients (SMART apps, backend services): list, add, disable (confide clients --help)
  token     Print an access token for scripts: confide token --user NAME [--scope S] [--ttl SECONDS]

The embedded database lives in --data (default ./data); set DATABASE_URL to use PostgreSQL instead.
`;

type Command = (argv: string[]) => Promise<number>;

// Loaded on demand, so that `confide start` does not load the demo generator or the importer.
const COMMANDS: Record<string, () => Promise<Command>> = {
  start: async () => (await import('./commands/start.ts')).start,
  migrate: async () => (await import('./commands/migrate.ts')).migrate,
  seed: async () => (await import('./commands/seed.ts')).seed,
  import: async () => (await import('./commands/import.ts')).importCommand,
  export: async () => (await import('./commands/export.ts')).exportCommand,
  relabel: async () => (await import('./commands/relabel.ts')).relabelCommand,
  'label-rules': async () => (await import('./commands/label-rules.ts')).labelRulesCommand,
  audit: async () => (await import('./commands/audit.ts')).auditCommand,
  users: async () => (await import('./commands/users.ts')).usersCommand,
  clients: async () => (await import('./commands/clients.ts')).clientsCommand,
  token: async () => (await import('./commands/token.ts')).tokenCommand,
};

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === 'help' || command === '--help' || command === '-h') {
    process.stdout.write(USAGE);
    return command ? 0 : 1;
  }
  const load = COMMANDS[command];
  if (!load) {
    process.stderr.write(`Unknown command: ${command}\n\n${USAGE}`);
    return 2;
  }
  try {
    const run = await load();
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
