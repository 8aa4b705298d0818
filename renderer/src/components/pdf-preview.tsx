import * as pdfjs from 'pdfjs-dist';
import workerUrl from 'pdfjs-dist/build/pdf.worker.min.mjs?url';
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';

// The worker is our own bundled file (CSP: worker-src 'self'); nothing is fetched elsewhere.
pdfjs.GlobalWorkerOptions.workerSrc = workerUrl;

/**
 * Renders a PDF from bytes in memory (never a file or a URL: no plaintext leaves the
 * process), one page at a time on a canvas, with page controls.
 */
export function PdfPreview({ data, label }: { data: Uint8Array; label: string }) {
  const { t } = useTranslation();
  const canvas = useRef<HTMLCanvasElement>(null);
  const [doc, setDoc] = useState<pdfjs.PDFDocumentProxy | null>(null);
  const [page, setPage] = useState(1);
  const [failed, setFailed] = useState(false);

  useEffect(() => {
    let cancelled = false;
    setFailed(false);
    setPage(1);
    // pdf.js takes ownership of the buffer it is given: pass a copy.
    const task = pdfjs.getDocument({ data: data.slice(), isEvalSupported: false, disableAutoFetch: true });
    task.promise.then(
      (d) => {
        if (cancelled) void d.destroy();
        else setDoc(d);
      },
      () => !cancelled && setFailed(true),
    );
    return () => {
      cancelled = true;
      void task.destroy();
      setDoc(null);
    };
  }, [data]);

  useEffect(() => {
    if (!doc || !canvas.current) return;
    let cancelled = false;
    let render: pdfjs.RenderTask | null = null;
    void doc.getPage(page).then((p) => {
      if (cancelled || !canvas.current) return;
      const viewport = p.getViewport({ scale: 1.25 });
      const c = canvas.current;
      c.width = viewport.width;
      c.height = viewport.height;
      render = p.render({ canvas: c, viewport });
      render.promise.catch(() => undefined);
    });
    return () => {
      cancelled = true;
      render?.cancel();
    };
  }, [doc, page]);

  if (failed) return <p className="callout callout-error">{t('pdf.failed')}</p>;
  return (
    <figure className="pdf-preview" aria-label={label}>
      <div className="pdf-toolbar">
        <button
          type="button"
          className="button"
          disabled={!doc || page <= 1}
          onClick={() => setPage(page - 1)}
        >
          {t('pdf.previous')}
        </button>
        <span aria-live="polite">
          {doc ? t('pdf.page', { page, pages: doc.numPages }) : t('pdf.loading')}
        </span>
        <button
          type="button"
          className="button"
          disabled={!doc || page >= doc.numPages}
          onClick={() => setPage(page + 1)}
        >
          {t('pdf.next')}
        </button>
      </div>
      <canvas ref={canvas} className="pdf-canvas" data-testid="pdf-canvas" />
    </figure>
  );
}
