import { lazy, Suspense, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Dialog } from '../../components/dialog';

const PdfPreview = lazy(() =>
  import('../../components/pdf-preview').then((m) => ({ default: m.PdfPreview })),
);

/**
 * "View the signed version": the first `length` bytes of the verified file — the revision a
 * signature covers — rendered on their own, so the officer sees what the signer saw. The
 * bytes are checked against the SHA-256 in the report first: if the file changed since it was
 * verified, nothing is shown.
 */
export function SignedVersionDialog({
  open,
  onClose,
  number,
  revision,
  loadBytes,
}: {
  open: boolean;
  onClose: () => void;
  /** 1-based signature number, for the title. */
  number: number;
  revision: { length: number; sha256: string };
  loadBytes: () => Promise<Uint8Array>;
}) {
  const { t, i18n } = useTranslation();
  const [data, setData] = useState<Uint8Array | null>(null);
  const [mismatch, setMismatch] = useState(false);
  useEffect(() => {
    if (!open) return;
    let cancelled = false;
    setData(null);
    setMismatch(false);
    void (async () => {
      const all = await loadBytes();
      const prefix = all.slice(0, revision.length);
      const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', prefix));
      const hex = [...digest].map((b) => b.toString(16).padStart(2, '0')).join('');
      if (cancelled) return;
      if (prefix.length !== revision.length || hex !== revision.sha256) setMismatch(true);
      else setData(prefix);
    })().catch(() => !cancelled && setMismatch(true));
    return () => {
      cancelled = true;
    };
  }, [open, loadBytes, revision.length, revision.sha256]);
  return (
    <Dialog
      open={open}
      title={t('sign.signedVersionTitle', { n: number })}
      onClose={onClose}
      actions={
        <button type="button" className="button" onClick={onClose}>
          {t('common.close')}
        </button>
      }
    >
      <div data-testid="signed-version">
        <p className="muted">
          {t('sign.signedVersionNote', {
            bytes: new Intl.NumberFormat(i18n.language).format(revision.length),
          })}
        </p>
        {mismatch && <p className="callout callout-error">{t('sign.signedVersionMismatch')}</p>}
        {data && (
          <Suspense fallback={<p className="muted">{t('pdf.loading')}</p>}>
            <PdfPreview data={data} label={t('sign.signedVersionTitle', { n: number })} />
          </Suspense>
        )}
        {!data && !mismatch && <p className="muted">{t('pdf.loading')}</p>}
      </div>
    </Dialog>
  );
}
