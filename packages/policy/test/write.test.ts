import type { Resource } from '@medplum/fhirtypes';
import { describe, expect, it } from 'vitest';
import { OperationOutcomeError } from '@confide/fhir';
import { checkDelete, checkRead, checkWrite, denialError, enforce, type Actor, type ResourceDecision } from '../src/index.ts';
import { LAB, observation, patientUser, practiceFacts, staff, VITALS } from './fixtures.ts';

const opts = { factsOf: practiceFacts };

function communication(id: string | undefined, patient: string): Resource {
  const r: Resource = { resourceType: 'Communication', status: 'completed', subject: { reference: `Patient/${patient}` }, payload: [{ contentString: 'hello' }] };
  if (id) r.id = id;
  return r;
}

function appointment(id: string, patient: string): Resource {
  return { resourceType: 'Appointment', id, status: 'booked', participant: [{ actor: { reference: `Patient/${patient}` }, status: 'accepted' }] };
}

type WriteCase = [name: string, actor: Actor, before: Resource | undefined, after: Resource, expected: 'allowed' | 'forbidden' | 'not-found'];

const clinician = staff(['clinician']);
const frontDesk = staff(['front-desk']);
const me = patientUser('p1');
/** A clinician whose app may write only vital signs, but read all observations. */
const vitalsApp = staff(['clinician'], `user/*.rs user/Observation.cu?category=${VITALS}`);

describe('checkWrite: before and after must both be within the restriction (no escalation by update)', () => {
  it.each<WriteCase>([
    // patient users: their own compartment only
    ['patient creates a message about themselves', me, undefined, communication(undefined, 'p1'), 'allowed'],
    ['patient creates a message about another patient', me, undefined, communication(undefined, 'p2'), 'forbidden'],
    ['patient updates their own message', me, communication('c1', 'p1'), communication('c1', 'p1'), 'allowed'],
    ['patient moves their message into another compartment', me, communication('c1', 'p1'), communication('c1', 'p2'), 'forbidden'],
    ['patient updates another patient’s message', me, communication('c2', 'p2'), communication('c2', 'p1'), 'not-found'],
    ['patient creates an Observation (not in their rights)', me, undefined, observation(undefined, 'p1'), 'forbidden'],
    // staff: organizations
    ['clinician creates an Observation in their organization', clinician, undefined, observation(undefined, 'p1'), 'allowed'],
    ['clinician creates an Observation for another organization’s patient', clinician, undefined, observation(undefined, 'p2'), 'forbidden'],
    ['clinician updates within the organization', clinician, observation('o1', 'p1'), observation('o1', 'p3'), 'allowed'],
    ['clinician moves an Observation to another organization’s patient', clinician, observation('o1', 'p1'), observation('o1', 'p2'), 'forbidden'],
    ['clinician updates another organization’s Observation', clinician, observation('o2', 'p2'), observation('o2', 'p1'), 'not-found'],
    ['front desk updates an Observation (type hidden from them)', frontDesk, observation('o1', 'p1'), observation('o1', 'p1'), 'not-found'],
    ['front desk creates an Observation', frontDesk, undefined, observation(undefined, 'p1'), 'forbidden'],
    ['front desk books an appointment', frontDesk, undefined, appointment('a1', 'p1'), 'allowed'],
    // granular scopes
    ['vitals app creates vital signs', vitalsApp, undefined, observation(undefined, 'p1', VITALS), 'allowed'],
    ['vitals app creates a lab result', vitalsApp, undefined, observation(undefined, 'p1', LAB), 'forbidden'],
    ['vitals app recodes vital signs as a lab result', vitalsApp, observation('o1', 'p1', VITALS), observation('o1', 'p1', LAB), 'forbidden'],
    ['vitals app recodes a lab result (which it can see) as vital signs', vitalsApp, observation('o1', 'p1', LAB), observation('o1', 'p1', VITALS), 'forbidden'],
    ['vitals app touches another organization’s lab result', vitalsApp, observation('o2', 'p2', LAB), observation('o2', 'p1', VITALS), 'not-found'],
    // type changes
    ['an update cannot change the resource type', clinician, observation('x', 'p1'), { ...communication('x', 'p1') }, 'forbidden'],
  ])('%s', (_name, actor, before, after, expected) => {
    const d = checkWrite(actor, before, after, opts);
    expect(d.allowed ? 'allowed' : d.denial, d.reason).toBe(expected);
  });

  it('patch and update-as-create are decided as updates', () => {
    const readOnlyUpdate = staff(['clinician'], 'user/*.rs user/Observation.u');
    expect(checkWrite(readOnlyUpdate, observation('o1', 'p1'), observation('o1', 'p1'), { ...opts, interaction: 'patch' }).allowed).toBe(true);
    expect(checkWrite(readOnlyUpdate, undefined, observation('o9', 'p1'), { ...opts, interaction: 'update' }).allowed).toBe(true);
    expect(checkWrite(readOnlyUpdate, undefined, observation('o9', 'p1'), opts).allowed).toBe(false); // a create needs c
  });

  it('without organizations in the facts, staff writes of patient data fail closed', () => {
    const d = checkWrite(clinician, undefined, observation(undefined, 'p1'));
    expect(d).toMatchObject({ allowed: false, denial: 'forbidden' });
    // A patient user's compartment needs no organizations.
    expect(checkWrite(me, undefined, communication(undefined, 'p1')).allowed).toBe(true);
  });

  it('the reason says what was outside the restriction', () => {
    const d = checkWrite(me, communication('c1', 'p1'), communication('c1', 'p2'), opts);
    expect(d.reason).toMatch(/the updated Communication would be outside what u-patient may update \(compartment of Patient\/p1\)/);
  });
});

