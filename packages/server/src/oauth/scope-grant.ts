import { formatScope, isScopeSubset, parseScope, parseScopesLenient, PERMISSION_ORDER, type ResourceScope, type Scope, type ScopePermission } from '@confide/policy';

export interface NarrowedScopes {
  /** What may be granted, space-separated, in the order requested. */
  scope: string;
  scopes: Scope[];
  /** Requested scopes dropped: unknown or malformed, or beyond what the client may have. */
  dropped: string[];
  /** Resource scopes of the wrong context: `system/` in a user authorization, `user/`/`patient/` for a backend. */
  wrongContext: string[];
}

/**
 * What a client gets of what it asked for (RFC 6749 section 3.3: the server may grant less than requested and
 * says so in the `scope` of the token response). Unknown and malformed scopes are dropped; a resource scope
 * beyond the client's registered scope is cut down to the permissions the registration covers
 * (`user/*.cruds` for a client registered with `user/*.rs` becomes `user/*.rs`), or dropped when none is.
 * Scopes of the other context (`mode`) are reported in `wrongContext` and never granted.
 */
export function narrowScopes(requested: string, allowed: string | readonly Scope[], mode: 'user' | 'system'): NarrowedScopes {
  const allowedScopes = typeof allowed === 'string' ? parseScopesLenient(allowed).scopes : allowed;
  const { scopes, rejected } = parseScopesLenient(requested);
  const out: Scope[] = [];
  const dropped = rejected.map((e) => e.scope);
  const wrongContext: string[] = [];
  const seen = new Set<string>();
  const keep = (s: Scope) => {
    if (!seen.has(s.text)) {
      seen.add(s.text);
      out.push(s);
    }
  };
  for (const s of scopes) {
    if (s.kind === 'special') {
      if (mode === 'system') wrongContext.push(s.text);
      else if (isScopeSubset([s], allowedScopes)) keep(s);
      else dropped.push(s.text);
      continue;
    }
    if ((mode === 'system') !== (s.context === 'system')) {
      wrongContext.push(s.text);
      continue;
    }
    if (isScopeSubset([s], allowedScopes)) {
      keep(s);
      continue;
    }
    const perms = PERMISSION_ORDER.filter((p) => s.interactions.has(p) && isScopeSubset([withPermissions(s, [p])], allowedScopes));
    if (perms.length === 0) {
      dropped.push(s.text);
      continue;
    }
    keep(parseScope(formatScope(withPermissions(s, perms))));
  }
  return { scope: out.map((s) => s.text).join(' '), scopes: out, dropped, wrongContext };
}

function withPermissions(s: ResourceScope, perms: ScopePermission[]): ResourceScope {
  return { ...s, version: 2, interactions: new Set(perms) };
}

export function hasScope(scope: string | readonly Scope[], name: string): boolean {
  const list = typeof scope === 'string' ? scope.split(/\s+/) : scope.map((s) => s.text);
  return list.includes(name);
}

const SPECIAL_TEXT: Record<string, string> = {
  openid: 'Confirm who you are',
  fhirUser: 'Know which person you are in the record (your practitioner or patient record)',
  profile: 'See your name',
  launch: 'Open with the record you are working in',
  'launch/patient': 'Know which patient is selected',
  'launch/encounter': 'Know which visit is selected',
  offline_access: 'Keep its access after you sign out, until you revoke it',
  online_access: 'Keep its access while you are signed in',
};

const VERB: Record<ScopePermission, string> = { c: 'create', r: 'read', u: 'update', d: 'delete', s: 'search' };

/** One line of plain language per scope, for the consent page. `patientUser`: "your" instead of "the selected patient's". */
export function describeScope(s: Scope, patientUser: boolean): string {
  if (s.kind === 'special') return SPECIAL_TEXT[s.name] ?? s.text;
  const verbs = PERMISSION_ORDER.filter((p) => s.interactions.has(p)).map((p) => VERB[p]);
  const verbText = verbs.length > 1 ? `${verbs.slice(0, -1).join(', ')} and ${verbs[verbs.length - 1]}` : verbs[0];
  const what = s.resourceType === '*' ? 'all kinds of records' : `${s.resourceType} records`;
  const whose =
    s.context === 'patient'
      ? patientUser
        ? 'in your own health record'
        : "of the selected patient"
      : s.context === 'user'
        ? patientUser
          ? 'that you can see'
          : 'of any patient you can see'
        : 'of any patient';
  const filter = s.query ? ` (only where ${s.query.params.map(([n, v]) => `${n} is ${v}`).join(' and ')})` : '';
  return `${verbText[0].toUpperCase()}${verbText.slice(1)} ${what} ${whose}${filter}`;
}
