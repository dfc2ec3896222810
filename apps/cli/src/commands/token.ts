import { parseArgs } from 'node:util';
import { createConfide, type SecurityEvent } from '@confide/server';
import { DataDirInUseError } from '@confide/store';
import { dbOptions } from '../config.ts';
import { askRunningServer, issueOperatorToken, osUser, type OperatorAnswer } from '../operator-socket.ts';

const USAGE = `Usage: confide token --user NAME [--scope S] [--ttl SECONDS] [--public-url URL]
       confide token --client ID --scope 'system/...' [--ttl SECONDS] [--public-url URL]

Prints an access token for the FHIR API (for scripts and operators), recorded in the audit trail. With
--user, the token acts for that account (default scope: user/*.cruds for staff, patient/*.rs for patients),
issued to the internal client confide-cli. With --client, a backend-services token of that registered
client (system/ scopes only; confide-cli for the operator's own scripts). --ttl defaults to 900 seconds for
users and 300 for clients (at most 86400). --public-url must be the URL the server is reached at (the
token's audience); default http://127.0.0.1:8080, as \`confide start\`.

  TOKEN=$(confide token --user schen)
  curl -H "Authorization: Bearer $TOKEN" http://127.0.0.1:8080/fhir/R4/Patient

While \`confide start\` runs on the embedded database (--data), the token is asked from the running server
through the operator socket in the data folder (it then names that server's URL; --public-url is ignored).
`;

/** `confide token`: an operator's access token (docs/smart.md). */
export async function tokenCommand(argv: string[]): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        data: { type: 'string' },
        user: { type: 'string' },
        client: { type: 'string' },
        scope: { type: 'string' },
        ttl: { type: 'string' },
        'public-url': { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    }));
  } catch (e) {
    process.stderr.write(`confide token: ${(e as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  if (!values.user === !values.client) {
    process.stderr.write(`confide token: give either --user or --client\n\n${USAGE}`);
    return 2;
  }
  const ttl = values.ttl === undefined ? undefined : Number(values.ttl);
  if (ttl !== undefined && (!Number.isInteger(ttl) || ttl <= 0)) {
    process.stderr.write('confide token: --ttl must be a positive number of seconds\n');
    return 2;
  }
  const request = { user: values.user, client: values.client, scope: values.scope, ttl };
  const events: SecurityEvent[] = [];
  const db = dbOptions(values);
  let answer: OperatorAnswer = { ok: false, error: 'no answer' };
  let confide;
  try {
    confide = await createConfide({
      ...db,
      publicUrl: values['public-url'] ?? process.env.CONFIDE_PUBLIC_URL ?? 'http://127.0.0.1:8080',
      auth: { onSecurityEvent: (e) => events.push(e) },
    });
  } catch (e) {
    if (!(e instanceof DataDirInUseError) || !db.dataDir) throw e;
    // A server is running on this data folder: it issues the token (and records it in the audit trail).
    answer = await askRunningServer(db.dataDir, { op: 'token', ...request });
  }
  if (confide) {
    try {
      answer = await issueOperatorToken(confide, { ...request, by: osUser() });
    } catch (e) {
      answer = { ok: false, error: (e as Error).message };
    } finally {
      await confide.close();
    }
  }
  const a = answer;
  if (!a.ok) {
    process.stderr.write(`confide token: ${a.error}\n`);
    return 1;
  }
  process.stdout.write(a.token + '\n');
  // The record of who got a token: the security event, on stderr so that stdout stays the token alone.
  for (const e of events) process.stderr.write(`confide token: ${JSON.stringify({ ...e, at: e.at.toISOString() })}\n`);
  process.stderr.write(`confide token: for ${values.user ?? values.client}, scope "${a.scope}", expires in ${a.expiresIn} s\n`);
  return 0;
}
