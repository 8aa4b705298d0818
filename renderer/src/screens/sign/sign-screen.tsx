import { useCallback, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { DocumentSummary } from '../../../../shared/contract/vault-calls';
import { useAppStore, useEmbassyClient } from '../../store/store-context';
import { highest } from '../../store/screen-marking';
import { useShownMarking } from '../../components/use-shown-marking';
import { toBase64 } from '../../../../shared/encoding';
import { SignForm } from './sign-form';
import { VerifyReportView } from './verify-report-view';

/** Batch signing over documents awaiting signature, and "Verify a file". */
export function SignScreen() {
  const { t } = useTranslation();
  const vault = useAppStore((s) => s.vault);
  return (
    <section className="screen" aria-labelledby="sign-title">
      <header className="screen-header">
        <h1 id="sign-title">{t('nav.sign')}</h1>
        <p className="lead">{t('sign.intro')}</p>
      </header>
      {vault?.state === 'unlocked' ? (
        <BatchSign />
      ) : (
        <p className="callout callout-warn">{t('sign.needsVault')}</p>
      )}
      <VerifyFile />
    </section>
  );
}

/** A candidate document and the kinds of signature its attachments can take. */
interface Candidate extends DocumentSummary {
  /** It has a PDF (PAdES); every candidate has some file (CAdES). */
  readonly hasPdf: boolean;
}

function BatchSign() {
  const { t } = useTranslation();
  const client = useEmbassyClient();
  const [candidates, setCandidates] = useState<Candidate[] | null>(null);
  const [picked, setPicked] = useState<Set<string>>(new Set());
  const [format, setFormat] = useState<'pades' | 'cades'>('pades');
  const job = useAppStore((s) => s.signJob);
  // The candidates' subjects are on screen: the banner shows the highest of their markings.
  useShownMarking(candidates ? highest(candidates.map((d) => d.classification)) : null);

  useEffect(() => {
    let cancelled = false;
    void (async () => {
      const lists = await Promise.all(
        (['approved', 'in-review', 'draft'] as const).map((status) =>
          client.call('documents.list', { status, limit: 200 }),
        ),
      );
      const withFiles = lists
        .flatMap((r) => (r.ok ? r.value.items : []))
        .filter((d) => d.attachmentCount > 0);
      // Which of them have a PDF: a document with only a .txt is not offered for PAdES.
      const found = await Promise.all(
        withFiles.map(async (d) => {
          const detail = await client.call('documents.get', { id: d.id });
          const files = detail.ok ? detail.value.attachments : [];
          const hasPdf = files.some((a) => a.mediaType === 'application/pdf');
          const hasFile = files.some((a) => a.mediaType !== 'application/pkcs7-signature');
          return hasFile ? [{ ...d, hasPdf }] : [];
        }),
      );
      if (!cancelled) setCandidates(found.flat());
    })();
    return () => {
      cancelled = true;
    };
  }, [client, job?.state]);

  const shown = candidates?.filter((d) => format === 'cades' || d.hasPdf) ?? null;
  const chosen = shown?.filter((d) => picked.has(d.id)) ?? [];
  const toggle = (id: string) => {
    const next = new Set(picked);
    if (next.has(id)) next.delete(id);
    else next.add(id);
    setPicked(next);
  };
  const withoutPdf = (candidates?.length ?? 0) - (candidates?.filter((d) => d.hasPdf).length ?? 0);

  return (
    <div className="card">
      <h2>{t('sign.batchTitle')}</h2>
      <fieldset className="format-choice">
        <legend>{t('sign.format')}</legend>
        {(['pades', 'cades'] as const).map((f) => (
          <label key={f} className="checkbox">
            <input
              type="radio"
              name="sign-format"
              value={f}
              checked={format === f}
              onChange={() => setFormat(f)}
              data-testid={`sign-format-${f}`}
            />{' '}
            <strong>{t(`sign.formats.${f}`)}</strong>{' '}
            <span className="muted">{t(`sign.formatsHint.${f}`)}</span>
          </label>
        ))}
      </fieldset>
      <p className="muted">{t(format === 'pades' ? 'sign.batchIntro' : 'sign.batchIntroCades')}</p>
      {format === 'pades' && withoutPdf > 0 && (
        <p className="muted" data-testid="sign-without-pdf">
          {t('sign.withoutPdf', { count: withoutPdf })}
        </p>
      )}
      {shown === null ? (
        <p className="muted">{t('documents.loading')}</p>
      ) : shown.length === 0 ? (
        <p className="muted">{t(format === 'pades' ? 'sign.nothingToSign' : 'sign.nothingToSignCades')}</p>
      ) : (
        <fieldset className="doc-picker">
          <legend className="visually-hidden">{t('sign.batchTitle')}</legend>
          <label className="checkbox">
            <input
              type="checkbox"
              checked={chosen.length === shown.length}
              onChange={(e) => setPicked(new Set(e.target.checked ? shown.map((d) => d.id) : []))}
            />{' '}
            {t('sign.selectAll', { count: shown.length })}
          </label>
          {shown.map((d) => (
            <label key={d.id} className="checkbox">
              <input
                type="checkbox"
                checked={picked.has(d.id)}
                onChange={() => toggle(d.id)}
                data-testid="pick-document"
              />{' '}
              <span className={`mark-chip classification-${d.classification}`}>
                {t(`classification.${d.classification}`)}
              </span>{' '}
              {d.registryNumber} · {d.subject}
            </label>
          ))}
        </fieldset>
      )}
      {(chosen.length > 0 || job) && (
        <SignForm
          documentIds={chosen.map((d) => d.id)}
          documents={candidates ?? []}
          format={format}
          onDone={() => setPicked(new Set())}
        />
      )}
    </div>
  );
}

function VerifyFile() {
  const { t } = useTranslation();
  const report = useAppStore((s) => s.fileReport);
  const error = useAppStore((s) => s.fileReportError);
  const fileVerified = useAppStore((s) => s.fileVerified);
  const [file, setFile] = useState<File | null>(null);
  const [signature, setSignature] = useState<File | null>(null);
  const [busy, setBusy] = useState(false);
  const [tooLarge, setTooLarge] = useState(false);
  const [verified, setVerified] = useState<File | null>(null);
  const loadBytes = useCallback(
    async () => new Uint8Array((await verified?.arrayBuffer()) ?? new ArrayBuffer(0)),
    [verified],
  );

  const verify = async () => {
    if (!file) return;
    const size = file.size + (signature?.size ?? 0);
    setTooLarge(size > 2 * 1024 * 1024);
    if (size > 2 * 1024 * 1024) return;
    setBusy(true);
    setVerified(signature ? null : file);
    const bytes = toBase64(new Uint8Array(await file.arrayBuffer()));
    if (signature) await fileVerified(toBase64(new Uint8Array(await signature.arrayBuffer())), bytes);
    else await fileVerified(bytes);
    setBusy(false);
  };

  return (
    <div className="card">
      <h2>{t('sign.verifyTitle')}</h2>
      <p className="muted">{t('sign.verifyIntro')}</p>
      <div className="field">
        <label htmlFor="verify-file">{t('sign.verifyFile')}</label>
        <input
          id="verify-file"
          type="file"
          onChange={(e) => setFile(e.target.files?.[0] ?? null)}
          data-testid="verify-file"
        />
      </div>
      <div className="field">
        <label htmlFor="verify-p7s">{t('sign.verifyP7s')}</label>
        <input
          id="verify-p7s"
          type="file"
          accept=".p7s,application/pkcs7-signature"
          onChange={(e) => setSignature(e.target.files?.[0] ?? null)}
        />
      </div>
      {tooLarge && <p className="callout callout-error">{t('sign.verifyTooLarge')}</p>}
      <button
        type="button"
        className="button button-primary"
        disabled={!file || busy}
        onClick={() => void verify()}
        data-testid="verify-submit"
      >
        {t('sign.verifySubmit')}
      </button>
      {error && (
        <p className="callout callout-error" role="alert">
          {t(`errors.${error.code}`)}
        </p>
      )}
      {report && <VerifyReportView report={report} {...(verified ? { loadBytes } : {})} />}
    </div>
  );
}
