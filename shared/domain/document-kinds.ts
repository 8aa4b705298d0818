/**
 * The kinds of document the ministry registers, each with the short code that ends its
 * registry number ("số/ký hiệu": `12/2026/NV`). Pure data; the names are in the UI's locales
 * (`documentKinds.<kind>`).
 */
export const DOCUMENT_KINDS = [
  'note-verbale',
  'consular-letter',
  'cable',
  'report',
  'official-letter',
  'decision',
  'notice',
  'other',
] as const;
export type DocumentKind = (typeof DOCUMENT_KINDS)[number];

/** The code each kind's numbers end with (Vietnamese administrative abbreviations where one exists). */
export const DOCUMENT_KIND_CODES: { readonly [K in DocumentKind]: string } = {
  'note-verbale': 'NV',
  'consular-letter': 'LS',
  cable: 'ĐB',
  report: 'BC',
  'official-letter': 'CV',
  decision: 'QĐ',
  notice: 'TB',
  other: 'VB',
};

/** A registry number: the number in its register and year, the year, the kind's code. */
export function formatRegistryNumber(number: number, year: number, kind: DocumentKind): string {
  return `${number}/${year}/${DOCUMENT_KIND_CODES[kind]}`;
}
