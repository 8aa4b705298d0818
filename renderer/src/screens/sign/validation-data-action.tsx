import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useEmbassyClient } from '../../store/store-context';

type State =
  | { kind: 'idle' }
  | { kind: 'busy' }
  | { kind: 'done'; name: string; certs: number; crls: number }
  | { kind: 'failed'; code: string };

/**
 * "Keep this signature checkable for years" for a signed PDF in the vault (a received file):
 * the core adds the chains and CRLs at hand to the PDF's DSS and stores the copy beside the
 * original (`verify.attachmentValidationData`). `onAdded` lets the document view show it.
 */
export function ValidationDataAction({
  documentId,
  attachmentId,
  onAdded,
}: {
  documentId: string;
  attachmentId: string;
  onAdded?: () => void;
}) {
  const { t } = useTranslation();
  const client = useEmbassyClient();
  const [state, setState] = useState<State>({ kind: 'idle' });
  const add = async () => {
    setState({ kind: 'busy' });
    const r = await client.call('verify.attachmentValidationData', { documentId, id: attachmentId });
    if (!r.ok) {
      setState({ kind: 'failed', code: r.error.code });
      return;
    }
    setState({ kind: 'done', name: r.value.name, certs: r.value.certs, crls: r.value.crls });
    onAdded?.();
  };
  return (
    <div className="validation-data-action" data-testid="validation-data">
      <p className="muted">{t('sign.validationData.explain')}</p>
      <button type="button" disabled={state.kind === 'busy'} onClick={() => void add()}>
        {state.kind === 'busy' ? t('sign.validationData.busy') : t('sign.validationData.add')}
      </button>
      <p role="status" aria-live="polite">
        {state.kind === 'done' &&
          t('sign.validationData.done', { name: state.name, certs: state.certs, crls: state.crls })}
        {state.kind === 'done' && state.crls === 0 && ` ${t('sign.validationData.noCrl')}`}
      </p>
      {state.kind === 'failed' && (
        <p className="callout callout-error" role="alert">
          {t(`errors.${state.code}`, { defaultValue: t('sign.validationData.failed') })}
        </p>
      )}
    </div>
  );
}
