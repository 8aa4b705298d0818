import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PDFName } from 'pdf-lib';
import { describe, expect, it } from 'vitest';
import { basePdf, SHADOW_TEXT } from '../../../../../tests/fixtures/attack-pdfs';
import { appendUpdate, objectOffset } from '../../../../../tests/fixtures/pdf-updates';
import { PdfSyntaxError } from './pdf-object-reader';
import { readPdf } from './pdf-revisions';

describe('PDF revisions', () => {
  it('resolves objects through each revision’s own xref, not the last copy in the file', () => {
    const base = basePdf();
    // The file holds two `4 0 obj`; the xref names the second. pdf-lib's loader keeps the last.
    const text = (pdf: Buffer, rev = -1) => {
      const file = readPdf(pdf);
      const r = rev < 0 ? file.final : file.revisions[rev];
      const v = r?.lookup(4);
      return v && 'contents' in v
        ? Buffer.from((v as { contents: Uint8Array }).contents).toString('latin1')
        : '';
    };
    expect(text(base)).not.toContain(SHADOW_TEXT);
    const repointed = appendUpdate(base, [], {
      pointers: [{ num: 4, offset: objectOffset(base, 4, 0, 'first') }],
    });
    expect(readPdf(repointed).revisions).toHaveLength(2);
    expect(text(repointed)).toContain(SHADOW_TEXT);
    expect(text(repointed, 0)).not.toContain(SHADOW_TEXT);
    const freed = appendUpdate(base, [], { free: [4] });
    expect(readPdf(freed).final.lookup(4)).toBeUndefined();
  });

  it('a /Prev loop or a section past its %%EOF is not a revision; trailing bytes are noticed', () => {
    const base = basePdf();
    const looped = Buffer.from(
      appendUpdate(base, [])
        .toString('latin1')
        .replace(/\/Prev \d+/, `/Prev ${base.length}`),
      'latin1',
    );
    expect(readPdf(looped).revisions).toHaveLength(1);
    expect(readPdf(Buffer.concat([base, Buffer.from('junk')])).trailingData).toBe(true);
    expect(readPdf(Buffer.concat([base, Buffer.from('\n\n')])).trailingData).toBe(false);
    expect(() => readPdf(Buffer.from('%PDF-1.7\nnothing here\n'))).toThrow(PdfSyntaxError);
  });

  it('reads qpdf’s xref streams (PNG predictors, object streams) and a linearized file as one revision', () => {
    const dir = mkdtempSync(join(tmpdir(), 'embassy-rev-'));
    try {
      writeFileSync(join(dir, 'in.pdf'), basePdf());
      execFileSync('qpdf', ['--object-streams=generate', join(dir, 'in.pdf'), join(dir, 'objstm.pdf')]);
      execFileSync('qpdf', ['--linearize', join(dir, 'in.pdf'), join(dir, 'lin.pdf')]);
      const objstm = readPdf(readFileSync(join(dir, 'objstm.pdf')));
      expect(objstm.final.chain[0]?.kind).toBe('stream');
      const catalog = objstm.final.resolve(objstm.final.trailerEntry('Root'));
      expect(
        catalog && 'get' in catalog
          ? String((catalog as { get(k: PDFName): unknown }).get(PDFName.of('Type')))
          : '',
      ).toBe('/Catalog');
      const lin = readPdf(readFileSync(join(dir, 'lin.pdf')));
      expect(lin.revisions).toHaveLength(1);
      expect(lin.final.chain.length).toBeGreaterThanOrEqual(2);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
