import { describe, expect, it } from 'vitest';
import { isScopeSubset, parseScopes, ScopeError } from '../src/index.ts';

const N = 'http://terminology.hl7.org/CodeSystem/v3-Confidentiality|N';

describe('isScopeSubset(requested, granted)', () => {
  it.each<[requested: string, granted: string, subset: boolean]>([
    ['patient/Observation.rs', 'patient/Observation.rs', true],
    ['patient/Observation.r', 'patient/Observation.rs', true],
    ['patient/Observation.rs', 'patient/Observation.r', false],
    ['patient/Observation.rs', 'patient/Observation.r patient/Observation.s', true],
    ['patient/Observation.rs', 'patient/*.rs', true],
    ['patient/*.rs', 'patient/Observation.rs', false],
    ['patient/*.rs', 'patient/Observation.rs patient/Condition.rs', false],
    ['user/Observation.rs', 'patient/Observation.rs', false],
    ['patient/Observation.rs', 'user/Observation.rs', false],
    ['system/Observation.rs', 'user/*.cruds', false],
    ['user/Observation.cu', 'user/*.cruds', true],
    ['user/Observation.d', 'user/*.crus', false],
    // v1 and v2 spellings of the same grant
    ['patient/*.read', 'patient/*.rs', true],
    ['patient/*.rs', 'patient/*.read', true],
    ['user/*.write', 'user/*.cud', true],
    ['user/*.*', 'user/*.cruds', true],
    ['user/*.cruds', 'user/*.read', false],
    ['user/Observation.write', 'user/*.read', false],
    // granular scopes
    ['patient/Observation.rs?category=laboratory', 'patient/Observation.rs', true],
    ['patient/Observation.rs', 'patient/Observation.rs?category=laboratory', false],
    ['patient/Observation.rs?category=laboratory', 'patient/Observation.rs?category=laboratory', true],
    ['patient/Observation.rs?category=laboratory', 'patient/Observation.rs?category=laboratory,vital-signs', true],
    ['patient/Observation.rs?category=laboratory,vital-signs', 'patient/Observation.rs?category=laboratory', false],
    ['patient/Observation.rs?category=laboratory&code=1234-5', 'patient/Observation.rs?category=laboratory', true],
    ['patient/Observation.rs?code=1234-5', 'patient/Observation.rs?category=laboratory', false],
    ['patient/Observation.rs?category:not=laboratory', 'patient/Observation.rs?category=laboratory', false],
    [`patient/Observation.rs?_security=${N}`, `patient/*.rs?_security=${N}`, true],
    ['patient/Observation.rs?category=laboratory', `patient/*.rs?_security=${N}`, false],
    // identity and launch scopes must be granted as such
    ['openid fhirUser offline_access', 'openid fhirUser offline_access launch', true],
    ['offline_access', 'online_access', false],
    ['openid patient/*.rs', 'patient/*.rs', false],
    ['launch/patient patient/Observation.rs', 'launch/patient patient/*.cruds openid', true],
    ['', 'patient/*.rs', true],
    ['patient/Observation.r', '', false],
  ])('%j within %j → %s', (requested, granted, subset) => {
    expect(isScopeSubset(requested, granted)).toBe(subset);
    expect(isScopeSubset(parseScopes(requested), parseScopes(granted))).toBe(subset);
  });

  it('a malformed request is an error, not a silent no', () => {
    expect(() => isScopeSubset('patient/Observation.sr', 'patient/*.rs')).toThrow(ScopeError);
  });
});
