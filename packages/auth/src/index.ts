export { Accounts } from './accounts.ts';
export type {
  AccountsOptions,
  ByOptions,
  CreateUserInput,
  NewSession,
  PendingStep,
  SignInFailure,
  SignInInput,
  SignInResult,
  ValidSession,
} from './accounts.ts';
export { AccountError, type AccountErrorCode } from './account-error.ts';
export type { AccountEvent } from './account-event.ts';
export type { UserKind, UserRecord } from './user-record.ts';
export type { SessionInfo } from './session-record.ts';
export {
  checkPasswordPolicy,
  generatePassword,
  normalizePassword,
  PASSWORD_MAX_LENGTH,
  PASSWORD_MIN_LENGTH,
  SINGLE_CLASS_MIN_LENGTH,
} from './password-policy.ts';
export { ARGON2_PARAMS, dummyVerify, hashPassword, needsRehash, verifyPassword } from './password-hash.ts';
export { checkTotp, newTotpSecret, totpCode, totpStep, totpUri, TOTP_DIGITS, TOTP_PERIOD_SECONDS, TOTP_WINDOW, type TotpCheck } from './totp.ts';
export { afterFailure, afterSuccess, DEFAULT_LOCKOUT, isLocked, lockRemainingMs, type LockoutPolicy, type LockState } from './lockout.ts';
export { checkFhirUser, checkRoles, checkUsername, FHIR_USER_PATTERN, normalizeUsername, USERNAME_PATTERN } from './validation.ts';
export { createDemoAccounts, DEMO_PASSWORD, type DemoPatientInput, type DemoStaffInput } from './demo-accounts.ts';
