import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './support/harness.ts';
import { get, put, searchBoth, sorted, tagged, TAG_SYSTEM } from './search-support.ts';

/**
 * Search parameter types over HTTP (R4 search.html#ptypes): resources that sit exactly on the edges of each
 * type's matching rules, and the exact result set (by id) of each query, via GET and POST _search. Every
 * query of a group is scoped to that group's fixtures with `_tag`, so the groups do not see each other.
 */

let s: TestServer;
beforeAll(async () => {
  s = await startTestServer();
});
afterAll(async () => {
  await s?.close();
});

type Case = [query: string, expected: string[]];
type Json = Record<string, any>;

const LOINC = 'http://loinc.org';
const UCUM = 'http://unitsofmeasure.org';
const V2_0203 = 'http://terminology.hl7.org/CodeSystem/v2-0203';

/** Writes a group's fixtures once, then checks every case of its table. */
function group(name: string, type: string, fixtures: () => Json[], cases: Case[]): void {
  describe(name, () => {
    beforeAll(async () => {
      await put(s, fixtures().map((r) => tagged(name, r)));
    });
    it.each(cases)(`${type}?%s`, async (query, expected) => {
      const ids = await searchBoth(s, type, `${query}&_tag=${TAG_SYSTEM}|${name}&_count=100`);
      expect(sorted(ids)).toEqual(sorted(expected));
    });
  });
}

const observation = (id: string, extra: Json): Json => ({ resourceType: 'Observation', id, status: 'final', code: { text: 'test' }, ...extra });

// search.html#string: case- and accent-insensitive starts-with by default; :exact; :contains.
group(
  'string',
  'Patient',
  () => [
    { resourceType: 'Patient', id: 'str-mueller', name: [{ family: 'Müller', given: ['Hans', 'Peter'] }] },
    { resourceType: 'Patient', id: 'str-jose', name: [{ family: 'García', given: ['José'] }] },
    { resourceType: 'Patient', id: 'str-josephine', name: [{ family: 'Smith', given: ['Josephine'] }] },
    { resourceType: 'Patient', id: 'str-mulligan', name: [{ family: 'MULLIGAN', given: ['Ann'] }] },
    { resourceType: 'Patient', id: 'str-vanderberg', name: [{ family: 'van der Berg', given: ['Eve'] }] },
    { resourceType: 'Patient', id: 'str-noname', address: [{ city: 'Zürich', line: ['Bahnhofstrasse 1'] }] },
  ],
  [
    ['name=mull', ['str-mueller', 'str-mulligan']],
    ['name=MÜLL', ['str-mueller', 'str-mulligan']],
    ['name=jos', ['str-jose', 'str-josephine']],
    ['name=josé', ['str-jose', 'str-josephine']],
    ['name=JOSE', ['str-jose', 'str-josephine']],
    ['family=garcia', ['str-jose']],
    ['name=ller', []],
    ['name:exact=Müller', ['str-mueller']],
    ['name:exact=müller', []],
    ['name:exact=Muller', []],
    ['name:exact=Müll', []],
    ['family:exact=García', ['str-jose']],
    ['name:contains=ULL', ['str-mueller', 'str-mulligan']],
    ['name:contains=der', ['str-vanderberg']],
    ['name:contains=EPH', ['str-josephine']],
    ['given=peter', ['str-mueller']],
    ['given=hans,ann', ['str-mueller', 'str-mulligan']],
    ['given=hans&given=peter', ['str-mueller']],
    ['given=hans&given=ann', []],
    ['family=van der', ['str-vanderberg']],
    ['family=van  der', ['str-vanderberg']],
    ['address-city=zur', ['str-noname']],
    ['address=bahnhof', ['str-noname']],
    ['name=%', []],
    ['name=_', []],
    ['name:missing=true', ['str-noname']],
    ['name:missing=false', ['str-mueller', 'str-jose', 'str-josephine', 'str-mulligan', 'str-vanderberg']],
    ['address:missing=true', ['str-mueller', 'str-jose', 'str-josephine', 'str-mulligan', 'str-vanderberg']],
  ],
);

