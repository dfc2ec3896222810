export { createOAuthServer, type IssuedToken, type IssueTokenInput, type OAuthServer, type OAuthServerOptions } from './oauth-server.ts';
export { BearerError, challengeOf } from './bearer-error.ts';
export {
  CLI_CLIENT_ID,
  ClientRegistrationError,
  ClientRegistry,
  WEB_CLIENT_ID,
  type ClientAuthMethod,
  type ClientType,
  type GrantType,
  type JwkSet,
  type OAuthClient,
  type RegisterClientInput,
} from './clients.ts';
export type { SecurityEvent, SecurityEventType } from './security-event.ts';
export type { AccessTokenClaims } from './token-signer.ts';
export type { AccountsPort } from './accounts-port.ts';
export type { ServerUrls } from './urls.ts';
