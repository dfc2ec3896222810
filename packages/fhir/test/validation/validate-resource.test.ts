import type { OperationOutcomeIssue } from '@medplum/fhirtypes';
import { describe, expect, it } from 'vitest';
import { validateResource } from '../../src/index.ts';

/** [issue code, expression] of every issue, in the order found. */
function summary(issues: OperationOutcomeIssue[]): [string, string | undefined][] {
  return issues.map((i) => [i.code, i.expression?.[0]]);
}

type Case = [name: string, resource: unknown, expected: [string, string][]];

const UUID = 'urn:uuid:2b1f4a4e-6c1d-4a0e-9f1e-0d6f8c3b7a10';
const obs = (extra: Record<string, unknown>) => ({ resourceType: 'Observation', status: 'final', code: { text: 'x' }, ...extra });
const ext = (extra: Record<string, unknown>) => ({ resourceType: 'Patient', extension: [{ url: 'http://e.org/x', ...extra }] });

/** Rule 1: resourceType present, a string, a concrete R4 type (R4 json.html#resources). */
const resourceTypeCases: Case[] = [
  ['a Patient', { resourceType: 'Patient' }, []],
  ['null', null, [['structure', 'Resource']]],
  ['a number', 42, [['structure', 'Resource']]],
  ['an array', [{ resourceType: 'Patient' }], [['structure', 'Resource']]],
  ['no resourceType', { id: 'x' }, [['required', 'Resource.resourceType']]],
  ['a numeric resourceType', { resourceType: 7 }, [['required', 'Resource.resourceType']]],
  ['an unknown type', { resourceType: 'Foo' }, [['invalid', 'Resource.resourceType']]],
  ["Medplum's Project", { resourceType: 'Project' }, [['invalid', 'Resource.resourceType']]],
  ['the abstract DomainResource', { resourceType: 'DomainResource' }, [['invalid', 'Resource.resourceType']]],
];

/** Rule 2: unknown properties, choice types, content references. */
const propertyCases: Case[] = [
  ['an unknown property', { resourceType: 'Patient', foo: 1 }, [['structure', 'Patient.foo']]],
  ['an unknown property in a data type', { resourceType: 'Patient', name: [{ family: 'X', foo: 1 }] }, [['structure', 'Patient.name[0].foo']]],
  ['an unknown property in a backbone element', { resourceType: 'Patient', contact: [{ gender: 'male', foo: 1 }] }, [['structure', 'Patient.contact[0].foo']]],
  ['resourceType inside a data type', { resourceType: 'Patient', name: [{ family: 'X', resourceType: 'HumanName' }] }, [['structure', 'Patient.name[0].resourceType']]],
  ['a choice variant', obs({ valueQuantity: { value: 1 } }), []],
  ['an unknown choice suffix', obs({ valueFoo: 1 }), [['structure', 'Observation.valueFoo']]],
  ['a bare choice name', obs({ value: 1 }), [['structure', 'Observation.value']]],
  ['two choice variants', obs({ valueQuantity: { value: 1 }, valueString: 'x' }), [['structure', 'Observation.valueString']]],
  ['a value and another variant\'s extension', obs({ valueBoolean: true, _valueString: { extension: [{ url: 'http://e.org/x', valueString: 'y' }] } }), [['structure', 'Observation.valueString']]],
  [
    'nested Questionnaire items (contentReference)',
    { resourceType: 'Questionnaire', status: 'draft', item: [{ linkId: '1', type: 'group', item: [{ linkId: '1.1', type: 'group', item: [{ linkId: '1.1.1', type: 'string' }] }] }] },
    [],
  ],
  [
    'an unknown property deep in Questionnaire items',
    { resourceType: 'Questionnaire', status: 'draft', item: [{ linkId: '1', type: 'group', item: [{ linkId: '1.1', type: 'group', item: [{ linkId: '1.1.1', type: 'string', foo: 1 }] }] }] },
    [['structure', 'Questionnaire.item[0].item[0].item[0].foo']],
  ],
  [
    'a missing linkId deep in Questionnaire items',
    { resourceType: 'Questionnaire', status: 'draft', item: [{ linkId: '1', type: 'group', item: [{ type: 'string' }] }] },
    [['required', 'Questionnaire.item[0].item[0].linkId']],
  ],
  ["Medplum's Meta.project (not R4)", { resourceType: 'Patient', meta: { project: 'p' } }, [['structure', 'Patient.meta.project']]],
  ["an R5 element Medplum added (ResearchStudy.name)", { resourceType: 'ResearchStudy', status: 'active', name: 'x' }, [['structure', 'ResearchStudy.name']]],
];

