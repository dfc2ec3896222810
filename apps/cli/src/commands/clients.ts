import fs from 'node:fs';
import { parseArgs } from 'node:util';
import { ClientRegistrationError, ClientRegistry, type JwkSet, type OAuthClient } from '@confide/server';
import { migrate, openDb } from '@confide/store';
import { dbOptions } from '../config.ts';

const USAGE = `Usage: confide clients <subcommand> [options]

  list                             List the registered OAuth clients (SMART apps and backend services)
  add NAME --scope S [options]     Register a client and print its client_id (and a secret, shown once)
      --redirect URI               A redirect URI (repeat for several); required for apps
      --confidential               A confidential app with a shared secret (client_secret_basic)
      --jwks FILE                  A confidential client with asymmetric keys: its public JWK Set
      --jwks-uri URL               ...or where its public JWK Set is published
      --backend                    A SMART Backend Service (client_credentials, system/ scopes; needs --jwks or --jwks-uri)
      --id ID                      The client_id (default: random)
      --purpose CODE               PurposeOfUse recorded for a backend service (default TREAT)
  disable ID                       Disable a client and revoke every grant it has

Without --confidential, --jwks or --jwks-uri an app is public (PKCE, no secret). --scope is the most the
client may ever be granted, e.g. "openid fhirUser launch/patient patient/*.rs offline_access".
Options: --data DIR (embedded database, default ./data); DATABASE_URL selects PostgreSQL.
`;

/** `confide clients ...`: the OAuth client registry (docs/smart.md). */
export async function clientsCommand(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        data: { type: 'string' },
        redirect: { type: 'string', multiple: true },
        scope: { type: 'string' },
        confidential: { type: 'boolean', default: false },
        jwks: { type: 'string' },
        'jwks-uri': { type: 'string' },
        backend: { type: 'boolean', default: false },
        id: { type: 'string' },
        purpose: { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (e) {
    process.stderr.write(`confide clients: ${(e as Error).message}\n\n${USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  const [sub, name] = positionals;
  if (values.help || !sub || sub === 'help') {
    process.stdout.write(USAGE);
    return values.help || sub === 'help' ? 0 : 2;
  }
  if (!['list', 'add', 'disable'].includes(sub)) {
    process.stderr.write(`confide clients: unknown subcommand "${sub}"\n\n${USAGE}`);
    return 2;
  }
  if (sub !== 'list' && !name) {
    process.stderr.write(`confide clients ${sub}: ${sub === 'add' ? 'a name' : 'a client id'} is required\n`);
    return 2;
  }
  let jwks: JwkSet | undefined;
  if (sub === 'add' && values.jwks) {
    try {
      jwks = JSON.parse(fs.readFileSync(values.jwks, 'utf8')) as JwkSet;
    } catch (e) {
      process.stderr.write(`confide clients add: cannot read the JWK Set in ${values.jwks}: ${(e as Error).message}\n`);
      return 2;
    }
  }

  const db = await openDb(dbOptions(values));
  try {
    await migrate(db);
    const registry = new ClientRegistry(db);
    await registry.ensureClients();
    if (sub === 'list') {
      for (const c of await registry.list()) process.stdout.write(describe(c));
      return 0;
    }
    if (sub === 'disable') {
      const revoked = await registry.disable(name);
      process.stdout.write(`Client ${name} disabled; ${revoked.length} grant(s) revoked (running servers notice within seconds).\n`);
      return 0;
    }
    const { client, clientSecret } = await registry.register({
      name,
      clientId: values.id,
      redirectUris: values.redirect ?? [],
      scope: values.scope ?? '',
      confidential: values.confidential,
      jwks,
      jwksUri: values['jwks-uri'],
      backend: values.backend,
      purposeOfUse: values.purpose,
    });
    process.stdout.write(`client_id: ${client.clientId}\n`);
    if (clientSecret) process.stdout.write(`client_secret: ${clientSecret}\n(shown only this once; only a hash is kept)\n`);
    process.stdout.write(describe(client));
    return 0;
  } catch (e) {
    if (e instanceof ClientRegistrationError) {
      process.stderr.write(`confide clients ${sub}: ${e.message}\n`);
      return 1;
    }
    throw e;
  } finally {
    await db.close();
  }
}

function describe(c: OAuthClient): string {
  const kind = c.grantTypes.includes('client_credentials') ? 'backend service' : c.internal ? 'internal' : `${c.type} app`;
  const lines = [
    `${c.clientId}  ${c.name}${c.disabled ? '  [disabled]' : ''}`,
    `  ${kind}, authentication: ${c.tokenEndpointAuthMethod}${c.firstParty ? ', first party (no consent page)' : ''}`,
    `  scope: ${c.scope}`,
  ];
  if (c.redirectUris.length) lines.push(`  redirect: ${c.redirectUris.join(' ')}`);
  if (c.jwksUri) lines.push(`  jwks_uri: ${c.jwksUri}`);
  if (c.jwks) lines.push(`  jwks: ${c.jwks.keys.map((k) => k.kid).join(', ')}`);
  return lines.join('\n') + '\n';
}
