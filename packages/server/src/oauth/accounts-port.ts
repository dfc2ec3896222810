import type { Accounts } from '@confide/auth';

/** The parts of `@confide/auth`'s Accounts the authorization server uses (tests may pass a stand-in). */
export type AccountsPort = Pick<
  Accounts,
  'getUser' | 'signIn' | 'validateSession' | 'revokeSession' | 'changePassword' | 'startTotpEnrollment' | 'confirmTotpEnrollment'
>;