/** Rule 3: cardinality and empty values (json.html). */
const cardinalityCases: Case[] = [
  ['a missing required element', { resourceType: 'Observation', code: { text: 'x' } }, [['required', 'Observation.status']]],
  ['a required element given only as _element', { resourceType: 'Observation', code: { text: 'x' }, _status: { extension: [{ url: 'http://e.org/x', valueString: 'y' }] } }, []],
  ['a missing required choice', { resourceType: 'MedicationRequest', status: 'active', intent: 'order', subject: { reference: 'Patient/1' } }, [['required', 'MedicationRequest.medication']]],
  ['a missing required element in a backbone element', { resourceType: 'Patient', link: [{ type: 'seealso' }] }, [['required', 'Patient.link[0].other']]],
  ['an array for a max-1 element', { resourceType: 'Patient', gender: ['male'] }, [['structure', 'Patient.gender']]],
  ['a single value for a repeating element', { resourceType: 'Patient', name: { family: 'X' } }, [['structure', 'Patient.name']]],
  ['an empty array', { resourceType: 'Patient', name: [] }, [['structure', 'Patient.name']]],
  ['an empty object', { resourceType: 'Patient', name: [{}] }, [['structure', 'Patient.name[0]']]],
  ['an object with only an id (ele-1)', { resourceType: 'Patient', name: [{ id: 'n1' }] }, [['invariant', 'Patient.name[0]']]],
  ['an empty string', { resourceType: 'Patient', birthDate: '' }, [['value', 'Patient.birthDate']]],
  ['null', { resourceType: 'Patient', gender: null }, [['structure', 'Patient.gender']]],
  ['null in an array of objects', { resourceType: 'Patient', name: [{ family: 'X' }, null] }, [['structure', 'Patient.name[1]']]],
];