// search.html#token on Patient: codes with an implicit system, booleans, identifiers, ContactPoint, _id.
group(
  'token',
  'Patient',
  () => [
    {
      resourceType: 'Patient',
      id: 'tok-a',
      gender: 'female',
      active: true,
      identifier: [{ system: 'urn:mrn', value: 'A1', type: { coding: [{ system: V2_0203, code: 'MR' }], text: 'Medical record number' } }],
      telecom: [{ system: 'phone', value: '555-0100' }],
    },
    {
      resourceType: 'Patient',
      id: 'tok-b',
      gender: 'male',
      active: false,
      identifier: [{ value: 'B1' }, { system: 'urn:ssn', value: 'A1', type: { coding: [{ system: V2_0203, code: 'SS' }] } }],
      telecom: [{ system: 'email', value: 'b@example.org' }],
    },
    { resourceType: 'Patient', id: 'tok-c', identifier: [{ system: 'urn:mrn', value: 'C1' }] },
    { resourceType: 'Patient', id: 'tok-d', gender: 'other', active: true },
  ],
  [
    ['gender=female', ['tok-a']],
    ['gender=http://hl7.org/fhir/administrative-gender|female', ['tok-a']],
    ['gender=urn:other|female', []],
    ['gender=female,male', ['tok-a', 'tok-b']],
    ['gender=female&gender=male', []],
    ['gender:not=male', ['tok-a', 'tok-c', 'tok-d']],
    ['gender:missing=true', ['tok-c']],
    ['gender:missing=false', ['tok-a', 'tok-b', 'tok-d']],
    ['active=true', ['tok-a', 'tok-d']],
    ['active=false', ['tok-b']],
    ['active:not=true', ['tok-b', 'tok-c']],
    ['identifier=A1', ['tok-a', 'tok-b']],
    ['identifier=a1', []],
    ['identifier=urn:mrn|A1', ['tok-a']],
    ['identifier=|B1', ['tok-b']],
    ['identifier=|A1', []],
    ['identifier=urn:mrn|', ['tok-a', 'tok-c']],
    ['identifier=urn:mrn|A1,urn:mrn|C1', ['tok-a', 'tok-c']],
    ['identifier:not=urn:mrn|A1', ['tok-b', 'tok-c', 'tok-d']],
    [`identifier:of-type=${V2_0203}|MR|A1`, ['tok-a']],
    [`identifier:of-type=${V2_0203}|SS|A1`, ['tok-b']],
    [`identifier:of-type=${V2_0203}|MR|C1`, []],
    ['identifier:text=medical', ['tok-a']],
    ['identifier:missing=true', ['tok-d']],
    ['telecom=555-0100', ['tok-a']],
    ['phone=555-0100', ['tok-a']],
    ['email=b@example.org', ['tok-b']],
    ['_id=tok-a,tok-c', ['tok-a', 'tok-c']],
    ['_id=TOK-A', []],
    ['_id:not=tok-a', ['tok-b', 'tok-c', 'tok-d']],
  ],
);

// search.html#token on CodeableConcept: system|code, |code, system|, :text, :not, escaped commas.
group(
  'token-cc',
  'Observation',
  () => [
    observation('cc-sys', { code: { coding: [{ system: LOINC, code: '8480-6', display: 'Systolic blood pressure' }], text: 'BP systolic' } }),
    observation('cc-nosys', { code: { coding: [{ code: '8480-6' }] } }),
    observation('cc-text', { code: { text: 'Headache severe' } }),
    observation('cc-comma', { code: { coding: [{ system: 'urn:odd', code: 'a,b' }] } }),
  ],
  [
    ['code=8480-6', ['cc-sys', 'cc-nosys']],
    [`code=${LOINC}|8480-6`, ['cc-sys']],
    ['code=|8480-6', ['cc-nosys']],
    [`code=${LOINC}|`, ['cc-sys']],
    ['code:text=systolic', ['cc-sys']],
    ['code:text=bp', ['cc-sys']],
    ['code:text=HEADACHE', ['cc-text']],
    ['code:not=8480-6', ['cc-text', 'cc-comma']],
    [`code:not=${LOINC}|8480-6`, ['cc-nosys', 'cc-text', 'cc-comma']],
    ['code=a\\,b', ['cc-comma']],
    ['code=urn:odd|a\\,b', ['cc-comma']],
    ['code=a', []],
  ],
);

