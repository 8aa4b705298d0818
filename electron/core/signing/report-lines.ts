import type { Language } from '../../../shared/domain/language';
import type { SignatureReport, VerifyReport } from './verify';

/**
 * The verification report people file, as lines of text in the officer's language: the overall
 * verdict with its reasons, then per signature who, when (claimed and proven), what it covers,
 * later changes, chain, revocation, timestamp, its verdict and every reason. The PDF sandbox
 * lays the lines out in an embedded font (`pdf-sandbox/host/report/`); nothing here is PDF.
 */
export interface ReportLine {
  readonly text: string;
  readonly size?: number;
  readonly indent?: number;
}

const L = {
  title: { en: 'Signature verification report', vi: 'Báo cáo kiểm tra chữ ký số' },
  file: { en: 'File', vi: 'Tệp' },
  checkedAt: { en: 'Checked at', vi: 'Thời điểm kiểm tra' },
  overall: { en: 'Overall verdict', vi: 'Kết luận chung' },
  signature: { en: 'Signature', vi: 'Chữ ký' },
  signer: { en: 'Signed by', vi: 'Người ký' },
  claimed: { en: 'Time claimed by the signer', vi: 'Thời điểm ký (người ký tự khai)' },
  proven: { en: 'Time proven by a timestamp', vi: 'Thời điểm được dấu thời gian chứng minh' },
  none: { en: 'none', vi: 'không có' },
  coverage: { en: 'Coverage', vi: 'Phạm vi ký' },
  whole: { en: 'the whole document', vi: 'toàn bộ tài liệu' },
  revision: {
    en: 'the signed version (first {n} bytes); later changes below',
    vi: 'phiên bản đã ký ({n} byte đầu); các thay đổi sau đó ở dưới',
  },
  changes: { en: 'Changes after signing', vi: 'Thay đổi sau khi ký' },
  noChanges: { en: 'none', vi: 'không có' },
  chain: { en: 'Certificate chain', vi: 'Chuỗi chứng thư' },
  revocation: { en: 'Revocation', vi: 'Tình trạng thu hồi' },
  revocationOk: {
    en: 'no revocation problem found (CRLs from the file’s DSS, the cache and the configured ones, where the certificate needs one)',
    vi: 'không phát hiện vấn đề thu hồi (CRL từ DSS của tệp, bộ nhớ đệm và cấu hình, khi chứng thư cần)',
  },
  timestamp: { en: 'Signature timestamp', vi: 'Dấu thời gian của chữ ký' },
  verdict: { en: 'Verdict', vi: 'Kết luận' },
  reasons: { en: 'Reasons', vi: 'Lý do' },
} as const;

const VERDICT = {
  valid: { en: 'VALID', vi: 'HỢP LỆ' },
  invalid: { en: 'INVALID', vi: 'KHÔNG HỢP LỆ' },
  indeterminate: { en: 'CANNOT TELL (indeterminate)', vi: 'KHÔNG XÁC ĐỊNH ĐƯỢC' },
} as const;

const MODIFICATION = new Set([
  'MODIFIED_CONTENT',
  'MODIFIED_AFTER_SIGNING',
  'CERTIFICATION_VIOLATED',
  'LATER_CHANGES_ALLOWED',
]);
const REVOCATION = new Set([
  'REVOKED',
  'CA_REVOKED',
  'REVOKED_NO_POE',
  'CA_REVOKED_NO_POE',
  'CRL_STALE',
  'NO_REVOCATION_DATA',
]);

function signatureLines(s: SignatureReport, n: number, lang: Language): ReportLine[] {
  const t = (k: keyof typeof L) => L[k][lang];
  const text = (codes: Set<string>) => s.reasons.filter((r) => codes.has(r.code)).map((r) => r[lang]);
  const stamp = s.reasons.find((r) => r.code === 'SIGNATURE_TIMESTAMP');
  const stampTime = stamp ? /\d{4}-\d\d-\d\dT[\d:.]+Z/.exec(stamp.en)?.[0] : undefined;
  const coverage =
    s.coversWholeDocument === false && s.signedRevision
      ? t('revision').replace('{n}', String(s.signedRevision.length))
      : t('whole');
  const changes = text(MODIFICATION);
  const revocation = text(REVOCATION);
  const item = (label: string, value: string): ReportLine => ({ text: `${label}: ${value}`, indent: 12 });
  return [
    { text: `${t('signature')} ${n}${s.fieldName ? ` (${s.fieldName})` : ''}`, size: 12 },
    item(t('signer'), s.signer ?? t('none')),
    item(t('claimed'), s.signingTime ?? t('none')),
    item(t('proven'), stampTime ?? t('none')),
    item(t('coverage'), coverage),
    item(t('changes'), changes.length ? changes.join('; ') : t('noChanges')),
    item(t('chain'), s.chain.length ? s.chain.join(' > ') : t('none')),
    item(t('revocation'), revocation.length ? revocation.join('; ') : t('revocationOk')),
    item(t('timestamp'), stamp ? stamp[lang] : t('none')),
    item(t('verdict'), VERDICT[s.verdict][lang]),
    ...(s.reasons.length > 0 ? [{ text: `${t('reasons')}:`, indent: 12 }] : []),
    ...s.reasons.map((r) => ({ text: `${r.code} — ${r[lang]}`, indent: 24, size: 9 })),
  ];
}

export function reportLines(
  report: VerifyReport,
  meta: { fileName: string; sha256: string; checkedAt: Date },
  lang: Language,
): { title: string; lines: ReportLine[] } {
  const t = (k: keyof typeof L) => L[k][lang];
  return {
    title: t('title'),
    lines: [
      { text: t('title'), size: 16 },
      { text: `${t('file')}: ${meta.fileName}` },
      { text: `SHA-256: ${meta.sha256}`, size: 8 },
      { text: `${t('checkedAt')}: ${meta.checkedAt.toISOString()}` },
      { text: `${t('overall')}: ${VERDICT[report.verdict][lang]}`, size: 14 },
      ...report.reasons.map((r) => ({ text: `${r.code} — ${r[lang]}`, indent: 12 })),
      ...report.signatures.flatMap((s, i) => signatureLines(s, i + 1, lang)),
    ],
  };
}
