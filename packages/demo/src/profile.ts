import { ALLERGIES, type AllergyKey } from './allergies.ts';
import { ANXIETY, CONDITIONS, DEPRESSION, type ConditionKey } from './conditions.ts';
import type { PayerKey } from './coverage.ts';
import type { Code } from './fhir-helpers.ts';
import { clamp, round } from './fhir-helpers.ts';
import { MEDICATIONS, TREATMENTS, type MedicationKey } from './medications.ts';
import type { PatientProfile, PlannedMedication, Program, Sex, Stream, StreamPlan } from './model.ts';
import { emailFor, pickAddress, pickName, pickPhone, pickPool } from './names.ts';
import { PERSONAS, patientId, type Persona } from './personas.ts';
import { Rng } from './prng.ts';
import { PRACTITIONER } from './staff.ts';

const ENGLISH: Code = { code: 'en-US', display: 'English (United States)' };

const MARITAL: Record<string, Code> = {
  S: { code: 'S', display: 'Never Married' },
  M: { code: 'M', display: 'Married' },
  D: { code: 'D', display: 'Divorced' },
  W: { code: 'W', display: 'Widowed' },
};

/** Who the patient is and what care they get: demographics, diagnoses, planned medications and streams of care. */
export function buildProfile(seed: number, index: number, today: number): PatientProfile {
  const rng = Rng.derive(seed, 'patient', index);
  const persona: Persona | undefined = PERSONAS[index - 1];

  const program: Program =
    persona?.program ??
    rng.weighted<Program>([
      ['mental-health', 45],
      ['integrated', 25],
      ['primary-care', 18],
      ['substance-use', 12],
    ]);
  const sex: Sex = persona?.sex ?? (rng.chance(program === 'substance-use' ? 0.4 : 0.57) ? 'female' : 'male');
  const age = persona?.age ?? pickAge(program, rng);
  const birthDay = today - Math.floor(age * 365.25) - rng.int(1, 360);
  const pool = pickPool(rng);
  const name = persona?.name ?? pickName(rng, pool, sex);
  const language =
    persona?.language ??
    (pool.language && rng.chance(pool.language.probability) ? { code: pool.language.code, display: pool.language.display } : ENGLISH);
  const address = pickAddress(rng);
  const phone = pickPhone(rng);
  const email = persona ? `${persona.username}@example.com` : emailFor(name, rng);
  const maritalStatus =
    MARITAL[
      age < 28
        ? rng.weighted([['S', 8], ['M', 2]] as const)
        : rng.weighted([['S', 3], ['M', 5], ['D', 2], ['W', age > 65 ? 2 : 0.2]] as const)
    ];
  let emergencyContact: PatientProfile['emergencyContact'];
  if (rng.chance(0.6)) {
    const married = maritalStatus.code === 'M';
    const contactName = pickName(rng, pool, married ? (sex === 'female' ? 'male' : 'female') : rng.chance(0.5) ? 'female' : 'male');
    emergencyContact = {
      name: married ? { given: contactName.given, family: name.family } : contactName,
      phone: pickPhone(rng),
      relationship: married ? 'Spouse' : rng.pick(['Parent', 'Sibling', 'Friend', 'Adult child']),
    };
  }

  const conditions = persona ? [...persona.conditions] : pickConditions(program, age, rng);
  const streams = planStreams(program, conditions, today, rng, persona !== undefined);
  const medications = persona
    ? persona.medications.map((m) => ({ key: m.key, conditions: m.conditions, prescriberStream: prescriberFor(m.conditions[0], streams) }))
    : planMedications(conditions, streams, rng);
  const allergies = pickAllergies(rng);
  const payer = persona?.payer ?? pickPayer(program, age, rng);

  const heightCm = round(rng.normal(sex === 'female' ? 163 : 177, 6.5), 1);
  const [bmiLow, bmiHigh] = conditions.includes('obesity') ? [30.5, 39] : conditions.includes('t2dm') ? [27, 34] : [19.5, 29.5];
  const bmi = round(rng.between(bmiLow, bmiHigh), 1);
  const systolic = Math.round(conditions.includes('htn') ? rng.between(142, 158) : rng.between(106, 128) + Math.max(0, age - 40) * 0.3);
  const heartRate = Math.round(rng.between(60, 86) + (conditions.includes('oud') || conditions.includes('aud') ? 6 : 0));

  return {
    index,
    id: patientId(index),
    key: `p${String(index).padStart(3, '0')}`,
    program,
    sex,
    name,
    birthDay,
    address,
    phone,
    email,
    language,
    maritalStatus,
    emergencyContact,
    conditions,
    medications,
    allergies,
    payer,
    streams,
    heightCm,
    bmi,
    systolic,
    heartRate,
  };
}