// search.html#reference.
group(
  'reference',
  'Observation',
  () => [
    { resourceType: 'Patient', id: 'ref-p1' },
    { resourceType: 'Patient', id: 'ref-p2' },
    { resourceType: 'Group', id: 'ref-p1', type: 'person', actual: true },
    observation('ref-o1', { subject: { reference: 'Patient/ref-p1' } }),
    observation('ref-o2', { subject: { reference: `${s.base}/Patient/ref-p2` } }),
    observation('ref-o3', { subject: { reference: 'Group/ref-p1' } }),
    observation('ref-o4', { subject: { identifier: { system: 'urn:mrn', value: 'X9' } } }),
    observation('ref-o5', {}),
    observation('ref-o6', { subject: { reference: 'http://other.example/fhir/Patient/ref-p1' } }),
    observation('ref-o7', { subject: { reference: 'Patient/ref-p1/_history/1' } }),
  ],
  [
    ['subject=Patient/ref-p1', ['ref-o1', 'ref-o7']],
    ['subject:Patient=ref-p1', ['ref-o1', 'ref-o7']],
    ['subject:Group=ref-p1', ['ref-o3']],
    ['patient=ref-p1', ['ref-o1', 'ref-o7']],
    ['subject=Patient/ref-p1/_history/3', ['ref-o1', 'ref-o7']],
    ['subject=Patient/ref-p2', ['ref-o2']],
    ['subject=ref-p2', ['ref-o2']],
    ['subject=Patient/ref-p1,Patient/ref-p2', ['ref-o1', 'ref-o2', 'ref-o7']],
    ['subject=http://other.example/fhir/Patient/ref-p1', ['ref-o6']],
    ['subject:identifier=urn:mrn|X9', ['ref-o4']],
    ['subject:identifier=X9', ['ref-o4']],
    ['subject:identifier=urn:other|X9', []],
    ['subject:missing=true', ['ref-o5']],
    ['subject:missing=false', ['ref-o1', 'ref-o2', 'ref-o3', 'ref-o4', 'ref-o6', 'ref-o7']],
  ],
);

describe('reference: an absolute URL of this server', () => {
  it('matches the stored relative reference (search.html#reference)', async () => {
    // Relative to this server's base: needs the base URL, known only once the server runs.
    const ids = await searchBoth(s, 'Observation', `subject=${s.base}/Patient/ref-p1&_tag=${TAG_SYSTEM}|reference`);
    expect(sorted(ids)).toEqual(['ref-o1', 'ref-o7']);
    const typed = await searchBoth(s, 'Observation', `subject:Patient=${s.base}/Patient/ref-p2&_tag=${TAG_SYSTEM}|reference`);
    expect(typed).toEqual(['ref-o2']);
  });
});

// search.html#uri: exact, :below, :above.
group(
  'uri',
  'ValueSet',
  () => [
    { resourceType: 'ValueSet', id: 'uri-1', status: 'active', url: 'http://acme.org/fhir/ValueSet/123' },
    { resourceType: 'ValueSet', id: 'uri-2', status: 'active', url: 'http://acme.org/fhir/ValueSet/456' },
    { resourceType: 'ValueSet', id: 'uri-3', status: 'active', url: 'http://acme.org/other/ValueSet/9' },
    { resourceType: 'ValueSet', id: 'uri-4', status: 'active', url: 'urn:oid:1.2.3.4.5' },
    { resourceType: 'ValueSet', id: 'uri-5', status: 'draft' },
  ],
  [
    ['url=http://acme.org/fhir/ValueSet/123', ['uri-1']],
    ['url=http://acme.org/fhir/ValueSet/12', []],
    ['url=HTTP://ACME.ORG/fhir/ValueSet/123', []],
    ['url:below=http://acme.org/fhir/', ['uri-1', 'uri-2']],
    ['url:below=http://acme.org/', ['uri-1', 'uri-2', 'uri-3']],
    ['url:above=http://acme.org/fhir/ValueSet/123/_history/5', ['uri-1']],
    ['url:above=http://acme.org/fhir/ValueSet/456', ['uri-2']],
    ['url=urn:oid:1.2.3.4.5', ['uri-4']],
    ['url:missing=true', ['uri-5']],
    ['url=http://acme.org/fhir/ValueSet/123,urn:oid:1.2.3.4.5', ['uri-1', 'uri-4']],
  ],
);

