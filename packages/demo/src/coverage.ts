import { ORGANIZATION } from './practice.ts';

/** Payers of the demo practice, with the shape of their member ids and plans. */
export type PayerKey = 'medicare' | 'medicaid' | 'evergreen' | 'summit';

export interface PayerDef {
  readonly key: PayerKey;
  readonly organizationId: string;
  readonly name: string;
  readonly kind: 'public' | 'commercial';
  readonly memberIdPrefix: string;
  readonly plans: ReadonlyArray<{ readonly group: string; readonly groupName: string; readonly plan: string; readonly planName: string }>;
}

export const PAYERS: Readonly<Record<PayerKey, PayerDef>> = {
  medicare: {
    key: 'medicare',
    organizationId: ORGANIZATION.medicare,
    name: 'Medicare',
    kind: 'public',
    memberIdPrefix: '1EG4',
    plans: [{ group: 'MEDICARE-B', groupName: 'Medicare Part B', plan: 'PART-B', planName: 'Original Medicare Part B' }],
  },
  medicaid: {
    key: 'medicaid',
    organizationId: ORGANIZATION.medicaid,
    name: 'Ohio Medicaid',
    kind: 'public',
    memberIdPrefix: '9',
    plans: [{ group: 'OH-MCD', groupName: 'Ohio Medicaid', plan: 'MCD-MANAGED', planName: 'Ohio Medicaid Managed Care' }],
  },
  evergreen: {
    key: 'evergreen',
    organizationId: ORGANIZATION.evergreen,
    name: 'Evergreen Health Plan',
    kind: 'commercial',
    memberIdPrefix: 'EVG',
    plans: [
      { group: 'EVG-20431', groupName: 'Buckeye Manufacturing Employees', plan: 'EVG-PPO', planName: 'Evergreen PPO 1500' },
      { group: 'EVG-33870', groupName: 'Central Ohio Schools', plan: 'EVG-HMO', planName: 'Evergreen HMO Select' },
    ],
  },
  summit: {
    key: 'summit',
    organizationId: ORGANIZATION.summit,
    name: 'Summit Mutual Insurance',
    kind: 'commercial',
    memberIdPrefix: 'SMI',
    plans: [
      { group: 'SMI-77120', groupName: 'Scioto Logistics', plan: 'SMI-HDHP', planName: 'Summit High Deductible Health Plan' },
      { group: 'SMI-80415', groupName: 'Franklin County Retailers', plan: 'SMI-EPO', planName: 'Summit EPO' },
    ],
  },
};