/** Rule 4: primitive formats (datatypes.html#primitive), primitive extensions, complex and resource types. */
const typeCases: Case[] = [
  ['dates', { resourceType: 'Patient', birthDate: '2020-02-29', deceasedDateTime: '2021' }, []],
  ['a date that does not exist', { resourceType: 'Patient', birthDate: '2021-02-29' }, [['value', 'Patient.birthDate']]],
  ['month 13', { resourceType: 'Patient', birthDate: '2020-13' }, [['value', 'Patient.birthDate']]],
  ['year 0000', { resourceType: 'Patient', birthDate: '0000' }, [['value', 'Patient.birthDate']]],
  ['a dateTime with zone and fraction', { resourceType: 'Patient', deceasedDateTime: '2020-01-01T10:00:00.123+05:30' }, []],
  ['a dateTime without zone', { resourceType: 'Patient', deceasedDateTime: '2020-01-01T10:00:00' }, [['value', 'Patient.deceasedDateTime']]],
  ['a dateTime without seconds', { resourceType: 'Patient', deceasedDateTime: '2020-01-01T10:00Z' }, [['value', 'Patient.deceasedDateTime']]],
  ['an instant that is only a date', obs({ issued: '2020-01-01' }), [['value', 'Observation.issued']]],
  ['a time', obs({ valueTime: '23:59:60' }), []],
  ['an invalid time', obs({ valueTime: '24:00:00' }), [['value', 'Observation.valueTime']]],
  ['a decimal as a string', obs({ valueQuantity: { value: '1.5' } }), [['value', 'Observation.valueQuantity.value']]],
  ['a non-finite decimal', obs({ valueQuantity: { value: Number.NaN } }), [['value', 'Observation.valueQuantity.value']]],
  ['a fractional integer', obs({ valueInteger: 1.5 }), [['value', 'Observation.valueInteger']]],
  ['an integer beyond 32 bits', obs({ valueInteger: 2 ** 31 }), [['value', 'Observation.valueInteger']]],
  ['a negative unsignedInt', { resourceType: 'Patient', photo: [{ size: -1 }] }, [['value', 'Patient.photo[0].size']]],
  ['a zero positiveInt', { resourceType: 'Claim', careTeam: [{ sequence: 0, provider: { reference: 'Practitioner/1' } }] }, [
    ['value', 'Claim.careTeam[0].sequence'],
    ['required', 'Claim.status'], ['required', 'Claim.type'], ['required', 'Claim.use'], ['required', 'Claim.patient'],
    ['required', 'Claim.created'], ['required', 'Claim.provider'], ['required', 'Claim.priority'], ['required', 'Claim.insurance'],
  ]],
  ['a boolean as a string', { resourceType: 'Patient', active: 'true' }, [['value', 'Patient.active']]],
  ['a code with leading whitespace', { resourceType: 'Patient', gender: ' male' }, [['value', 'Patient.gender']]],
  ['an invalid id', { resourceType: 'Patient', id: 'a_b' }, [['value', 'Patient.id']]],
  ['an id longer than 64', { resourceType: 'Patient', id: 'a'.repeat(65) }, [['value', 'Patient.id']]],
  ['a uri with a space', { resourceType: 'Patient', implicitRules: 'http://e.org/a b' }, [['value', 'Patient.implicitRules']]],
  ['an oid', ext({ valueOid: 'urn:oid:1.2.840' }), []],
  ['an invalid oid', ext({ valueOid: '1.2.840' }), [['value', 'Patient.extension[0].valueOid']]],
  ['an upper-case uuid', ext({ valueUuid: 'urn:uuid:2B1F4A4E-6C1D-4A0E-9F1E-0D6F8C3B7A10' }), [['value', 'Patient.extension[0].valueUuid']]],
  ['base64', { resourceType: 'Patient', photo: [{ data: 'aGVsbG8=' }] }, []],
  ['invalid base64', { resourceType: 'Patient', photo: [{ data: 'abc' }] }, [['value', 'Patient.photo[0].data']]],
  ['a string over 1 MB', { resourceType: 'Patient', name: [{ text: 'x'.repeat(1024 * 1024 + 1) }] }, [['value', 'Patient.name[0].text']]],
  ['a narrative', { resourceType: 'Patient', text: { status: 'generated', div: '<div xmlns="http://www.w3.org/1999/xhtml">x</div>' } }, []],
  ['_div (xhtml takes no extensions)', { resourceType: 'Patient', text: { status: 'generated', div: '<div xmlns="http://www.w3.org/1999/xhtml">x</div>', _div: { id: 'd' } } }, [['structure', 'Patient.text._div']]],
  ['a narrative without the XHTML namespace', { resourceType: 'Patient', text: { status: 'generated', div: '<div>x</div>' } }, [['value', 'Patient.text.div']]],
  ['a primitive extension', { resourceType: 'Patient', birthDate: '2020', _birthDate: { extension: [{ url: 'http://e.org/x', valueString: 'y' }] } }, []],
  ['an unknown property in a primitive extension', { resourceType: 'Patient', birthDate: '2020', _birthDate: { foo: 1 } }, [['structure', 'Patient.birthDate.foo']]],
  ['a primitive extension without value or extensions (ele-1)', { resourceType: 'Patient', _birthDate: { id: 'b' } }, [['invariant', 'Patient.birthDate']]],
  ['aligned primitive arrays with nulls', { resourceType: 'Patient', name: [{ given: ['A', null], _given: [null, { extension: [{ url: 'http://e.org/x', valueString: 'y' }] }] }] }, []],
  ['null in a primitive array without _given', { resourceType: 'Patient', name: [{ given: ['A', null] }] }, [['structure', 'Patient.name[0].given[1]']]],
  ['null in both arrays', { resourceType: 'Patient', name: [{ given: ['A', null], _given: [null, null] }] }, [['structure', 'Patient.name[0].given[1]']]],
  ['primitive arrays of different lengths', { resourceType: 'Patient', name: [{ given: ['A', 'B'], _given: [{ id: 'g' }] }] }, [['structure', 'Patient.name[0].given']]],
  ['_id on an element (Element.id has no extensions)', { resourceType: 'Patient', name: [{ family: 'X', _id: { id: 'x' } }] }, [['structure', 'Patient.name[0]._id']]],
  ['a string where an object belongs', { resourceType: 'Patient', name: ['Smith'] }, [['structure', 'Patient.name[0]']]],
  ['a contained resource', { resourceType: 'Patient', contained: [{ resourceType: 'Organization', id: 'o', name: 'X' }], managingOrganization: { reference: '#o' } }, []],
  ['an invalid contained resource', { resourceType: 'Patient', contained: [{ resourceType: 'Organization', id: 'o', foo: 1 }], managingOrganization: { reference: '#o' } }, [['structure', 'Patient.contained[0].foo']]],
  ['a contained resource without resourceType', { resourceType: 'Patient', contained: [{ id: 'o' }] }, [['required', 'Patient.contained[0].resourceType']]],
  [
    'an invalid Bundle entry resource',
    { resourceType: 'Bundle', type: 'collection', entry: [{ resource: { resourceType: 'Patient' } }, { resource: obs({ status: 'bogus' }) }] },
    [['code-invalid', 'Bundle.entry[1].resource.status']],
  ],
  ['any resource as Bundle.entry.response.outcome', { resourceType: 'Bundle', type: 'batch-response', entry: [{ response: { status: '200', outcome: { resourceType: 'Patient' } } }] }, []],
  ['an invalid Parameters resource', { resourceType: 'Parameters', parameter: [{ name: 'p', resource: { resourceType: 'Patient', gender: 'x' } }] }, [['code-invalid', 'Parameters.parameter[0].resource.gender']]],
];