group(
  'uri-questionnaire',
  'Questionnaire',
  () => [
    { resourceType: 'Questionnaire', id: 'q-phq9', status: 'active', url: 'http://example.org/Questionnaire/phq9' },
    { resourceType: 'Questionnaire', id: 'q-gad7', status: 'active', url: 'http://example.org/Questionnaire/gad7' },
  ],
  [
    ['url:below=http://example.org/Questionnaire', ['q-phq9', 'q-gad7']],
    ['url=http://example.org/Questionnaire/phq9', ['q-phq9']],
    ['url:above=http://example.org/Questionnaire/gad7/_history/2', ['q-gad7']],
  ],
);

// search.html#reference on canonical elements: `url|version` (references.html#canonical).
group(
  'canonical',
  'QuestionnaireResponse',
  () => [
    { resourceType: 'QuestionnaireResponse', id: 'can-v2', status: 'completed', questionnaire: 'http://example.org/Questionnaire/phq9|2.0' },
    { resourceType: 'QuestionnaireResponse', id: 'can-plain', status: 'completed', questionnaire: 'http://example.org/Questionnaire/phq9' },
    { resourceType: 'QuestionnaireResponse', id: 'can-other', status: 'completed', questionnaire: 'http://example.org/Questionnaire/gad7|2.0' },
  ],
  [
    ['questionnaire=http://example.org/Questionnaire/phq9', ['can-v2', 'can-plain']],
    ['questionnaire=http://example.org/Questionnaire/phq9|2.0', ['can-v2']],
    ['questionnaire=http://example.org/Questionnaire/phq9|1.0', []],
  ],
);

// search.html#date with precision boundaries: a year is [2024-01-01, 2025-01-01).
group(
  'date',
  'Patient',
  () => [
    { resourceType: 'Patient', id: 'dt-1231', birthDate: '2024-12-31' },
    { resourceType: 'Patient', id: 'dt-0101', birthDate: '2025-01-01' },
    { resourceType: 'Patient', id: 'dt-year', birthDate: '2024' },
    { resourceType: 'Patient', id: 'dt-2023', birthDate: '2023-06-15' },
    { resourceType: 'Patient', id: 'dt-none' },
    { resourceType: 'Patient', id: 'dt-1990', birthDate: '1990-01-02' },
    { resourceType: 'Patient', id: 'dt-1995', birthDate: '1995-01-01' },
  ],
  [
    ['birthdate=2024', ['dt-1231', 'dt-year']],
    ['birthdate=eq2024', ['dt-1231', 'dt-year']],
    ['birthdate=2024-12', ['dt-1231']],
    ['birthdate=2024-12-31', ['dt-1231']],
    ['birthdate=2025', ['dt-0101']],
    ['birthdate=2024-06', []],
    ['birthdate=ne2024', ['dt-0101', 'dt-2023', 'dt-1990', 'dt-1995']],
    ['birthdate=lt2024', ['dt-2023', 'dt-1990', 'dt-1995']],
    ['birthdate=le2024', ['dt-1231', 'dt-year', 'dt-2023', 'dt-1990', 'dt-1995']],
    ['birthdate=gt2024', ['dt-0101']],
    ['birthdate=ge2024', ['dt-1231', 'dt-0101', 'dt-year']],
    ['birthdate=sa2024', ['dt-0101']],
    ['birthdate=eb2024', ['dt-2023', 'dt-1990', 'dt-1995']],
    // The year 2024 starts before 2024-12-31 and ends after 2024-12-30 (search.html#prefix, ranges).
    ['birthdate=lt2024-12-31', ['dt-year', 'dt-2023', 'dt-1990', 'dt-1995']],
    ['birthdate=gt2024-12-30', ['dt-1231', 'dt-0101', 'dt-year']],
    ['birthdate=sa2024-12-30', ['dt-1231', 'dt-0101']],
    ['birthdate=eb2025-01-01', ['dt-1231', 'dt-year', 'dt-2023', 'dt-1990', 'dt-1995']],
    ['birthdate=ge2024&birthdate=lt2025', ['dt-1231', 'dt-year']],
    ['birthdate=2023,2025', ['dt-2023', 'dt-0101']],
    // ap: 10% of the distance from now (decades here), so 1990-01-02 is near 1990-01-01 and 1995 is not.
    ['birthdate=ap1990-01-01', ['dt-1990']],
    ['birthdate:missing=true', ['dt-none']],
  ],
);

