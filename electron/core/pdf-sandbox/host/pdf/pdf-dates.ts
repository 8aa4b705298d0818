/** PDF date strings (ISO 32000 7.9.4). */

/** A PDF date string in UTC, with its parentheses: (D:YYYYMMDDHHmmSS+00'00'). */
export function pdfDate(d: Date): string {
  return `(${pdfDateText(d)})`;
}

/** The same without parentheses, for writing as a (possibly encrypted) string object. */
export function pdfDateText(d: Date): string {
  const p = (x: number) => String(x).padStart(2, '0');
  return `D:${d.getUTCFullYear()}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}${p(d.getUTCHours())}${p(d.getUTCMinutes())}${p(d.getUTCSeconds())}+00'00'`;
}
