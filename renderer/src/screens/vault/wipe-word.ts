/**
 * Whether what the officer typed is the wipe's confirmation word. Vietnamese keyboards (Telex,
 * VNI, Unikey) produce precomposed or decomposed letters and officers often type without marks,
 * so both sides are compared without case, without combining marks, and with Đ read as D:
 * "XOÁ", "XOA", "xoá" in NFC or NFD all confirm "XOÁ".
 */
export function wipeWordMatches(typed: string, word: string): boolean {
  const fold = (s: string) =>
    s.normalize('NFD').replace(/\p{M}/gu, '').replace(/[đĐ]/g, 'D').trim().toUpperCase();
  const want = fold(word);
  return want.length > 0 && fold(typed) === want;
}
