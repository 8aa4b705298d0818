/**
 * Office XML never needs a DTD. A document that declares one (`<!DOCTYPE`, `<!ENTITY`) is
 * refused before any XML parser sees it: no external entity can be fetched and no entity can
 * be expanded a billion times, whatever the parser would have done. NUL bytes are dropped
 * before looking, so the check holds for UTF-16 text as well as UTF-8.
 */
export function declaresDtd(xml: Uint8Array): boolean {
  const ascii = Buffer.from(xml.filter((b) => b !== 0)).toString('latin1');
  return /<!\s*(DOCTYPE|ENTITY)/i.test(ascii);
}