// search.html#date on dateTime, instant and Period (open ends are infinite), with time zones.
group(
  'datetime',
  'Observation',
  () => [
    observation('dtt-period', { effectivePeriod: { start: '2024-02-15', end: '2024-03-10' } }),
    observation('dtt-open-end', { effectivePeriod: { start: '2024-03-20' } }),
    observation('dtt-open-start', { effectivePeriod: { end: '2023-12-31' } }),
    // 23:30 at UTC-5 on the 5th is 04:30 UTC on the 6th.
    observation('dtt-tz', { effectiveDateTime: '2024-03-05T23:30:00-05:00' }),
    observation('dtt-instant', { effectiveInstant: '2024-03-31T23:59:59.999Z' }),
    observation('dtt-none', {}),
  ],
  [
    ['date=2024-03', ['dtt-tz', 'dtt-instant']],
    ['date=ne2024-03', ['dtt-period', 'dtt-open-end', 'dtt-open-start']],
    ['date=lt2024-03', ['dtt-period', 'dtt-open-start']],
    ['date=le2024-03', ['dtt-period', 'dtt-open-start', 'dtt-tz', 'dtt-instant']],
    ['date=gt2024-03', ['dtt-open-end']],
    ['date=ge2024-03', ['dtt-open-end', 'dtt-tz', 'dtt-instant']],
    ['date=sa2024-02-14', ['dtt-period', 'dtt-open-end', 'dtt-tz', 'dtt-instant']],
    ['date=eb2024-03-11', ['dtt-period', 'dtt-open-start', 'dtt-tz']],
    ['date=eb2024-03-10', ['dtt-open-start', 'dtt-tz']],
    ['date=2024-03-01', []],
    ['date=gt2100', ['dtt-open-end']],
    ['date=lt1900', ['dtt-open-start']],
    ['date=2024-03-06', ['dtt-tz']],
    ['date=2024-03-05', []],
    ['date=2024-03-05T23:30:00-05:00', ['dtt-tz']],
    ['date=2024-03-05T23:30-05:00', ['dtt-tz']],
    ['date=2024-03-06T04:30:00Z', ['dtt-tz']],
    ['date=2024-03-06T06:30:00+02:00', ['dtt-tz']],
    ['date=gt2024-03-06T04:29Z', ['dtt-period', 'dtt-tz', 'dtt-open-end', 'dtt-instant']],
    ['date=lt2024-03-06T04:30:00Z', ['dtt-period', 'dtt-open-start']],
    ['date=2024-03-31', ['dtt-instant']],
    ['date=2024-03-31T23:59:59.999Z', ['dtt-instant']],
    ['date=2024-04-01', []],
    ['date:missing=true', ['dtt-none']],
  ],
);

