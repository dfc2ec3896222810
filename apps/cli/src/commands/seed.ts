import { parseArgs } from 'node:util';
import { createDemoAccounts, DEMO_PASSWORD } from '@confide/auth';
import { demoPatientUsers, demoStaff, generateDemoPractice } from '@confide/demo';
import { createConfide, type Confide } from '@confide/server';
import { dbOptions } from '../config.ts';
import { Progress } from '../progress.ts';
import { postTransaction } from './bundles.ts';
import { labelOptions } from '../label-rules-file.ts';

export async function seedDemo(confide: Confide, options: { patients?: number; seed?: number }): Promise<number> {
  const bundles = generateDemoPractice({ patients: options.patients, seed: options.seed });
  const total = bundles.reduce((n, b) => n + (b.entry?.length ?? 0), 0);
  const progress = new Progress('Demo practice', total);
  for (const b of bundles) {
    await postTransaction(confide, b);
    progress.add(b.entry?.length ?? 0);
  }
  progress.finish();
  await seedDemoAccounts(confide);
  return total;
}

/**
 * The demo practice's sign-in accounts (password DEMO_PASSWORD, no MFA: they exist to try Confide). The
 * practice administrator is also the practice's auditor and privacy officer, as in a small practice.
 */
export async function seedDemoAccounts(confide: Confide): Promise<void> {
  const accounts = confide.accounts;
  await createDemoAccounts(accounts, { staff: demoStaff, patients: demoPatientUsers });
  const admin = demoStaff.find((s) => s.role === 'admin');
  if (admin) await accounts.setRoles(admin.username, ['admin', 'auditor', 'privacy-officer'], { by: 'demo' });
  process.stdout.write(demoSignIn());
}

/** How to sign in to the demo practice (also in the README). */
export function demoSignIn(): string {
  const byRole = (role: string) => demoStaff.filter((s) => s.role === role).map((s) => `${s.username} (${s.display})`).join(', ');
  return [
    '',
    `Demo practice accounts, all with the password ${DEMO_PASSWORD} (no MFA; for trying Confide only):`,
    `  clinicians:  ${byRole('clinician')}`,
    `  front desk:  ${byRole('front-desk')}`,
    `  billing:     ${byRole('billing')}`,
    `  admin:       ${byRole('admin')} (also auditor and privacy officer)`,
    `  patients:    ${demoPatientUsers.map((p) => p.username).join(', ')}`,
    '',
  ].join('\n');
}

export async function seed(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: { data: { type: 'string' }, patients: { type: 'string' }, seed: { type: 'string' } },
  });
  const confide = await createConfide({ ...dbOptions(values), ...labelOptions() });
  try {
    await seedDemo(confide, {
      patients: values.patients ? Number(values.patients) : undefined,
      seed: values.seed ? Number(values.seed) : undefined,
    });
    return 0;
  } finally {
    await confide.close();
  }
}
