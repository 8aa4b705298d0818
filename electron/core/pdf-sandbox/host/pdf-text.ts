/**
 * Extracts the text of a PDF from memory with pdf.js (legacy build: it runs under plain Node
 * without DOM). No file is written. pdf.js runs its parser in-process here (its "fake
 * worker"): this is the PDF sandbox's process, which holds nothing a crafted file could reach.
 */
export async function extractPdfText(bytes: Uint8Array, maxChars: number): Promise<string> {
  // An ESM-only module: a dynamic import keeps it out of the CJS bundle (it stays external).
  const pdfjs = await import('pdfjs-dist/legacy/build/pdf.mjs');
  // pdf.js detaches the buffer it is given and refuses a Buffer: hand it a plain Uint8Array copy.
  const data = new Uint8Array(bytes.length);
  data.set(bytes);
  const task = pdfjs.getDocument({
    data,
    isEvalSupported: false,
    disableFontFace: true,
    useSystemFonts: false,
    stopAtErrors: false,
    verbosity: 0,
  });
  const doc = await task.promise;
  const parts: string[] = [];
  let length = 0;
  try {
    for (let p = 1; p <= doc.numPages && length < maxChars; p++) {
      const page = await doc.getPage(p);
      const content = await page.getTextContent();
      for (const item of content.items) {
        if ('str' in item) {
          parts.push(item.str, item.hasEOL ? '\n' : ' ');
          length += item.str.length + 1;
        }
      }
      parts.push('\n');
      page.cleanup();
    }
  } finally {
    await doc.destroy();
  }
  return parts.join('').slice(0, maxChars);
}
