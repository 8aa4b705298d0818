import { strToU8, unzipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import {
  docxDocumentXml,
  officeBomb,
  makeDocx,
  makeOdt,
  manyEntries,
  odtContentXml,
} from '../../../../../tests/fixtures/office-files';
import { extractText } from '../document-text';
import { readZipEntries, ZipLimitError } from './bounded-zip';

const XXE = '<!DOCTYPE d [<!ENTITY xxe SYSTEM "file:///etc/hostname"><!ENTITY a "lol">]>';

describe('office text (.docx, .odt, .txt) in the sandbox', () => {
  it('reads the paragraphs of a .docx, Vietnamese included', async () => {
    const text = await extractText(
      makeDocx(['Công hàm số 12/2026/NV', 'về việc gia hạn thị thực']),
      'docx',
      1000,
    );
    expect(text).toContain('Công hàm số 12/2026/NV');
    expect(text).toContain('gia hạn thị thực');
  });

  it('reads an .odt: paragraphs, headings, spans, spaces, tabs and line breaks', async () => {
    const odt = makeOdt(
      '<text:h>Báo cáo</text:h><text:p>một<text:s text:c="3"/>hai<text:tab/>ba<text:line-break/><text:span>bốn</text:span></text:p>',
    );
    expect(await extractText(odt, 'odt', 1000)).toBe('Báo cáo\nmột   hai\tba\nbốn\n');
  });

  it('bounds a crafted space count and the text to maxChars', async () => {
    const odt = makeOdt('<text:p>a<text:s text:c="999999999"/>b</text:p>');
    expect(await extractText(odt, 'odt', 1000)).toBe(`a${' '.repeat(64)}b\n`);
    expect(await extractText(makeDocx(['x'.repeat(5000)]), 'docx', 100)).toHaveLength(100);
  });

  it('decodes .txt as UTF-8 or UTF-16 and refuses binary', async () => {
    expect(await extractText(strToU8('Thư mời họp'), 'txt', 100)).toBe('Thư mời họp');
    const utf16 = new Uint8Array([0xff, 0xfe, ...Buffer.from('Hà Nội', 'utf16le')]);
    expect(await extractText(utf16, 'txt', 100)).toBe('Hà Nội');
    const binary = new Uint8Array(4096).map((_, i) => (i * 7) % 32);
    await expect(extractText(binary, 'txt', 100)).rejects.toThrow(/not a readable txt/);
  });

  it('a zip bomb .docx stops at the limit, fast, with no text', async () => {
    const bomb = officeBomb('docx', 64);
    // The bomb is real: an unbounded reader inflates all of it.
    const unbounded = unzipSync(bomb, { filter: (f) => f.name === 'word/document.xml' });
    expect(unbounded['word/document.xml']?.length).toBe(64 * 1024 * 1024);
    expect(bomb.length).toBeLessThan(128 * 1024);
    const started = performance.now();
    await expect(extractText(bomb, 'docx', 1000)).rejects.toThrow(ZipLimitError);
    // Bounded: 16 MiB inflated at most (about a second on an idle 2-core machine; the bound is loose for a shared one).
    expect(performance.now() - started).toBeLessThan(20_000);
  });

  it('a zip bomb .odt and an archive of too many entries are refused', async () => {
    await expect(extractText(officeBomb('odt', 64), 'odt', 10)).rejects.toThrow(ZipLimitError);
    expect(() => readZipEntries(makeDocx(['x'], manyEntries(2500)), () => false)).toThrow(/too many entries/);
  });

  it('the bounded reader counts what it inflates, not what headers claim', () => {
    const bomb = officeBomb('odt', 2);
    // Tighter limits than the defaults, to see the per-entry and total bounds apply.
    expect(() =>
      readZipEntries(bomb, (n) => n === 'content.xml', {
        maxEntries: 10,
        maxTotalBytes: 1 << 30,
        maxEntryBytes: 1 << 20,
      }),
    ).toThrow(ZipLimitError);
    expect(
      readZipEntries(bomb, (n) => n === 'content.xml', {
        maxEntries: 10,
        maxTotalBytes: 4 << 20,
        maxEntryBytes: 4 << 20,
      }).get('content.xml')?.length,
    ).toBe(2 * 1024 * 1024);
  });

  it('malformed files give no text, never a crash', async () => {
    const docx = makeDocx(['Bí mật']);
    // Cut inside the main part (the central directory is not needed to read the rest).
    const main = Buffer.from(docx).indexOf('word/document.xml');
    await expect(extractText(docx.subarray(0, main + 40), 'docx', 100)).rejects.toThrow();
    await expect(extractText(strToU8('PK\x03\x04 not a zip at all'), 'docx', 100)).rejects.toThrow();
    await expect(
      extractText(makeDocx([], { 'word/document.xml': strToU8('<w:document><oops') }), 'docx', 100),
    ).rejects.toThrow();
    await expect(
      extractText(makeOdt([], { 'content.xml': strToU8('<office:document-content><text:p>') }), 'odt', 100),
    ).rejects.toThrow();
    // A .docx without its main part.
    await expect(extractText(makeOdt(['x']), 'docx', 100)).rejects.toThrow(/not a readable docx/);
  });

  it('a DTD (external entity, entity expansion) in an .odt or .docx refuses the file', async () => {
    const odt = makeOdt([], { 'content.xml': strToU8(odtContentXml('<text:p>&xxe; &a;</text:p>', XXE)) });
    await expect(extractText(odt, 'odt', 1000)).rejects.toThrow(/not a readable odt/);
    const utf16 = makeOdt([], {
      'content.xml': Buffer.from(
        odtContentXml('<text:p>&a;</text:p>', XXE).replace('UTF-8', 'UTF-16'),
        'utf16le',
      ),
    });
    await expect(extractText(utf16, 'odt', 1000)).rejects.toThrow(/not a readable odt/);
    const docx = makeDocx([], { 'word/document.xml': strToU8(docxDocumentXml(['&xxe;'], XXE)) });
    await expect(extractText(docx, 'docx', 1000)).rejects.toThrow(/not a readable docx/);
  });
});
