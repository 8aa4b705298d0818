/**
 * Where a signing error is shown: at the certificate it is about (untrusted, expired, not for
 * signing, key or token trouble), at the PIN field (a PIN the token refused), or for the form
 * as a whole (anything about the document or the system).
 */
export type SignErrorPlace = 'certificate' | 'pin' | 'form';

const PIN = new Set([
  'E_TOKEN_PIN_INCORRECT',
  'E_TOKEN_PIN_LOCKED',
  'E_TOKEN_PIN_EXPIRED',
  'E_TOKEN_PIN_INVALID',
  'E_WRONG_SECRET',
]);

const CERTIFICATE = new Set([
  'E_SIGN_CERT_UNTRUSTED',
  'E_SIGN_CERT_NOT_VALID_NOW',
  'E_SIGN_CERT_KEY_USAGE',
  'E_TOKEN_KEY_NOT_FOUND',
  'E_TOKEN_NOT_PRESENT',
  'E_TOKEN_REMOVED',
  'E_TOKEN_MECHANISM_UNSUPPORTED',
  'E_TOKEN_MODULE_UNAVAILABLE',
]);

export function signErrorPlace(code: string): SignErrorPlace {
  if (PIN.has(code)) return 'pin';
  if (CERTIFICATE.has(code)) return 'certificate';
  return 'form';
}
