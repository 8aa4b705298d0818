import { describe, expect, it } from 'vitest';
import { overallVerdict, REASONS, reason, verdictOf, type ReasonCode } from './verdict';

describe('verdicts', () => {
  it('invalid beats indeterminate beats valid; info reasons change nothing', () => {
    expect(verdictOf([])).toBe('valid');
    expect(verdictOf([reason('LATER_CHANGES_ALLOWED'), reason('NO_SIGNING_TIME')])).toBe('valid');
    expect(verdictOf([reason('NO_CERTIFICATE_CHAIN_FOUND')])).toBe('indeterminate');
    expect(verdictOf([reason('KEY_USAGE'), reason('HASH_FAILURE')])).toBe('invalid');
    expect(verdictOf([reason('CERT_EXPIRED'), reason('LATER_CHANGES_ALLOWED')])).toBe('indeterminate');
  });

  it('maps the cases the issue names to the EU DSS indications', () => {
    const of = (c: ReasonCode) => [verdictOf([reason(c)]), reason(c).etsi];
    expect(of('HASH_FAILURE')).toEqual(['invalid', 'HASH_FAILURE']);
    expect(of('SIG_CRYPTO_FAILURE')).toEqual(['invalid', 'SIG_CRYPTO_FAILURE']);
    expect(of('CERT_EXPIRED')).toEqual(['indeterminate', 'OUT_OF_BOUNDS_NO_POE']);
    expect(of('NO_CERTIFICATE_CHAIN_FOUND')).toEqual(['indeterminate', 'NO_CERTIFICATE_CHAIN_FOUND']);
    expect(of('KEY_USAGE')).toEqual(['indeterminate', 'SIG_CONSTRAINTS_FAILURE']);
    expect(of('REVOKED')).toEqual(['invalid', 'REVOKED']);
    expect(of('REVOKED_NO_POE')).toEqual(['indeterminate', 'REVOKED_NO_POE']);
    expect(of('CRL_STALE')).toEqual(['indeterminate', 'TRY_LATER']);
    expect(of('PATH_LENGTH_EXCEEDED')).toEqual(['indeterminate', 'CHAIN_CONSTRAINTS_FAILURE']);
  });

  it('a file: no signature is indeterminate; the worst signature decides', () => {
    expect(overallVerdict([])).toBe('indeterminate');
    expect(overallVerdict(['valid', 'valid'])).toBe('valid');
    expect(overallVerdict(['valid', 'indeterminate'])).toBe('indeterminate');
    expect(overallVerdict(['indeterminate', 'invalid', 'valid'])).toBe('invalid');
  });

  it('every reason has an English and a Vietnamese text', () => {
    for (const [code, spec] of Object.entries(REASONS)) {
      expect(spec.en.length, code).toBeGreaterThan(10);
      expect(spec.vi.length, code).toBeGreaterThan(10);
      expect(spec.vi).not.toBe(spec.en);
    }
  });
});
