import type { IncomingMessage } from 'node:http';
import type { Db, Repository } from '@confide/store';
import type { AccountsPort } from './accounts-port.ts';
import type { BearerAuth } from './bearer-auth.ts';
import type { ClientKeys } from './client-keys.ts';
import type { ClientRegistry } from './clients.ts';
import type { CodeStore } from './codes.ts';
import type { GrantStore } from './grants.ts';
import type { LaunchStore } from './launches.ts';
import type { SecurityEvent } from './security-event.ts';
import type { SigningKeys } from './signing-keys.ts';
import type { TokenSigner } from './token-signer.ts';
import type { ServerUrls } from './urls.ts';

/** Lifetimes and switches of the authorization server, all in seconds. */
export interface OAuthConfig {
  /** Access tokens of users (default 15 minutes). */
  accessTokenSeconds: number;
  /** Access tokens of backend services (default 5 minutes). */
  backendTokenSeconds: number;
  /** Authorization codes (60 s). */
  codeSeconds: number;
  /** Refresh tokens of offline_access grants (default 30 days; each rotation starts a new period). */
  offlineRefreshSeconds: number;
  /** Refresh tokens of online_access grants (default 12 hours), which also end after `idleSeconds` unused. */
  onlineRefreshSeconds: number;
  /** The session idle timeout: interactive grants without offline_access end after this long unused. */
  idleSeconds: number;
  /** EHR launch handles (default 10 minutes). */
  launchSeconds: number;
  /** The longest `confide token --ttl` (default 24 hours). */
  maxOperatorTokenSeconds: number;
  /** Sent as `smart_style_url` with launch context, when set. */
  smartStyleUrl?: string;
}

/** Everything the endpoints share. */
export interface OAuthContext {
  db: Db;
  repo: Repository;
  accounts: AccountsPort;
  now: () => Date;
  config: OAuthConfig;
  keys: SigningKeys;
  clients: ClientRegistry;
  clientKeys: ClientKeys;
  grants: GrantStore;
  codes: CodeStore;
  launches: LaunchStore;
  signer: TokenSigner;
  bearer: BearerAuth;
  emit(e: Omit<SecurityEvent, 'at'>): void;
  /** This server's URLs as seen by `req` (its Host header when no public URL is configured). */
  urls(req?: IncomingMessage): ServerUrls;
  /** Revokes a grant everywhere: in the database and in this process's token cache. */
  revokeGrant(grantId: string, reason: string, event?: Partial<SecurityEvent>): Promise<boolean>;
  onError(err: unknown): void;
}
