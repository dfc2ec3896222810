import { FHIR_BASE_PATH } from '../http/server.ts';

/** The absolute URLs of the authorization server and of the FHIR endpoint it protects. */
export interface ServerUrls {
  /** Public base URL, without trailing slash: the `iss` of every token. */
  issuer: string;
  /** FHIR base URL: the `aud` of access tokens and the `aud` an app must name at /oauth2/authorize. */
  fhirBase: string;
  authorize: string;
  token: string;
  introspect: string;
  revoke: string;
  launch: string;
  jwks: string;
  /** Served over https: cookies get `Secure`. */
  secure: boolean;
}

export function serverUrls(base: string): ServerUrls {
  const issuer = base.replace(/\/+$/, '');
  return {
    issuer,
    fhirBase: issuer + FHIR_BASE_PATH,
    authorize: `${issuer}/oauth2/authorize`,
    token: `${issuer}/oauth2/token`,
    introspect: `${issuer}/oauth2/introspect`,
    revoke: `${issuer}/oauth2/revoke`,
    launch: `${issuer}/oauth2/launch`,
    jwks: `${issuer}/.well-known/jwks.json`,
    secure: issuer.startsWith('https:'),
  };
}

/** A Host header we are willing to put into URLs (no spaces, quotes or paths). */
export function safeHost(host: string | undefined): string {
  return host && /^[A-Za-z0-9.-]+(:\d{1,5})?$|^\[[0-9A-Fa-f:.]+\](:\d{1,5})?$/.test(host) ? host : 'localhost';
}
