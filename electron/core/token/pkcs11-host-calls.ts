import type pkcs11js from 'pkcs11js';
import { ErrorCode } from '../../../shared/contract/errors';
import { TokenError, tokenErrorFromCkr } from './token-errors';

/**
 * The small rules every PKCS#11 call of the token host follows: how a failure becomes a
 * TokenError, teardown that must not throw, and object search and attribute reads.
 */

/** The loaded module (pkcs11js's PKCS11); tests pass a fake with the same methods. */
export type P11 = pkcs11js.PKCS11;

/** Fixed-width PKCS#11 text fields are padded with spaces (or NULs). */
export const trim = (s: string) => s.replace(/[\s\0]+$/, '');

/** The CK_RV a pkcs11js exception carries, or -1 when it is not a PKCS#11 failure. */
export function ckrOf(e: unknown): number {
  return typeof (e as { code?: unknown }).code === 'number' ? (e as { code: number }).code : -1;
}

/** Runs a call, turning a PKCS#11 failure into a TokenError (anything else: device error). */
export function wrap<T>(fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    const rv = ckrOf(e);
    throw rv > 0 ? tokenErrorFromCkr(rv) : new TokenError(ErrorCode.TokenDeviceError);
  }
}

/** Teardown of a session on a token that may be gone: nothing to report. */
export function quietly(fn: () => unknown): void {
  try {
    fn();
  } catch {
    // Nothing to report.
  }
}

/** Object handles matching `template` (at most 64). */
export function findObjects(p11: P11, session: Buffer, template: pkcs11js.Template): Buffer[] {
  p11.C_FindObjectsInit(session, template);
  try {
    return p11.C_FindObjects(session, 64);
  } finally {
    p11.C_FindObjectsFinal(session);
  }
}

/** One attribute's bytes (empty when the token has none). */
export function attr(p11: P11, session: Buffer, handle: Buffer, type: number): Buffer {
  const [got] = p11.C_GetAttributeValue(session, handle, [{ type }]);
  return Buffer.isBuffer(got?.value) ? got.value : Buffer.alloc(0);
}
