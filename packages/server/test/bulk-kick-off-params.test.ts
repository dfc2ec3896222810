import { describe, expect, it } from 'vitest';
import { OperationOutcomeError } from '@confide/fhir';
import { kickOffPairs, parseKickOff, type KickOffParams } from '../src/bulk/kick-off-params.ts';
import { groupPatients } from '../src/bulk/bulk-export.ts';

/** The kick-off parameters of Bulk Data STU2 export.html#query-parameters, parsed without I/O. */
const parse = (level: KickOffParams['level'], query: string, method = 'GET', lenient = false) =>
  parseKickOff(level, [...new URLSearchParams(query).entries()], { method, lenient });

function failure(fn: () => unknown): { status: number; expression?: string[]; code?: string } {
  try {
    fn();
  } catch (e) {
    if (e instanceof OperationOutcomeError) return { status: e.status, expression: e.outcome.issue?.[0]?.expression, code: e.outcome.issue?.[0]?.code };
    throw e;
  }
  throw new Error('expected a failure');
}

describe('parseKickOff: accepted', () => {
  it.each([
    ['', { level: 'system', typeFilters: {} }],
    ['_type=Patient,Observation&_type=Patient', { level: 'system', types: ['Patient', 'Observation'], typeFilters: {} }],
    ['_since=2026-01-01T00:00:00%2B01:00', { level: 'system', since: '2025-12-31T23:00:00.000Z', typeFilters: {} }],
    ['_outputFormat=application/fhir%2Bndjson', { level: 'system', typeFilters: {} }],
    ['_outputFormat=application/fhir+ndjson', { level: 'system', typeFilters: {} }],
    ['_outputFormat=application/ndjson', { level: 'system', typeFilters: {} }],
    ['_outputFormat=ndjson', { level: 'system', typeFilters: {} }],
    [`_typeFilter=${encodeURIComponent('Observation?category=laboratory,Observation?code=http://loinc.org|1%2C2')}`, { level: 'system', typeFilters: { Observation: ['category=laboratory', 'code=http://loinc.org|1%2C2'] } }],
  ] as [string, KickOffParams][])('%s', (query, expected) => {
    expect(parse('system', query).params).toEqual(expected);
  });

  it('a POST Parameters body, with patient at the Patient level', () => {
    const body = {
      resourceType: 'Parameters',
      parameter: [
        { name: '_type', valueString: 'Patient' },
        { name: '_since', valueInstant: '2026-01-01T00:00:00Z' },
        { name: 'patient', valueReference: { reference: 'Patient/a' } },
        { name: 'patient', valueReference: { reference: 'Patient/b' } },
      ],
    };
    const pairs = kickOffPairs('POST', new URLSearchParams(), body);
    expect(parseKickOff('patient', pairs, { method: 'POST' }).params).toEqual({ level: 'patient', types: ['Patient'], since: '2026-01-01T00:00:00.000Z', typeFilters: {}, patients: ['a', 'b'] });
  });

  it('handling=lenient ignores unknown and unsupported parameters, with warnings', () => {
    const { params, warnings } = parse('system', 'color=blue&_elements=id&_type=Patient', 'GET', true);
    expect(params.types).toEqual(['Patient']);
    expect(warnings.map((w) => w.expression)).toEqual([['color'], ['_elements']]);
  });
});

describe('parseKickOff: refused with 400 and the parameter in expression', () => {
  it.each([
    ['system', '_outputFormat=text/csv', 'GET', '_outputFormat'],
    ['system', '_since=2026-01-01', 'GET', '_since'],
    ['system', '_since=2026-01-01T00:00:00Z&_since=2026-01-02T00:00:00Z', 'GET', '_since'],
    ['system', '_type=Patient,Nope', 'GET', '_type'],
    ['system', 'color=blue', 'GET', 'color'],
    ['system', '_elements=id', 'GET', '_elements'],
    ['system', 'includeAssociatedData=LatestProvenanceResources', 'GET', 'includeAssociatedData'],
    ['system', 'patient=Patient/a', 'POST', 'patient'],
    ['patient', 'patient=Patient/a', 'GET', 'patient'],
    ['patient', 'patient=a', 'POST', 'patient'],
    ['system', '_typeFilter=Observation', 'GET', '_typeFilter'],
    ['system', '_typeFilter=Nope%3Fa%3D1', 'GET', '_typeFilter'],
    ['system', '_typeFilter=Observation%3Fnope%3D1', 'GET', '_typeFilter'],
    ['system', '_typeFilter=Observation%3F_count%3D1', 'GET', '_typeFilter'],
    ['system', '_typeFilter=Observation%3F_include%3DObservation:subject', 'GET', '_typeFilter'],
    ['system', '_type=Patient&_typeFilter=Observation%3Fcode%3D1', 'GET', '_typeFilter'],
  ] as [KickOffParams['level'], string, string, string][])('%s %s (%s)', (level, query, method, expression) => {
    const f = failure(() => parse(level, query, method));
    expect(f.status).toBe(400);
    expect(f.expression).toEqual([expression]);
  });

  it('unsupported parameters say not-supported', () => {
    expect(failure(() => parse('system', '_elements=id')).code).toBe('not-supported');
  });

  it.each([
    [{ resourceType: 'Patient' }, 'resourceType'],
    [{ resourceType: 'Parameters', parameter: {} }, 'Parameters.parameter'],
    [{ resourceType: 'Parameters', parameter: [{ valueString: 'x' }] }, 'Parameters.parameter[0].name'],
    [{ resourceType: 'Parameters', parameter: [{ name: '_type' }] }, 'Parameters.parameter[0].value[x]'],
  ])('a bad Parameters body %j → 400 at %s', (body, expression) => {
    const f = failure(() => kickOffPairs('POST', new URLSearchParams(), body));
    expect(f.status).toBe(400);
    expect(f.expression).toEqual([expression]);
  });
});

describe('groupPatients', () => {
  it('active Patient members, once each', () => {
    expect(
      groupPatients({
        resourceType: 'Group',
        type: 'person',
        actual: true,
        member: [
          { entity: { reference: 'Patient/a' } },
          { entity: { reference: 'Patient/a' } },
          { entity: { reference: 'Patient/b' }, inactive: true },
          { entity: { reference: 'Practitioner/c' } },
          { entity: { reference: 'Patient/d' } },
        ],
      }),
    ).toEqual(['a', 'd']);
  });
});