/** Rule 4 (Extension) and 8 (ext-1). */
const extensionCases: Case[] = [
  ['an extension with a value', ext({ valueString: 'x' }), []],
  ['nested extensions', ext({ extension: [{ url: 'a', valueCode: 'b' }] }), []],
  ['an extension without url', { resourceType: 'Patient', extension: [{ valueString: 'x' }] }, [['required', 'Patient.extension[0].url']]],
  ['an extension with value and extensions (ext-1)', ext({ valueString: 'x', extension: [{ url: 'a', valueCode: 'b' }] }), [['invariant', 'Patient.extension[0]']]],
  ['an extension with neither (ext-1)', ext({}), [['invariant', 'Patient.extension[0]']]],
  ['an extension with an unknown value type', ext({ valueFoo: 'x' }), [['structure', 'Patient.extension[0].valueFoo']]],
  ['an invalid value inside an extension', ext({ valueDate: '2020-1' }), [['value', 'Patient.extension[0].valueDate']]],
  ['a modifierExtension without url', { resourceType: 'Patient', modifierExtension: [{ valueBoolean: true }] }, [['required', 'Patient.modifierExtension[0].url']]],
  ['an extension on an element', { resourceType: 'Patient', name: [{ family: 'X', extension: [{ url: 'http://e.org/x' }] }] }, [['invariant', 'Patient.name[0].extension[0]']]],
];

