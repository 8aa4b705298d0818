import type { ReasonSpec } from '../verdict';

/**
 * The closed list of reasons certificate path validation gives (RFC 5280 §6.1 with the
 * document-signing rules of docs/signature-verdicts.md), spread into the verdict's reason
 * table. Severity follows ETSI EN 319 102-1: a broken constraint or a missing proof makes the
 * answer INDETERMINATE; a revocation before the time of use, or a validity period that starts
 * after it, makes it TOTAL-FAILED (`invalid`).
 */
export const PATH_REASONS = {
  NOT_YET_VALID: {
    severity: 'invalid',
    etsi: 'NOT_YET_VALID',
    en: 'the signing time is before the certificate became valid',
    vi: 'thời điểm ký sớm hơn thời điểm chứng thư có hiệu lực',
  },
  NO_CERTIFICATE_CHAIN_FOUND: {
    severity: 'indeterminate',
    etsi: 'NO_CERTIFICATE_CHAIN_FOUND',
    en: 'the certificate does not chain to a trusted authority',
    vi: 'chứng thư không dẫn đến một tổ chức được tin cậy',
  },
  CHAIN_SIGNATURE_INVALID: {
    severity: 'indeterminate',
    etsi: 'CERTIFICATE_CHAIN_GENERAL_FAILURE',
    en: 'a certificate in the chain has an invalid issuer signature',
    vi: 'một chứng thư trong chuỗi có chữ ký của bên cấp không hợp lệ',
  },
  CERT_EXPIRED: {
    severity: 'indeterminate',
    etsi: 'OUT_OF_BOUNDS_NO_POE',
    en: 'the certificate had expired at the signing time (or has since, with no proof of time)',
    vi: 'chứng thư đã hết hạn tại thời điểm ký (hoặc đã hết hạn, không có bằng chứng thời gian)',
  },
  CA_CERT_NOT_VALID: {
    severity: 'indeterminate',
    etsi: 'OUT_OF_BOUNDS_NO_POE',
    en: 'a certificate authority in the chain was not valid at the time (expired or not yet valid)',
    vi: 'một chứng thư của tổ chức cấp trong chuỗi không có hiệu lực tại thời điểm đó (hết hạn hoặc chưa có hiệu lực)',
  },
  KEY_USAGE: {
    severity: 'indeterminate',
    etsi: 'SIG_CONSTRAINTS_FAILURE',
    en: 'the certificate is not allowed to make signatures (key usage)',
    vi: 'chứng thư không được phép dùng để ký (mục đích sử dụng khóa)',
  },
  EXTENDED_KEY_USAGE: {
    severity: 'indeterminate',
    etsi: 'SIG_CONSTRAINTS_FAILURE',
    en: 'the certificate is not issued for signing documents (extended key usage)',
    vi: 'chứng thư không được cấp để ký tài liệu (mục đích sử dụng khóa mở rộng)',
  },
  NOT_A_CA: {
    severity: 'indeterminate',
    etsi: 'CHAIN_CONSTRAINTS_FAILURE',
    en: 'a certificate in the chain issued another but is not a certificate authority',
    vi: 'một chứng thư trong chuỗi đã cấp chứng thư khác nhưng không phải là tổ chức cấp',
  },
  CA_KEY_USAGE: {
    severity: 'indeterminate',
    etsi: 'CHAIN_CONSTRAINTS_FAILURE',
    en: 'a certificate authority in the chain may not sign certificates (no keyCertSign)',
    vi: 'một tổ chức cấp trong chuỗi không được phép ký chứng thư (thiếu keyCertSign)',
  },
  PATH_LENGTH_EXCEEDED: {
    severity: 'indeterminate',
    etsi: 'CHAIN_CONSTRAINTS_FAILURE',
    en: 'the chain is longer than a certificate authority allows (path length constraint)',
    vi: 'chuỗi chứng thư dài hơn mức tổ chức cấp cho phép (giới hạn độ dài đường dẫn)',
  },
  POLICY_NOT_ACCEPTED: {
    severity: 'indeterminate',
    etsi: 'CHAIN_CONSTRAINTS_FAILURE',
    en: 'the certificate chain does not carry a certificate policy the ministry requires',
    vi: 'chuỗi chứng thư không mang chính sách chứng thư mà Bộ yêu cầu',
  },
  NAME_CONSTRAINTS_VIOLATED: {
    severity: 'indeterminate',
    etsi: 'CHAIN_CONSTRAINTS_FAILURE',
    en: 'a name in the certificate is outside what its certificate authority may certify (name constraints)',
    vi: 'một tên trong chứng thư nằm ngoài phạm vi tổ chức cấp được phép chứng nhận (ràng buộc tên)',
  },
  UNKNOWN_CRITICAL_EXTENSION: {
    severity: 'indeterminate',
    etsi: 'CHAIN_CONSTRAINTS_FAILURE',
    en: 'a certificate in the chain has a critical extension this verifier cannot process',
    vi: 'một chứng thư trong chuỗi có phần mở rộng bắt buộc mà phần mềm không xử lý được',
  },
  REVOKED: {
    severity: 'invalid',
    etsi: 'REVOKED',
    en: 'the certificate was revoked before the time it was used',
    vi: 'chứng thư đã bị thu hồi trước thời điểm được sử dụng',
  },
  CA_REVOKED: {
    severity: 'invalid',
    etsi: 'REVOKED',
    en: 'a certificate authority in the chain was revoked before the time of use',
    vi: 'một tổ chức cấp trong chuỗi đã bị thu hồi trước thời điểm sử dụng',
  },
  REVOKED_NO_POE: {
    severity: 'indeterminate',
    etsi: 'REVOKED_NO_POE',
    en: 'the certificate is revoked, and nothing proves the signature was made before that (no timestamp)',
    vi: 'chứng thư đã bị thu hồi và không có gì chứng minh chữ ký được tạo trước đó (không có dấu thời gian)',
  },
  CA_REVOKED_NO_POE: {
    severity: 'indeterminate',
    etsi: 'REVOKED_CA_NO_POE',
    en: 'a certificate authority in the chain is revoked, and nothing proves the use came before that',
    vi: 'một tổ chức cấp trong chuỗi đã bị thu hồi và không có gì chứng minh việc sử dụng diễn ra trước đó',
  },
  CRL_STALE: {
    severity: 'indeterminate',
    etsi: 'TRY_LATER',
    en: 'the revocation list is out of date (past its next update): revocation status unknown',
    vi: 'danh sách thu hồi đã quá hạn cập nhật: không rõ tình trạng thu hồi',
  },
  NO_REVOCATION_DATA: {
    severity: 'indeterminate',
    etsi: 'TRY_LATER',
    en: 'no revocation list for a certificate that publishes one: revocation status unknown',
    vi: 'không có danh sách thu hồi cho chứng thư có công bố danh sách đó: không rõ tình trạng thu hồi',
  },
} as const satisfies Record<string, ReasonSpec>;

/** A reason path validation can give: the closed union. */
export type PathReasonCode = keyof typeof PATH_REASONS;
