import type { Accounts } from './accounts.ts';
import type { UserRecord } from './user-record.ts';

/**
 * The one password of every demo account. It is public (printed by the CLI and written in the README): demo
 * accounts exist to try Confide with the generated demo practice, never on a database with real patients.
 */
export const DEMO_PASSWORD = 'confide-demo-2026';

export interface DemoStaffInput {
  username: string;
  display: string;
  role: string;
  practitionerId: string;
}

export interface DemoPatientInput {
  username: string;
  display: string;
  patientId: string;
}

/**
 * Creates the demo practice's sign-in accounts (shaped like `demoStaff` and `demoPatientUsers` of
 * `@confide/demo`, passed in by the caller): password `DEMO_PASSWORD`, no MFA, no forced password change.
 * Usernames that already exist are skipped, so running it again changes nothing. Returns what it created.
 */
export async function createDemoAccounts(
  accounts: Accounts,
  demo: { staff?: readonly DemoStaffInput[]; patients?: readonly DemoPatientInput[] },
  opts: { by?: string } = {},
): Promise<UserRecord[]> {
  const created: UserRecord[] = [];
  const by = opts.by ?? 'demo';
  for (const s of demo.staff ?? []) {
    if (await accounts.getUser(s.username)) continue;
    const { user } = await accounts.createUser(
      {
        username: s.username,
        kind: 'staff',
        fhirUser: `Practitioner/${s.practitionerId}`,
        display: s.display,
        roles: [s.role],
        password: DEMO_PASSWORD,
        mfaRequired: false,
      },
      { by },
    );
    created.push(user);
  }
  for (const p of demo.patients ?? []) {
    if (await accounts.getUser(p.username)) continue;
    const { user } = await accounts.createUser(
      { username: p.username, kind: 'patient', fhirUser: `Patient/${p.patientId}`, display: p.display, password: DEMO_PASSWORD, mfaRequired: false },
      { by },
    );
    created.push(user);
  }
  return created;
}