describe('_lastUpdated', () => {
  let stamp = '';
  beforeAll(async () => {
    const [p] = await put(s, [tagged('lastupdated', { resourceType: 'Patient', id: 'lu-1' })]);
    stamp = p.meta.lastUpdated;
  });
  const shift = (iso: string, ms: number) => new Date(Date.parse(iso) + ms).toISOString();
  // The stored instant is a point in time (search.html#date, instant: "an interval with an effective width of 0").
  it.each<[string, (t: string) => string, boolean]>([
    ['eq at the millisecond', (t) => t, true],
    ['gt one millisecond before', (t) => `gt${shift(t, -1)}`, true],
    ['gt itself', (t) => `gt${t}`, false],
    ['ge itself', (t) => `ge${t}`, true],
    ['lt itself', (t) => `lt${t}`, false],
    ['lt one millisecond after', (t) => `lt${shift(t, 1)}`, true],
    ['le itself', (t) => `le${t}`, true],
    ['sa one millisecond before', (t) => `sa${shift(t, -1)}`, true],
    ['sa itself', (t) => `sa${t}`, false],
    ['eb itself', (t) => `eb${t}`, false],
    ['eb one millisecond after', (t) => `eb${shift(t, 1)}`, true],
    ['ne itself', (t) => `ne${t}`, false],
    ['the year', (t) => t.slice(0, 4), true],
    ['ge2000', () => 'ge2000', true],
    ['lt2000', () => 'lt2000', false],
  ])('_lastUpdated %s', async (_d, value, matches) => {
    const ids = await searchBoth(s, 'Patient', `_lastUpdated=${value(stamp)}&_tag=${TAG_SYSTEM}|lastupdated`);
    expect(ids).toEqual(matches ? ['lu-1'] : []);
  });
});

// search.html#number: `0.8` is [0.75, 0.85); gt/lt/ge/le/sa/eb compare with the exact value.
group(
  'number',
  'RiskAssessment',
  () => {
    const ra = (id: string, prediction: Json[]): Json => ({ resourceType: 'RiskAssessment', id, status: 'final', subject: { reference: 'Patient/nobody' }, prediction });
    return [
      ra('num-080', [{ probabilityDecimal: 0.8 }]),
      ra('num-085', [{ probabilityDecimal: 0.85 }]),
      ra('num-075', [{ probabilityDecimal: 0.75 }]),
      ra('num-range', [{ probabilityRange: { low: { value: 0.7 }, high: { value: 0.9 } } }]),
      ra('num-none', [{ outcome: { text: 'x' } }]),
    ];
  },
  [
    ['probability=0.8', ['num-080', 'num-075']],
    ['probability=8e-1', ['num-080', 'num-075']],
    ['probability=0.80', ['num-080']],
    ['probability=0.85', ['num-085']],
    ['probability=ne0.8', ['num-085', 'num-range']],
    ['probability=gt0.8', ['num-085', 'num-range']],
    ['probability=ge0.8', ['num-080', 'num-085', 'num-range']],
    ['probability=lt0.8', ['num-075', 'num-range']],
    ['probability=le0.8', ['num-080', 'num-075', 'num-range']],
    ['probability=sa0.8', ['num-085']],
    ['probability=eb0.8', ['num-075']],
    ['probability=gt0.9', ['num-range']],
    ['probability=gt0.95', []],
    ['probability=ap0.8', ['num-080', 'num-085', 'num-075', 'num-range']],
    ['probability=0.75,0.85', ['num-075', 'num-085']],
    ['probability:missing=true', ['num-none']],
  ],
);

// search.html#quantity: `5.4` is [5.35, 5.45); `system|code` and `||code` (code or unit).
group(
  'quantity',
  'Observation',
  () => [
    observation('qty-540', { valueQuantity: { value: 5.4, unit: 'mg', system: UCUM, code: 'mg' } }),
    observation('qty-535', { valueQuantity: { value: 5.35, unit: 'mg', system: UCUM, code: 'mg' } }),
    observation('qty-545', { valueQuantity: { value: 5.45, unit: 'mg', system: UCUM, code: 'mg' } }),
    observation('qty-5449-unit', { valueQuantity: { value: 5.449, unit: 'mg' } }),
    observation('qty-540-g', { valueQuantity: { value: 5.4, unit: 'g', system: UCUM, code: 'g' } }),
    observation('qty-lt3', { valueQuantity: { value: 3, comparator: '<', unit: 'mg', system: UCUM, code: 'mg' } }),
    observation('qty-none', { valueString: 'n/a' }),
  ],
  [
    ['value-quantity=5.4', ['qty-540', 'qty-535', 'qty-5449-unit', 'qty-540-g']],
    [`value-quantity=5.4|${UCUM}|mg`, ['qty-540', 'qty-535']],
    ['value-quantity=5.4||mg', ['qty-540', 'qty-535', 'qty-5449-unit']],
    ['value-quantity=5.4||g', ['qty-540-g']],
    [`value-quantity=5.4|urn:other|mg`, []],
    ['value-quantity=5.40', ['qty-540', 'qty-540-g']],
    ['value-quantity=gt5.4', ['qty-545', 'qty-5449-unit']],
    ['value-quantity=lt5.4', ['qty-535', 'qty-lt3']],
    [`value-quantity=le5.4|${UCUM}|mg`, ['qty-540', 'qty-535', 'qty-lt3']],
    ['value-quantity=ge5.45', ['qty-545']],
    ['value-quantity=ne5.4||mg', ['qty-545', 'qty-lt3']],
    ['value-quantity=lt1', ['qty-lt3']],
    ['value-quantity:missing=true', ['qty-none']],
  ],
);

