/**
 * Verdicts and reasons, in the EU DSS / ETSI EN 319 102-1 vocabulary: a signature is `valid`
 * (TOTAL-PASSED), `invalid` (TOTAL-FAILED: the bytes or the cryptography are wrong) or
 * `indeterminate` (INDETERMINATE: the signature is intact but we cannot tell whether to trust
 * it — unknown root, certificate expired without proof of time, wrong key usage, revoked
 * without proof of time). Each reason has a stable code, its ETSI sub-indication and texts in
 * both languages, so the UI and the CLI say the same thing.
 */
import { MODIFICATION_REASONS } from './modification/modification-reason-specs';
import { PATH_REASONS } from './path/path-reason-specs';

export type Verdict = 'valid' | 'invalid' | 'indeterminate';

/** `info` reasons are facts worth showing that do not change the verdict. */
export type Severity = 'invalid' | 'indeterminate' | 'info';

export interface ReasonSpec {
  readonly severity: Severity;
  /** ETSI EN 319 102-1 sub-indication, where one applies. */
  readonly etsi?: string;
  readonly en: string;
  readonly vi: string;
}

export const REASONS = {
  HASH_FAILURE: {
    severity: 'invalid',
    etsi: 'HASH_FAILURE',
    en: 'the signed content was changed after signing (digest mismatch)',
    vi: 'nội dung đã bị thay đổi sau khi ký (giá trị băm không khớp)',
  },
  SIG_CRYPTO_FAILURE: {
    severity: 'invalid',
    etsi: 'SIG_CRYPTO_FAILURE',
    en: 'the signature value does not match the signer’s key',
    vi: 'giá trị chữ ký không khớp với khóa của người ký',
  },
  BYTE_RANGE_INVALID: {
    severity: 'invalid',
    etsi: 'FORMAT_FAILURE',
    en: 'the signed byte range of the PDF is malformed or does not cover the document',
    vi: 'vùng dữ liệu được ký của tệp PDF sai cấu trúc hoặc không bao trùm tài liệu',
  },
  FORMAT_FAILURE: {
    severity: 'invalid',
    etsi: 'FORMAT_FAILURE',
    en: 'the signature is not a well-formed CMS/CAdES structure',
    vi: 'chữ ký không đúng cấu trúc CMS/CAdES',
  },
  NO_SIGNING_CERTIFICATE_FOUND: {
    severity: 'indeterminate',
    etsi: 'NO_SIGNING_CERTIFICATE_FOUND',
    en: 'the signer’s certificate is missing or does not match the signature',
    vi: 'thiếu chứng thư của người ký hoặc chứng thư không khớp với chữ ký',
  },
  NO_SIGNATURE: {
    severity: 'indeterminate',
    etsi: 'SIGNED_DATA_NOT_FOUND',
    en: 'the file has no signature',
    vi: 'tệp không có chữ ký',
  },
  NO_SIGNING_TIME: {
    severity: 'info',
    en: 'the signature claims no signing time; the certificate was checked at the current time',
    vi: 'chữ ký không ghi thời điểm ký; chứng thư được kiểm tra tại thời điểm hiện tại',
  },
  SIGNATURE_TIMESTAMP: {
    severity: 'info',
    en: 'a trusted timestamp proves the signature existed at {what}',
    vi: 'dấu thời gian tin cậy chứng minh chữ ký đã tồn tại lúc {what}',
  },
  SIGNATURE_TIMESTAMP_NOT_TRUSTED: {
    severity: 'info',
    en: 'the signature timestamp proves nothing ({what}); the signature is judged without it',
    vi: 'dấu thời gian của chữ ký không chứng minh được gì ({what}); chữ ký được đánh giá như không có nó',
  },
  ...PATH_REASONS,
  ...MODIFICATION_REASONS,
} as const satisfies Record<string, ReasonSpec>;

export type ReasonCode = keyof typeof REASONS;

/** A reason as reported to the UI and the CLI. */
export interface Reason {
  readonly code: ReasonCode;
  readonly severity: Severity;
  readonly etsi?: string;
  readonly en: string;
  readonly vi: string;
  /** Pages (1-based) the reason is about, where it names some. */
  readonly pages?: number[];
}

/** What a reason's text names: `{pages}` and `{what}` in its texts. */
export interface ReasonParams {
  readonly pages?: readonly number[];
  readonly what?: { readonly en: string; readonly vi: string };
}

export function reason(code: ReasonCode, params: ReasonParams = {}): Reason {
  const spec: ReasonSpec = REASONS[code];
  const fill = (text: string, lang: 'en' | 'vi') =>
    text.replace('{pages}', pagesText(params.pages ?? [], lang)).replace('{what}', params.what?.[lang] ?? '');
  return {
    code,
    severity: spec.severity,
    ...(spec.etsi ? { etsi: spec.etsi } : {}),
    en: fill(spec.en, 'en'),
    vi: fill(spec.vi, 'vi'),
    ...(params.pages && params.pages.length > 0 ? { pages: [...params.pages] } : {}),
  };
}

function pagesText(pages: readonly number[], lang: 'en' | 'vi'): string {
  const list = pages.join(', ');
  if (lang === 'vi') return `trang ${list}`;
  return pages.length === 1 ? `page ${list}` : `pages ${list}`;
}

/** The verdict a list of reasons gives: any `invalid` wins, then any `indeterminate`. */
export function verdictOf(reasons: readonly Reason[]): Verdict {
  if (reasons.some((r) => r.severity === 'invalid')) return 'invalid';
  if (reasons.some((r) => r.severity === 'indeterminate')) return 'indeterminate';
  return 'valid';
}

/** A file's verdict from its signatures' verdicts; a file with no signature cannot be valid. */
export function overallVerdict(verdicts: readonly Verdict[]): Verdict {
  if (verdicts.length === 0) return 'indeterminate';
  if (verdicts.includes('invalid')) return 'invalid';
  if (verdicts.includes('indeterminate')) return 'indeterminate';
  return 'valid';
}
