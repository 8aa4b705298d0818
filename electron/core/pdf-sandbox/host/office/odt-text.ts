import { DOMParser, type Element, type Node } from '@xmldom/xmldom';
import { readZipEntries } from './bounded-zip';
import { declaresDtd } from './xml-guard';

const TEXT_NS = 'urn:oasis:names:tc:opendocument:xmlns:text:1.0';
/** Most spaces one `<text:s text:c="…"/>` may stand for (a crafted count cannot inflate the text). */
const MAX_SPACES = 64;

/**
 * The text of an .odt (OpenDocument text): `content.xml` only, read by the bounded zip reader
 * and parsed by xmldom after the DTD check. Paragraphs and headings end lines; `text:s`,
 * `text:tab` and `text:line-break` become their spaces, tabs and breaks; spans and everything
 * else contribute their text. Null when the file is not a readable .odt.
 */
export function extractOdtText(bytes: Uint8Array, maxChars: number): string | null {
  const content = readZipEntries(bytes, (name) => name === 'content.xml').get('content.xml');
  if (!content || declaresDtd(content)) return null;
  const doc = new DOMParser({
    onError: (level) => {
      if (level !== 'warning') throw new Error('malformed content.xml');
    },
  }).parseFromString(Buffer.from(content).toString('utf8'), 'text/xml');
  const out: string[] = [];
  const state = { length: 0 };
  const emit = (s: string) => {
    if (state.length >= maxChars) return;
    out.push(s);
    state.length += s.length;
  };
  // Iterative walk: a deeply nested crafted document cannot overflow the stack.
  const stack: { node: Node; after?: string }[] = [{ node: doc.documentElement as Node }];
  while (stack.length > 0 && state.length < maxChars) {
    const { node, after } = stack.pop() as { node: Node; after?: string };
    if (after !== undefined) {
      emit(after);
      continue;
    }
    if (node.nodeType === node.TEXT_NODE || node.nodeType === node.CDATA_SECTION_NODE) {
      emit(node.nodeValue ?? '');
      continue;
    }
    if (node.nodeType !== node.ELEMENT_NODE) continue;
    const el = node as Element;
    if (el.namespaceURI === TEXT_NS) {
      if (el.localName === 's') {
        const count = Number.parseInt(el.getAttributeNS(TEXT_NS, 'c') || '1', 10);
        emit(' '.repeat(Math.min(MAX_SPACES, Math.max(1, Number.isFinite(count) ? count : 1))));
        continue;
      }
      if (el.localName === 'tab') {
        emit('\t');
        continue;
      }
      if (el.localName === 'line-break') {
        emit('\n');
        continue;
      }
      if (el.localName === 'p' || el.localName === 'h') stack.push({ node, after: '\n' });
    }
    const children = el.childNodes;
    for (let i = children.length - 1; i >= 0; i--) {
      const child = children.item(i);
      if (child) stack.push({ node: child });
    }
  }
  return out.join('').slice(0, maxChars);
}
