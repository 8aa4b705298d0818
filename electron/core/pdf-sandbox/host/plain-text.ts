/**
 * The text of a .txt attachment: UTF-16 when it starts with a UTF-16 byte-order mark, else
 * UTF-8 (invalid sequences become U+FFFD, never an error). Control characters other than
 * tab and line breaks are dropped. Null for a file that is mostly not text (a binary renamed).
 */
export function extractPlainText(bytes: Uint8Array, maxChars: number): string | null {
  const encoding =
    bytes[0] === 0xff && bytes[1] === 0xfe
      ? 'utf-16le'
      : bytes[0] === 0xfe && bytes[1] === 0xff
        ? 'utf-16be'
        : 'utf-8';
  // Enough bytes for maxChars characters in any of these encodings (4 bytes at most per character).
  const head = bytes.subarray(0, Math.min(bytes.length, maxChars * 4 + 4));
  const text = new TextDecoder(encoding, { fatal: false, ignoreBOM: false }).decode(head);
  const sample = text.slice(0, 4096);
  // eslint-disable-next-line no-control-regex
  const bad = sample.match(/[\u0000-\u0008\u000e-\u001f\ufffd]/g)?.length ?? 0;
  if (sample.length > 0 && bad / sample.length > 0.1) return null;
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g, ' ').slice(0, maxChars);
}