// search.html#composite: both halves must hold on the same element (the Observation or one component).
group(
  'composite',
  'Observation',
  () => {
    const mmHg = (value: number) => ({ value, unit: 'mmHg', system: UCUM, code: 'mm[Hg]' });
    return [
      observation('cmp-panel', {
        code: { coding: [{ system: LOINC, code: '85354-6' }] },
        component: [
          { code: { coding: [{ system: LOINC, code: '8480-6' }] }, valueQuantity: mmHg(120) },
          { code: { coding: [{ system: LOINC, code: '8462-4' }] }, valueQuantity: mmHg(80) },
        ],
      }),
      observation('cmp-sys150', { code: { coding: [{ system: LOINC, code: '8480-6' }] }, valueQuantity: mmHg(150) }),
      observation('cmp-sys90', { code: { coding: [{ system: LOINC, code: '8480-6' }] }, valueQuantity: mmHg(90) }),
      observation('cmp-dia110', { code: { coding: [{ system: LOINC, code: '8462-4' }] }, valueQuantity: mmHg(110) }),
    ];
  },
  [
    [`code-value-quantity=${LOINC}|8480-6$gt100`, ['cmp-sys150']],
    [`code-value-quantity=${LOINC}|8480-6$lt100`, ['cmp-sys90']],
    [`code-value-quantity=${LOINC}|8462-4$gt100`, ['cmp-dia110']],
    ['code-value-quantity=8480-6$150', ['cmp-sys150']],
    [`code-value-quantity=${LOINC}|8480-6$gt100|${UCUM}|mm[Hg]`, ['cmp-sys150']],
    [`code-value-quantity=${LOINC}|8480-6$gt100|${UCUM}|kg`, []],
    [`component-code-value-quantity=${LOINC}|8480-6$gt100`, ['cmp-panel']],
    [`component-code-value-quantity=${LOINC}|8462-4$gt100`, []],
    [`component-code-value-quantity=${LOINC}|8462-4$lt100`, ['cmp-panel']],
    [`component-code-value-quantity=${LOINC}|8480-6$gt200,${LOINC}|8462-4$80`, ['cmp-panel']],
    [`combo-code-value-quantity=${LOINC}|8480-6$gt100`, ['cmp-panel', 'cmp-sys150']],
    ['code-value-quantity:missing=true', ['cmp-panel']],
  ],
);

describe('escaping and encoding', () => {
  it('a `+` in a time zone that arrived unencoded (as a space) is still read as +', async () => {
    const r = await fetch(`${s.base}/Observation?date=2024-03-06T06:30:00+02:00&_tag=${TAG_SYSTEM}|datetime`, { headers: { accept: 'application/fhir+json', ...s.auth } });
    expect(r.status).toBe(200);
    const body = (await r.json()) as Json;
    expect(body.entry.map((e: Json) => e.resource.id)).toEqual(['dtt-tz']);
  });

  it('an empty value is ignored (search.html#parameters)', async () => {
    const r = await get(s, 'Patient', `name=&_tag=${TAG_SYSTEM}|token&_count=100`);
    expect(r.status).toBe(200);
    expect(r.body.entry).toHaveLength(4);
  });
});
