import os from 'node:os';
import { parseArgs } from 'node:util';
import { AccountError, Accounts, isLocked, type UserKind, type UserRecord } from '@confide/auth';
import { accountAuditEvent } from '@confide/server';
import { AuditLog, migrate, openDb } from '@confide/store';
import { dbOptions } from '../config.ts';

const USAGE = `Usage: confide users <subcommand> [options]

  list                               List the accounts
  add NAME --kind staff|patient      Add an account and print its generated password (once)
      [--fhir-user Practitioner/ID|Patient/ID] [--role clinician,...] [--org ID,...]
      [--display TEXT] [--no-mfa]
  disable NAME                       Disable an account and end its sessions
  enable NAME                        Enable a disabled account
  reset NAME [--mfa]                 Set a new generated password (printed once) and end the sessions;
                                     --mfa also removes the authenticator app (enrolled again at sign-in)
  unlock NAME                        End a lockout after failed sign-ins
  roles NAME clinician,auditor       Replace the account's roles ("" for none)

Roles: clinician, front-desk, billing, admin, auditor, privacy-officer. Staff accounts must use an
authenticator app (TOTP) unless added with --no-mfa. Passwords are never read from the command line.
Options: --data DIR (embedded database, default ./data); DATABASE_URL selects PostgreSQL.
`;

const list = (s: string | undefined) =>
  (s ?? '')
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean);

/** `confide users ...`: manage sign-in accounts. */
export async function usersCommand(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        data: { type: 'string' },
        kind: { type: 'string' },
        'fhir-user': { type: 'string' },
        role: { type: 'string' },
        org: { type: 'string' },
        display: { type: 'string' },
        'no-mfa': { type: 'boolean', default: false },
        mfa: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (e) {
    process.stderr.write(`confide users: ${(e as Error).message}\n\n${USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  const [sub, name, extra] = positionals;
  if (values.help || !sub || sub === 'help') {
    process.stdout.write(USAGE);
    return values.help || sub === 'help' ? 0 : 2;
  }
  const needsName = ['add', 'disable', 'enable', 'reset', 'unlock', 'roles'];
  if (sub !== 'list' && !needsName.includes(sub)) {
    process.stderr.write(`confide users: unknown subcommand "${sub}"\n\n${USAGE}`);
    return 2;
  }
  if (needsName.includes(sub) && !name) {
    process.stderr.write(`confide users ${sub}: a username is required\n`);
    return 2;
  }
  if (sub === 'roles' && extra === undefined) {
    process.stderr.write('confide users roles: give the roles, e.g. confide users roles NAME clinician,auditor\n');
    return 2;
  }

  const db = await openDb(dbOptions(values));
  let closeAudit: (() => Promise<void>) | undefined;
  try {
    await migrate(db);
    // Account changes made here are permission changes: they go into the same audit trail as the server's.
    const audit = new AuditLog(db);
    closeAudit = () => audit.close();
    const accounts = new Accounts(db, { onEvent: (e) => audit.record(accountAuditEvent(e, new Date())) });
    const by = `cli:${safeOsUser()}`;
    switch (sub) {
      case 'list': {
        const users = await accounts.listUsers();
        process.stdout.write(users.length ? formatTable(users, new Date()) : 'No accounts yet.\n');
        return 0;
      }
      case 'add': {
        const kind = values.kind as UserKind | undefined;
        if (!kind) {
          process.stderr.write('confide users add: --kind staff|patient is required\n');
          return 2;
        }
        const { user, password } = await accounts.createUser(
          {
            username: name,
            kind,
            fhirUser: values['fhir-user'],
            display: values.display,
            roles: list(values.role),
            organizations: list(values.org),
            mfaRequired: values['no-mfa'] ? false : undefined,
          },
          { by },
        );
        process.stdout.write(`Created ${user.kind} user ${user.username}${user.fhirUser ? ` (${user.fhirUser})` : ''}.\n`);
        if (user.kind === 'staff' && user.roles.length === 0) process.stdout.write('Note: no roles, so no access to any data yet.\n');
        printPassword(password, user);
        return 0;
      }
      case 'disable': {
        const user = await accounts.disableUser(name, { by });
        process.stdout.write(`Disabled ${user.username}; their sessions have ended.\n`);
        return 0;
      }
      case 'enable': {
        const user = await accounts.enableUser(name, { by });
        process.stdout.write(`Enabled ${user.username}.\n`);
        return 0;
      }
      case 'reset': {
        const password = await accounts.resetPassword(name, undefined, { by });
        const user = values.mfa ? await accounts.resetTotp(name, { by }) : (await accounts.getUser(name))!;
        process.stdout.write(`Reset the password of ${user.username}; their sessions have ended.\n`);
        if (values.mfa) process.stdout.write('Removed their authenticator app; they enroll again at the next sign-in.\n');
        printPassword(password, user);
        return 0;
      }
      case 'unlock': {
        const user = await accounts.unlock(name, { by });
        process.stdout.write(`Unlocked ${user.username}.\n`);
        return 0;
      }
      case 'roles': {
        const user = await accounts.setRoles(name, list(extra), { by });
        process.stdout.write(`Roles of ${user.username}: ${user.roles.join(', ') || '(none)'}.\n`);
        return 0;
      }
    }
    return 2;
  } catch (e) {
    if (e instanceof AccountError) {
      process.stderr.write(`confide users ${sub}: ${e.message}\n`);
      return 1;
    }
    throw e;
  } finally {
    await closeAudit?.();
    await db.close();
  }
}

/** The one time a password is shown: stdout only, never a log. */
function printPassword(password: string, user: UserRecord): void {
  process.stdout.write(`\nPassword for ${user.username} (shown once; it must be changed at the first sign-in):\n\n    ${password}\n\n`);
  if (user.mfaRequired) process.stdout.write('They will set up an authenticator app at the first sign-in.\n');
}

function formatTable(users: UserRecord[], now: Date): string {
  const rows = users.map((u) => [
    u.username,
    u.kind,
    u.fhirUser ?? '-',
    u.roles.join(',') || '-',
    u.organizations.join(',') || '-',
    u.disabled ? 'disabled' : isLocked({ failedAttempts: 0, lockedUntil: u.lockedUntil }, now) ? 'locked' : u.mustChangePassword ? 'must change password' : 'active',
    u.mfaEnrolled ? 'enrolled' : u.mfaRequired ? 'required' : 'off',
  ]);
  const header = ['USERNAME', 'KIND', 'FHIR USER', 'ROLES', 'ORGANIZATIONS', 'STATUS', 'MFA'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  return [header, ...rows].map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]))).join('  ')).join('\n') + '\n';
}

function safeOsUser(): string {
  try {
    return os.userInfo().username;
  } catch {
    return 'unknown';
  }
}
