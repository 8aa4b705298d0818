import * as pdfjs from 'pdfjs-dist';
import workerUrl from 'pdfjs-dist/build/pdf.worker.min.mjs?url';

pdfjs.GlobalWorkerOptions.workerSrc = workerUrl;

/** Renders every page of a PDF (bytes in memory) onto a canvas each, appended to `into`. */
export async function renderPdfPages(bytes: Uint8Array, into: HTMLElement): Promise<void> {
  const doc = await pdfjs.getDocument({ data: bytes.slice(), isEvalSupported: false, disableAutoFetch: true })
    .promise;
  try {
    for (let n = 1; n <= doc.numPages; n++) {
      const page = await doc.getPage(n);
      // Print resolution: twice the preview's scale.
      const viewport = page.getViewport({ scale: 2 });
      const canvas = document.createElement('canvas');
      canvas.width = viewport.width;
      canvas.height = viewport.height;
      canvas.className = 'print-page';
      into.append(canvas);
      await page.render({ canvas, viewport }).promise;
    }
  } finally {
    await doc.destroy();
  }
}