/** Rule 6: required bindings (terminologies.html#required). */
const bindingCases: Case[] = [
  ['Patient.gender female', { resourceType: 'Patient', gender: 'female' }, []],
  ['Patient.gender foo', { resourceType: 'Patient', gender: 'foo' }, [['code-invalid', 'Patient.gender']]],
  ['Observation.status bogus', obs({ status: 'bogus' }), [['code-invalid', 'Observation.status']]],
  ['a binding inside a data type', { resourceType: 'Patient', telecom: [{ system: 'fax2', value: '1' }] }, [['code-invalid', 'Patient.telecom[0].system']]],
  ['a binding inside Timing', { resourceType: 'Patient', extension: [{ url: 'http://e.org/x', valueTiming: { repeat: { period: 1, periodUnit: 'fortnight' } } }] }, [['code-invalid', 'Patient.extension[0].valueTiming.repeat.periodUnit']]],
  [
    'a CodeableConcept with a bound coding and a translation',
    { resourceType: 'Condition', subject: { reference: 'Patient/1' }, clinicalStatus: { coding: [{ system: 'http://e.org/local', code: 'x' }, { system: 'http://terminology.hl7.org/CodeSystem/condition-clinical', code: 'active' }] } },
    [],
  ],
  [
    'a CodeableConcept with a wrong code in the bound system',
    { resourceType: 'Condition', subject: { reference: 'Patient/1' }, clinicalStatus: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-clinical', code: 'nope' }] } },
    [['code-invalid', 'Condition.clinicalStatus.coding[0].code']],
  ],
  [
    'a CodeableConcept with no coding from the value set',
    { resourceType: 'Condition', subject: { reference: 'Patient/1' }, clinicalStatus: { coding: [{ system: 'http://e.org/local', code: 'active' }] } },
    [['code-invalid', 'Condition.clinicalStatus']],
  ],
  [
    'a CodeableConcept with text only',
    { resourceType: 'Condition', subject: { reference: 'Patient/1' }, clinicalStatus: { text: 'active' } },
    [['code-invalid', 'Condition.clinicalStatus']],
  ],
  ['a v3 value set (Composition.confidentiality)', { resourceType: 'Composition', status: 'final', type: { text: 't' }, date: '2020', author: [{ display: 'a' }], title: 't', confidentiality: 'X' }, [['code-invalid', 'Composition.confidentiality']]],
  ['a value set that cannot be expanded (mime types) is not enforced', { resourceType: 'Patient', photo: [{ contentType: 'made/up' }] }, []],
  ['DetectedIssue.status uses the R4 binding (observation-status)', { resourceType: 'DetectedIssue', status: 'registered' }, []],
  ["DetectedIssue.status rejects Medplum's R5 code", { resourceType: 'DetectedIssue', status: 'mitigated' }, [['code-invalid', 'DetectedIssue.status']]],
];

/** Rule 7: reference format (references.html#literal) and targets. */
const ref = (reference: string, extra: Record<string, unknown> = {}) => obs({ subject: { reference }, ...extra });
const referenceCases: Case[] = [
  ['Type/id', ref('Patient/123'), []],
  ['Type/id/_history/vid', ref('Patient/123/_history/2'), []],
  ['an absolute URL', ref('https://example.org/fhir/Patient/123'), []],
  ['urn:uuid', ref(UUID), []],
  ['urn:oid', ref('urn:oid:1.2.3.4'), []],
  ['a local reference', ref('#p', { contained: [{ resourceType: 'Patient', id: 'p' }] }), []],
  ['a reference to the container from a contained resource', { resourceType: 'Patient', contained: [{ resourceType: 'Observation', id: 'o', status: 'final', code: { text: 'x' }, subject: { reference: '#' } }] }, []],
  ['free text', ref('not a ref'), [['value', 'Observation.subject.reference']]],
  ['an unknown resource type', ref('Foo/1'), [['value', 'Observation.subject.reference']]],
  ['a missing id', ref('Patient/'), [['value', 'Observation.subject.reference']]],
  ['an invalid id', ref('Patient/a_b'), [['value', 'Observation.subject.reference']]],
  ['a local reference without contained resource', ref('#nope'), [['invalid', 'Observation.subject.reference']]],
  ['a target type not allowed', ref('Medication/1'), [['invalid', 'Observation.subject.reference']]],
  ['Reference(Any) allows every type', { resourceType: 'Provenance', recorded: '2020-01-01T00:00:00Z', target: [{ reference: 'Medication/1' }], agent: [{ who: { reference: 'Practitioner/1' } }] }, []],
  ["Medplum's Bot is not an R4 target", { resourceType: 'AuditEvent', type: { code: 'x' }, recorded: '2020-01-01T00:00:00Z', agent: [{ requestor: true, who: { reference: 'Bot/1' } }], source: { observer: { reference: 'Device/1' } } }, [['value', 'AuditEvent.agent[0].who.reference']]],
  ['a conditional reference outside a transaction', ref('Patient?identifier=x|1'), [['value', 'Observation.subject.reference']]],
  [
    'a conditional reference in a transaction',
    { resourceType: 'Bundle', type: 'transaction', entry: [{ fullUrl: UUID, resource: ref('Patient?identifier=x|1'), request: { method: 'POST', url: 'Observation' } }] },
    [],
  ],
  [
    'a conditional reference to a type not allowed',
    { resourceType: 'Bundle', type: 'transaction', entry: [{ fullUrl: UUID, resource: ref('Medication?code=1'), request: { method: 'POST', url: 'Observation' } }] },
    [['invalid', 'Bundle.entry[0].resource.subject.reference']],
  ],
];

/** Rule 8: hand-coded invariants. */
const invariantCases: Case[] = [
  ['dom-2: nested contained resources', { resourceType: 'Patient', contained: [{ resourceType: 'Organization', id: 'o', contained: [{ resourceType: 'Patient', id: 'q' }] }] }, [['invariant', 'Patient.contained[0].contained']]],
  ['dom-4: versionId on a contained resource', { resourceType: 'Patient', contained: [{ resourceType: 'Organization', id: 'o', meta: { versionId: '1' } }] }, [['invariant', 'Patient.contained[0].meta']]],
  ['sqty-1: comparator on a SimpleQuantity', obs({ referenceRange: [{ low: { value: 1, comparator: '>' } }] }), [['invariant', 'Observation.referenceRange[0].low.comparator']]],
  ['a comparator on a full Quantity', obs({ valueQuantity: { value: 1, comparator: '>' } }), []],
  [
    'bdl-7: a duplicate fullUrl',
    { resourceType: 'Bundle', type: 'collection', entry: [{ fullUrl: UUID, resource: { resourceType: 'Patient' } }, { fullUrl: UUID, resource: { resourceType: 'Patient' } }] },
    [['invariant', 'Bundle.entry[1].fullUrl']],
  ],
  [
    'bdl-7: the same fullUrl in different versions',
    { resourceType: 'Bundle', type: 'collection', entry: [{ fullUrl: UUID, resource: { resourceType: 'Patient', meta: { versionId: '1' } } }, { fullUrl: UUID, resource: { resourceType: 'Patient', meta: { versionId: '2' } } }] },
    [],
  ],
];

describe('validateResource', () => {
  const groups: [string, Case[]][] = [
    ['resourceType', resourceTypeCases],
    ['properties', propertyCases],
    ['cardinality', cardinalityCases],
    ['types', typeCases],
    ['extensions', extensionCases],
    ['required bindings', bindingCases],
    ['references', referenceCases],
    ['invariants', invariantCases],
  ];
  for (const [group, cases] of groups) {
    describe(group, () => {
      it.each(cases)('%s', (_name, resource, expected) => {
        expect(summary(validateResource(resource))).toEqual(expected);
      });
    });
  }

  it('gives every issue severity error and a readable text', () => {
    const issues = validateResource({ resourceType: 'Patient', gender: 'foo', foo: 1 });
    expect(issues).toHaveLength(2);
    for (const i of issues) {
      expect(i.severity).toBe('error');
      expect(i.details?.text).toMatch(/^[A-Z'].+\.$/);
    }
    expect(issues[0].details?.text).toContain('http://hl7.org/fhir/ValueSet/administrative-gender');
  });
});
