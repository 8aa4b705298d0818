import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { AttachmentInfo } from '../../../../shared/contract/vault-calls';
import { useEmbassyClient } from '../../store/store-context';
import { isTextAttachment, readAttachmentBytes } from './attachment-bytes';

/** Text shown at most (the rest is in the file, for Save). */
const MAX_SHOWN_BYTES = 1024 * 1024;

/**
 * An attachment that is not a PDF: a text file is shown as text (read into memory, decoded as
 * UTF-8, rendered as text never markup); anything else says it cannot be shown here and points
 * to Save, next to it.
 */
export function OtherAttachmentView({ attachment }: { attachment: AttachmentInfo }) {
  const { t } = useTranslation();
  const client = useEmbassyClient();
  const text = isTextAttachment(attachment);
  const [content, setContent] = useState<string | null>(null);
  const [failed, setFailed] = useState(false);
  useEffect(() => {
    if (!text) return;
    let cancelled = false;
    setContent(null);
    setFailed(false);
    readAttachmentBytes(client, { ...attachment, size: Math.min(attachment.size, MAX_SHOWN_BYTES) }).then(
      (bytes) => !cancelled && setContent(new TextDecoder().decode(bytes)),
      () => !cancelled && setFailed(true),
    );
    return () => {
      cancelled = true;
    };
  }, [attachment, client, text]);

  if (!text) {
    return (
      <div className="card" data-testid="attachment-not-shown">
        <p>{t('export.notShown', { name: attachment.name })}</p>
      </div>
    );
  }
  if (failed) return <p className="callout callout-error">{t('export.textFailed')}</p>;
  if (content === null) return <p className="muted">{t('pdf.loading')}</p>;
  return (
    <figure className="card text-attachment" aria-label={attachment.name}>
      <pre className="prewrap" data-testid="text-attachment" tabIndex={0}>
        {content}
      </pre>
      {attachment.size > MAX_SHOWN_BYTES && (
        <figcaption className="muted">{t('export.textTruncated')}</figcaption>
      )}
    </figure>
  );
}