describe('checkDelete', () => {
  it.each<[name: string, actor: Actor, before: Resource, expected: 'allowed' | 'forbidden' | 'not-found']>([
    ['front desk deletes an appointment of their organization', frontDesk, appointment('a1', 'p1'), 'allowed'],
    ['front desk deletes another organization’s appointment', frontDesk, appointment('a2', 'p2'), 'not-found'],
    ['clinician deletes an Observation they can see', clinician, observation('o1', 'p1'), 'forbidden'],
    ['clinician deletes an Observation they cannot see', clinician, observation('o2', 'p2'), 'not-found'],
    ['patient deletes their message', me, communication('c1', 'p1'), 'forbidden'],
  ])('%s', (_name, actor, before, expected) => {
    const d = checkDelete(actor, before, opts);
    expect(d.allowed ? 'allowed' : d.denial, d.reason).toBe(expected);
  });
});

describe('checkRead (versions without columns: vread, history)', () => {
  it.each<[name: string, actor: Actor, resource: Resource, expected: 'allowed' | 'forbidden' | 'not-found']>([
    ['patient reads their own Observation', me, observation('o1', 'p1'), 'allowed'],
    ['patient reads an old version that was in another compartment', me, observation('o1', 'p2'), 'not-found'],
    ['front desk reads an Observation', frontDesk, observation('o1', 'p1'), 'forbidden'],
    ['clinician reads within the organization', clinician, observation('o1', 'p3'), 'allowed'],
    ['clinician reads another organization’s Observation', clinician, observation('o2', 'p2'), 'not-found'],
  ])('%s', (_name, actor, resource, expected) => {
    const d = checkRead(actor, resource, 'vread', opts);
    expect(d.allowed ? 'allowed' : d.denial, d.reason).toBe(expected);
  });
});

describe('denialError / enforce', () => {
  it.each<[decision: ResourceDecision, status: number | undefined]>([
    [{ allowed: true, reason: 'ok' }, undefined],
    [{ allowed: false, reason: 'role front-desk may not read Observation', denial: 'forbidden' }, 403],
    [{ allowed: false, reason: 'Observation/o2 is outside what u may see', denial: 'not-found' }, 404],
    [{ allowed: false, reason: 'no scope' }, 403],
  ])('%j → %s', (decision, status) => {
    const e = denialError(decision);
    expect(e?.status).toBe(status);
    if (status === 404) expect(JSON.stringify(e?.outcome)).not.toMatch(/outside/); // nothing about why
    if (status === undefined) expect(() => enforce(decision)).not.toThrow();
    else expect(() => enforce(decision)).toThrow(OperationOutcomeError);
  });
});
