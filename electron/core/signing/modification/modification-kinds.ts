/**
 * What a later revision changed, in the vocabulary of pyHanko's difference analysis: each
 * change is classified, and a class is allowed only where a rule whitelists it — further
 * signatures and their fields, validation data (DSS/VRI) and document timestamps always
 * (signatures not under a certification that allows no changes), form filling under DocMDP
 * P=2 and P=3, annotations under P=3. Everything else is not allowed. The analysis runs in
 * the PDF sandbox (pdf-sandbox/host/modification/); these rules judge its findings here.
 */

import type { ChangeKind, Finding } from '../../pdf-sandbox';

export type { ChangeKind, Finding };

/** `approval`: no certification signature; 1, 2, 3: its DocMDP permission. */
export type Permission = 'approval' | 1 | 2 | 3;

export function permits(permission: Permission, kind: ChangeKind): boolean {
  switch (kind) {
    case 'dss':
    case 'timestamp':
      return true;
    case 'signature':
      return permission !== 1;
    case 'form':
      return permission === 2 || permission === 3;
    case 'annotation':
      return permission === 3;
    default:
      return false;
  }
}

/** Kinds that change what a page shows: not allowed, they make a signature invalid. */
export const VISIBLE: ReadonlySet<ChangeKind> = new Set(['content', 'pages', 'annotation', 'form']);

export const KIND_TEXT: Readonly<Record<ChangeKind, { en: string; vi: string }>> = {
  signature: { en: 'a signature', vi: 'chữ ký' },
  timestamp: { en: 'a document timestamp', vi: 'dấu thời gian tài liệu' },
  dss: { en: 'validation data (DSS)', vi: 'dữ liệu kiểm tra hiệu lực (DSS)' },
  form: { en: 'form field values', vi: 'giá trị trường biểu mẫu' },
  annotation: { en: 'comments or annotations', vi: 'chú thích' },
  content: { en: 'page content', vi: 'nội dung trang' },
  pages: { en: 'pages added, removed or reordered', vi: 'trang bị thêm, xóa hoặc đổi thứ tự' },
  metadata: { en: 'document metadata', vi: 'siêu dữ liệu tài liệu' },
  structure: { en: 'the file structure', vi: 'cấu trúc tệp' },
  other: {
    en: 'other parts of the document (catalog, names, actions)',
    vi: 'các phần khác của tài liệu (danh mục, tên, hành động)',
  },
};

export const PERMISSION_TEXT: Readonly<Record<1 | 2 | 3, { en: string; vi: string }>> = {
  1: { en: 'no changes allowed', vi: 'không cho phép thay đổi' },
  2: { en: 'form filling and signing allowed', vi: 'cho phép điền biểu mẫu và ký' },
  3: {
    en: 'form filling, signing and comments allowed',
    vi: 'cho phép điền biểu mẫu, ký và chú thích',
  },
};
