import type { Code } from './fhir-helpers.ts';

/** CDC CVX vaccine codes with their short descriptions. */
export type VaccineKey = 'flu-tiv-pf' | 'flu-qiv-pf' | 'flu-qiv' | 'tdap' | 'covid-pfizer' | 'covid-unspecified' | 'ppsv23' | 'zoster' | 'hepb-adult' | 'hepa-adult';

export interface VaccineDef {
  readonly key: VaccineKey;
  readonly cvx: Code;
  readonly doseMl: number;
  readonly manufacturer: string;
  /** Earliest date the product was in use (YYYY-MM-DD), to avoid anachronisms. */
  readonly availableFrom?: string;
}

export const VACCINES: Readonly<Record<VaccineKey, VaccineDef>> = {
  'flu-tiv-pf': { key: 'flu-tiv-pf', cvx: { code: '140', display: 'Influenza, seasonal, injectable, preservative free' }, doseMl: 0.5, manufacturer: 'Seqirus' },
  'flu-qiv-pf': { key: 'flu-qiv-pf', cvx: { code: '150', display: 'Influenza, injectable, quadrivalent, preservative free' }, doseMl: 0.5, manufacturer: 'Sanofi Pasteur' },
  'flu-qiv': { key: 'flu-qiv', cvx: { code: '158', display: 'influenza, injectable, quadrivalent, contains preservative' }, doseMl: 0.5, manufacturer: 'Seqirus' },
  tdap: { key: 'tdap', cvx: { code: '115', display: 'Tdap' }, doseMl: 0.5, manufacturer: 'GlaxoSmithKline' },
  'covid-pfizer': {
    key: 'covid-pfizer',
    cvx: { code: '208', display: 'COVID-19, mRNA, LNP-S, PF, 30 mcg/0.3 mL dose' },
    doseMl: 0.3,
    manufacturer: 'Pfizer',
    availableFrom: '2020-12-11',
  },
  'covid-unspecified': {
    key: 'covid-unspecified',
    cvx: { code: '213', display: 'SARS-COV-2 (COVID-19) vaccine, UNSPECIFIED FORMULATION' },
    doseMl: 0.3,
    manufacturer: 'Unknown',
    availableFrom: '2020-12-11',
  },
  ppsv23: { key: 'ppsv23', cvx: { code: '33', display: 'pneumococcal polysaccharide vaccine, 23 valent' }, doseMl: 0.5, manufacturer: 'Merck' },
  zoster: { key: 'zoster', cvx: { code: '187', display: 'zoster vaccine recombinant' }, doseMl: 0.5, manufacturer: 'GlaxoSmithKline' },
  'hepb-adult': { key: 'hepb-adult', cvx: { code: '43', display: 'Hep B, adult' }, doseMl: 1.0, manufacturer: 'Merck' },
  'hepa-adult': { key: 'hepa-adult', cvx: { code: '52', display: 'Hep A, adult' }, doseMl: 1.0, manufacturer: 'GlaxoSmithKline' },
};