function pickAge(program: Program, rng: Rng): number {
  switch (program) {
    case 'mental-health':
      return rng.weighted([
        [rng.int(18, 34), 50],
        [rng.int(35, 54), 35],
        [rng.int(55, 78), 15],
      ]);
    case 'substance-use':
      return rng.int(21, 62);
    case 'integrated':
      return rng.int(28, 82);
    case 'primary-care':
      return rng.int(19, 88);
  }
}

function medicalConditions(age: number, rng: Rng, scale = 1): ConditionKey[] {
  const out: ConditionKey[] = [];
  if (rng.chance(scale * clamp((age - 25) / 60, 0.05, 0.7))) out.push('htn');
  if (rng.chance(scale * clamp((age - 30) / 110, 0.04, 0.35))) out.push('t2dm');
  if (rng.chance(scale * clamp((age - 30) / 70, 0.05, 0.55))) out.push('hld');
  if (rng.chance(scale * 0.12)) out.push('asthma');
  if (rng.chance(scale * (out.includes('t2dm') ? 0.6 : 0.25))) out.push('obesity');
  return out;
}

function pickConditions(program: Program, age: number, rng: Rng): ConditionKey[] {
  const set = new Set<ConditionKey>();
  const mentalHealth = (weights: ReadonlyArray<readonly [ConditionKey, number]>): void => {
    const primary = rng.weighted(weights);
    set.add(primary);
    if (primary !== 'adjustment' && primary !== 'bipolar-2' && rng.chance(0.35)) {
      const second = rng.pick<ConditionKey>(DEPRESSION.includes(primary) ? ANXIETY : ['mdd-single-moderate', 'gad', 'panic']);
      if (!(DEPRESSION.includes(second) && [...set].some((c) => DEPRESSION.includes(c)))) set.add(second);
    }
  };
  switch (program) {
    case 'mental-health':
      mentalHealth([
        ['mdd-single-moderate', 18],
        ['mdd-recurrent-moderate', 14],
        ['gad', 20],
        ['ptsd', 10],
        ['adjustment', 12],
        ['adhd-inattentive', age < 50 ? 10 : 1],
        ['bipolar-2', 6],
        ['panic', 8],
      ]);
      if (rng.chance(0.15)) set.add('insomnia');
      if (rng.chance(0.12)) set.add('tobacco');
      break;
    case 'integrated': {
      const medical = medicalConditions(age, rng);
      set.add(medical.length > 0 ? medical[0] : rng.pick<ConditionKey>(['htn', 'hld', 'asthma', 'obesity']));
      for (const c of medical) set.add(c);
      mentalHealth([
        ['mdd-single-moderate', 30],
        ['mdd-recurrent-moderate', 15],
        ['gad', 30],
        ['adjustment', 15],
        ['panic', 10],
      ]);
      if (rng.chance(0.15)) set.add('tobacco');
      if (rng.chance(0.1)) set.add('insomnia');
      break;
    }
    case 'primary-care':
      if (rng.chance(0.75)) for (const c of medicalConditions(age, rng)) set.add(c);
      if (rng.chance(0.12)) set.add('tobacco');
      break;
    case 'substance-use':
      set.add(rng.chance(0.7) ? 'oud' : 'aud');
      if (rng.chance(set.has('oud') ? 0.6 : 0.4)) set.add('tobacco');
      if (rng.chance(0.5)) set.add(rng.pick<ConditionKey>(['gad', 'mdd-single-moderate', 'ptsd', 'mdd-recurrent-moderate']));
      if (age >= 35) for (const c of medicalConditions(age, rng, 0.5)) set.add(c);
      break;
  }
  return [...set];
}

