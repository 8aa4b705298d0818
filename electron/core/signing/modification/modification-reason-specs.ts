import type { ReasonSpec } from '../verdict';

/**
 * The reasons modification analysis gives, spread into the verdict's reason table. `{pages}`
 * and `{what}` are filled in per signature (the pages affected, the kinds of change).
 */
export const MODIFICATION_REASONS = {
  MODIFIED_CONTENT: {
    severity: 'invalid',
    en: 'changed after signing ({what}) on {pages}: not what was signed',
    vi: 'đã bị thay đổi sau khi ký ({what}) ở {pages}: không còn như bản đã ký',
  },
  MODIFIED_AFTER_SIGNING: {
    severity: 'indeterminate',
    en: 'changed after signing in a way no rule allows: {what}',
    vi: 'đã bị thay đổi sau khi ký theo cách không được phép: {what}',
  },
  CERTIFICATION_VIOLATED: {
    severity: 'invalid',
    en: 'the certification does not allow a change made after it: {what}',
    vi: 'chữ ký chứng nhận không cho phép thay đổi được thực hiện sau đó: {what}',
  },
  CERTIFICATION_NOT_FIRST: {
    severity: 'invalid',
    en: 'a certification signature must be the first signature of the document',
    vi: 'chữ ký chứng nhận phải là chữ ký đầu tiên của tài liệu',
  },
  LATER_CHANGES_ALLOWED: {
    severity: 'info',
    en: 'later revisions add only what is allowed after signing: {what}',
    vi: 'các phiên bản sau chỉ bổ sung những gì được phép sau khi ký: {what}',
  },
  CERTIFIED: {
    severity: 'info',
    en: 'certification signature: {what}',
    vi: 'chữ ký chứng nhận: {what}',
  },
} as const satisfies Record<string, ReasonSpec>;
