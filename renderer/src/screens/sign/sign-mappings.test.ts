import { describe, expect, it } from 'vitest';
import type { SignJobStatus } from '../../../../shared/contract/document-signing-calls';
import { pinTriesKey } from '../../components/pin-tries';
import { batchSummary } from './batch-summary';
import { signErrorPlace } from './sign-error-place';

const ids = ['a1', 'b2', 'c3', 'd4'].map((s) => `00000000-0000-4000-8000-0000000000${s}`);
const docs = ids.map((id, i) => ({ id, registryNumber: `${i + 1}/2026`, subject: `Subject ${i + 1}` }));

describe('batch results', () => {
  it('says 3 of 4 signed when one failed, and names the one that failed with its reason', () => {
    const job: SignJobStatus = {
      jobId: ids[0] as string,
      state: 'done',
      total: 4,
      done: 4,
      results: [
        { documentId: ids[0] as string, ok: true },
        { documentId: ids[1] as string, ok: true },
        { documentId: ids[3] as string, ok: true },
        { documentId: ids[2] as string, ok: false, error: { code: 'E_SIGN_UNSUPPORTED_FILE', message: 'x' } },
      ],
    };
    const s = batchSummary(job, docs);
    expect(s).toMatchObject({ signed: 3, total: 4, finished: 4 });
    expect(s.failures).toEqual([
      { documentId: ids[2], name: '3/2026 · Subject 3', code: 'E_SIGN_UNSUPPORTED_FILE' },
    ]);
  });

  it('a batch that failed as a whole signed 0 of m', () => {
    const job: SignJobStatus = {
      jobId: ids[0] as string,
      state: 'failed',
      total: 2,
      done: 0,
      results: [],
      error: { code: 'E_TOKEN_PIN_INCORRECT', message: 'x' },
    };
    expect(batchSummary(job, docs)).toMatchObject({ signed: 0, total: 2, failures: [] });
  });
});

describe('where a signing error is shown', () => {
  it('an untrusted or expired certificate at the certificate, a refused PIN at the PIN, the rest for the form', () => {
    expect(signErrorPlace('E_SIGN_CERT_UNTRUSTED')).toBe('certificate');
    expect(signErrorPlace('E_SIGN_CERT_NOT_VALID_NOW')).toBe('certificate');
    expect(signErrorPlace('E_TOKEN_REMOVED')).toBe('certificate');
    expect(signErrorPlace('E_TOKEN_PIN_INCORRECT')).toBe('pin');
    expect(signErrorPlace('E_TOKEN_PIN_LOCKED')).toBe('pin');
    expect(signErrorPlace('E_SIGN_PDF_ENCRYPTED')).toBe('form');
    expect(signErrorPlace('E_INTERNAL')).toBe('form');
  });
});

describe('tries left from the token flags', () => {
  const none = { pinCountLow: false, pinFinalTry: false, pinLocked: false };
  it('claims nothing when the token sets no flag (SoftHSM never does)', () => {
    expect(pinTriesKey(none)).toBeNull();
    expect(pinTriesKey(undefined)).toBeNull();
  });
  it('maps CKF_USER_PIN_COUNT_LOW, _FINAL_TRY and _LOCKED, the most severe first', () => {
    expect(pinTriesKey({ ...none, pinCountLow: true })).toBe('countLow');
    expect(pinTriesKey({ ...none, pinCountLow: true, pinFinalTry: true })).toBe('finalTry');
    expect(pinTriesKey({ pinCountLow: true, pinFinalTry: true, pinLocked: true })).toBe('locked');
  });
});
