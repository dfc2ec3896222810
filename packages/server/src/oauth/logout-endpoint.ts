import type { IncomingMessage, ServerResponse } from 'node:http';
import { SESSION_COOKIE } from './authorize-endpoint.ts';
import type { OAuthContext } from './context.ts';
import { cookie, parseCookies } from './http-util.ts';
import type { ServerUrls } from './urls.ts';

/**
 * `POST /oauth2/logout`: ends this browser's sign-in session at the authorization server (the session cookie),
 * so that the next /oauth2/authorize asks for the password again. Confide's web app calls it at sign-out, after
 * revoking its grant (RFC 7009); without it a shared workstation would sign the next person in silently.
 * Only same-origin requests (an Origin header, when sent, must be this server's) so other sites cannot sign
 * users out. Always 204: it says nothing about whether there was a session.
 */
export async function logoutEndpoint(ctx: OAuthContext, req: IncomingMessage, res: ServerResponse, urls: ServerUrls): Promise<void> {
  req.resume();
  const origin = req.headers.origin;
  if (origin !== undefined && origin !== urls.issuer) {
    res.writeHead(403, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' });
    res.end(JSON.stringify({ error: 'invalid_request', error_description: 'Sign-out is only accepted from this server’s own pages' }));
    return;
  }
  const token = parseCookies(req.headers.cookie).get(SESSION_COOKIE);
  if (token) await ctx.accounts.revokeSession(token, 'sign-out');
  res.writeHead(204, { 'Cache-Control': 'no-store', 'Set-Cookie': cookie(SESSION_COOKIE, '', { secure: urls.secure, maxAgeSeconds: 0 }) });
  res.end();
}