function planStreams(program: Program, conditions: readonly ConditionKey[], today: number, rng: Rng, persona: boolean): StreamPlan[] {
  const streams: StreamPlan[] = [];
  const yesterday = today - 1;
  const needsPrescriber = conditions.some((c) => ['adhd-inattentive', 'bipolar-2'].includes(c));
  const wantsMeds = conditions.some((c) => CONDITIONS[c].domain === 'mental-health' && TREATMENTS[c] !== undefined);

  const therapy = (practitionerId: string): StreamPlan => {
    const startDay = today - (persona ? 260 : rng.int(20, 700));
    const length = persona ? 400 : rng.int(90, 320);
    const endDay = Math.min(yesterday, startDay + length);
    const cadence = rng.weighted([[7, 20], [14, 55], [21, 15], [28, 10]] as const);
    return {
      stream: 'therapy',
      practitionerId,
      site: 'practice',
      startDay,
      endDay,
      ongoing: persona || startDay + length >= yesterday,
      cadenceDays: Math.max(cadence, Math.ceil((endDay - startDay) / 9)),
      maxVisits: 10,
      telehealthRate: rng.pick([0.1, 0.3, 0.6]),
    };
  };
  const psychiatry = (after?: StreamPlan): StreamPlan => ({
    stream: 'psychiatry',
    practitionerId: persona || rng.chance(0.6) ? PRACTITIONER.psychiatrist : PRACTITIONER.psychNp,
    site: 'practice',
    startDay: Math.min(today - 3, after ? after.startDay + rng.int(7, 45) : today - rng.int(30, 700)),
    endDay: yesterday,
    ongoing: persona || rng.chance(0.9),
    cadenceDays: rng.int(60, 100),
    maxVisits: 6,
    telehealthRate: 0.4,
  });
  const primaryCare = (): StreamPlan => {
    const chronic = conditions.some((c) => CONDITIONS[c].domain === 'medical');
    return {
      stream: 'primary-care',
      practitionerId: PRACTITIONER.familyPhysician,
      site: 'practice',
      startDay: today - (persona ? 520 : rng.int(45, 720)),
      endDay: yesterday,
      ongoing: true,
      cadenceDays: chronic ? rng.int(100, 150) : 365,
      maxVisits: 6,
      telehealthRate: 0.1,
    };
  };

  switch (program) {
    case 'mental-health': {
      const t = therapy(persona || rng.chance(0.65) ? PRACTITIONER.therapist1 : PRACTITIONER.therapist2);
      streams.push(t);
      if (persona || needsPrescriber || (wantsMeds && rng.chance(0.75))) streams.push(psychiatry(t));
      break;
    }
    case 'integrated': {
      streams.push(primaryCare());
      const t = therapy(persona || rng.chance(0.6) ? PRACTITIONER.therapist1 : PRACTITIONER.therapist2);
      streams.push(t);
      if (needsPrescriber || (!persona && rng.chance(0.3))) streams.push(psychiatry(t));
      break;
    }
    case 'primary-care':
      streams.push(primaryCare());
      break;
    case 'substance-use': {
      const startDay = today - (persona ? 300 : rng.int(21, 600));
      const ongoing = persona || rng.chance(0.85);
      const endDay = ongoing ? yesterday : Math.min(yesterday, startDay + rng.int(30, 200));
      const prescriber = persona || rng.chance(0.75) ? PRACTITIONER.psychNp : PRACTITIONER.psychiatrist;
      streams.push({
        stream: 'sud-medical',
        practitionerId: prescriber,
        site: 'riverside',
        startDay,
        endDay,
        ongoing,
        cadenceDays: 30,
        maxVisits: 8,
        telehealthRate: 0.15,
      });
      if (persona || rng.chance(0.7)) {
        const iopStart = startDay + 1;
        streams.push({
          stream: 'sud-iop',
          practitionerId: PRACTITIONER.therapist2,
          site: 'riverside',
          startDay: iopStart,
          endDay: Math.min(endDay, iopStart + 16),
          ongoing: ongoing && iopStart + 16 >= today,
          cadenceDays: 2,
          maxVisits: 4,
          telehealthRate: 0,
        });
      }
      streams.push({
        stream: 'sud-therapy',
        practitionerId: PRACTITIONER.therapist2,
        site: 'riverside',
        startDay: startDay + 21,
        endDay,
        ongoing,
        cadenceDays: rng.pick([14, 21, 28]),
        maxVisits: 4,
        telehealthRate: 0.25,
      });
      if (persona || rng.chance(0.5)) streams.push(primaryCare());
      break;
    }
  }
  return streams;
}

