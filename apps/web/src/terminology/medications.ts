/** A curated RxNorm list (clinical drugs, SCD) for prescribing from the chart; docs/web.md says why curated. */
export interface MedicationTerm {
  rxnorm: string;
  display: string;
  /** A usual sig to start from. */
  sig: string;
}

export const RXNORM = 'http://www.nlm.nih.gov/research/umls/rxnorm';

export const MEDICATIONS: MedicationTerm[] = [
  { rxnorm: '312941', display: 'sertraline 50 MG Oral Tablet', sig: 'Take 1 tablet by mouth once daily' },
  { rxnorm: '349332', display: 'escitalopram 10 MG Oral Tablet', sig: 'Take 1 tablet by mouth once daily' },
  { rxnorm: '310385', display: 'fluoxetine 20 MG Oral Capsule', sig: 'Take 1 capsule by mouth every morning' },
  { rxnorm: '993541', display: '24 HR bupropion hydrochloride 150 MG Extended Release Oral Tablet', sig: 'Take 1 tablet by mouth every morning' },
  { rxnorm: '856377', display: 'trazodone hydrochloride 50 MG Oral Tablet', sig: 'Take 1 tablet by mouth at bedtime as needed for sleep' },
  { rxnorm: '596926', display: 'duloxetine 30 MG Delayed Release Oral Capsule', sig: 'Take 1 capsule by mouth once daily' },
  { rxnorm: '311725', display: 'mirtazapine 15 MG Oral Tablet', sig: 'Take 1 tablet by mouth at bedtime' },
  { rxnorm: '197591', display: 'diazepam 5 MG Oral Tablet', sig: 'Take 1 tablet by mouth twice daily as needed' },
  { rxnorm: '308047', display: 'alprazolam 0.25 MG Oral Tablet', sig: 'Take 1 tablet by mouth three times daily as needed' },
  { rxnorm: '197527', display: 'clonazepam 0.5 MG Oral Tablet', sig: 'Take 1 tablet by mouth twice daily as needed' },
  { rxnorm: '995218', display: 'hydroxyzine hydrochloride 25 MG Oral Tablet', sig: 'Take 1 tablet by mouth every 6 hours as needed for anxiety' },
  { rxnorm: '314076', display: 'lisinopril 10 MG Oral Tablet', sig: 'Take 1 tablet by mouth once daily' },
  { rxnorm: '197361', display: 'amlodipine 5 MG Oral Tablet', sig: 'Take 1 tablet by mouth once daily' },
  { rxnorm: '860975', display: 'metformin hydrochloride 500 MG Oral Tablet (24 HR Extended Release)', sig: 'Take 1 tablet by mouth with evening meal' },
  { rxnorm: '617312', display: 'atorvastatin 10 MG Oral Tablet', sig: 'Take 1 tablet by mouth once daily' },
  { rxnorm: '966222', display: 'levothyroxine sodium 0.05 MG Oral Tablet', sig: 'Take 1 tablet by mouth every morning before breakfast' },
  { rxnorm: '198211', display: 'omeprazole 20 MG Delayed Release Oral Capsule', sig: 'Take 1 capsule by mouth once daily before breakfast' },
  { rxnorm: '745679', display: 'albuterol 0.09 MG/ACTUAT Metered Dose Inhaler', sig: 'Inhale 2 puffs every 4 to 6 hours as needed for wheezing' },
  { rxnorm: '1010600', display: 'buprenorphine 8 MG / naloxone 2 MG Sublingual Film', sig: 'Dissolve 1 film under the tongue once daily' },
  { rxnorm: '1191250', display: 'naltrexone hydrochloride 50 MG Oral Tablet', sig: 'Take 1 tablet by mouth once daily' },
  { rxnorm: '1725059', display: 'naloxone 4 MG/ACTUAT Nasal Spray', sig: 'Spray in one nostril for suspected overdose; may repeat' },
  { rxnorm: '197446', display: 'lithium carbonate 300 MG Oral Capsule', sig: 'Take 1 capsule by mouth twice daily' },
  { rxnorm: '312617', display: 'lamotrigine 25 MG Oral Tablet', sig: 'Take 1 tablet by mouth once daily' },
  { rxnorm: '312076', display: 'quetiapine 25 MG Oral Tablet', sig: 'Take 1 tablet by mouth at bedtime' },
  { rxnorm: '314286', display: 'aripiprazole 5 MG Oral Tablet', sig: 'Take 1 tablet by mouth once daily' },
  { rxnorm: '1091500', display: 'methylphenidate hydrochloride 18 MG Extended Release Oral Tablet', sig: 'Take 1 tablet by mouth every morning' },
  { rxnorm: '198440', display: 'acetaminophen 500 MG Oral Tablet', sig: 'Take 1 to 2 tablets by mouth every 6 hours as needed for pain' },
  { rxnorm: '197806', display: 'ibuprofen 600 MG Oral Tablet', sig: 'Take 1 tablet by mouth every 8 hours as needed with food' },
  { rxnorm: '2123111', display: 'nicotine 21 MG/24HR Transdermal System', sig: 'Apply 1 patch to the skin once daily' },
];

export function searchMedications(query: string, limit = 12): MedicationTerm[] {
  const words = query.toLowerCase().split(/\s+/).filter(Boolean);
  return MEDICATIONS.filter((m) => words.every((w) => `${m.display} ${m.rxnorm}`.toLowerCase().includes(w))).slice(0, limit);
}