/** Which stream prescribes for a diagnosis. */
function prescriberFor(condition: ConditionKey, streams: readonly StreamPlan[]): Stream {
  const has = (s: Stream): boolean => streams.some((p) => p.stream === s);
  const domain = CONDITIONS[condition].domain;
  if (CONDITIONS[condition].part2) return 'sud-medical';
  if (domain === 'medical') return 'primary-care';
  if (condition === 'tobacco') return has('primary-care') ? 'primary-care' : has('sud-medical') ? 'sud-medical' : 'psychiatry';
  if (has('psychiatry')) return 'psychiatry';
  if (has('sud-medical')) return 'sud-medical';
  return 'primary-care';
}

function planMedications(conditions: readonly ConditionKey[], streams: readonly StreamPlan[], rng: Rng): PlannedMedication[] {
  const planned: Array<{ key: MedicationKey; conditions: ConditionKey[]; prescriberStream: Stream; replaces?: MedicationKey }> = [];
  const hasStream = (s: Stream): boolean => streams.some((p) => p.stream === s);
  for (const condition of conditions) {
    const options = TREATMENTS[condition];
    if (!options) continue;
    const prescriberStream = prescriberFor(condition, streams);
    if (!hasStream(prescriberStream)) continue;
    // Not everyone is on medication: therapy alone is common for milder presentations.
    const treatRate = CONDITIONS[condition].part2 ? 0.9 : condition === 'tobacco' ? 0.45 : CONDITIONS[condition].domain === 'medical' ? 0.85 : 0.75;
    if (!rng.chance(treatRate)) continue;
    const antidepressant = planned.find((p) => MEDICATIONS[p.key].classes.includes('antidepressant'));
    if (antidepressant && options.some((o) => MEDICATIONS[o].classes.includes('antidepressant'))) {
      antidepressant.conditions.push(condition);
      continue;
    }
    const key = rng.pick(options);
    const replaces =
      MEDICATIONS[key].classes.includes('ssri') && rng.chance(0.2)
        ? rng.pick((['sertraline-50', 'escitalopram-10', 'fluoxetine-20'] as const).filter((k) => k !== key))
        : undefined;
    planned.push({ key, conditions: [condition], prescriberStream, replaces });
  }
  return planned;
}

function pickAllergies(rng: Rng): AllergyKey[] {
  const count = rng.weighted([
    [0, 65],
    [1, 28],
    [2, 7],
  ] as const);
  const out: AllergyKey[] = [];
  while (out.length < count) {
    const key = rng.weighted(Object.values(ALLERGIES).map((a) => [a.key, a.weight] as const));
    if (!out.includes(key)) out.push(key);
  }
  return out;
}

function pickPayer(program: Program, age: number, rng: Rng): PayerKey | undefined {
  if (rng.chance(0.08)) return undefined;
  if (age >= 65) return 'medicare';
  if (rng.chance(program === 'substance-use' ? 0.6 : 0.25)) return 'medicaid';
  return rng.chance(0.55) ? 'evergreen' : 'summit';
}
