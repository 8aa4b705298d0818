import { useEffect, useId, useRef } from 'react';
import { useTranslation } from 'react-i18next';

/**
 * "Discard your changes?": asked when Escape (or another way out) would throw away a form the
 * officer filled in. Keep editing is the default and has focus, so a second Escape or Enter
 * never loses the work; only the explicit Discard button does. Forms outside a `Dialog` use it
 * directly with their own `open` state.
 */
export function DiscardDialog({
  open,
  onKeep,
  onDiscard,
}: {
  open: boolean;
  onKeep: () => void;
  onDiscard: () => void;
}) {
  const { t } = useTranslation();
  const ref = useRef<HTMLDialogElement>(null);
  const keep = useRef<HTMLButtonElement>(null);
  const titleId = useId();
  const bodyId = useId();
  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (open && !dialog.open) {
      dialog.showModal();
      keep.current?.focus();
    }
    if (!open && dialog.open) dialog.close();
  }, [open]);
  return (
    <dialog
      ref={ref}
      className="dialog dialog-confirm"
      role="alertdialog"
      aria-labelledby={titleId}
      aria-describedby={bodyId}
      data-testid="discard-dialog"
      onCancel={(e) => {
        e.preventDefault();
        e.stopPropagation();
        onKeep();
      }}
    >
      <h2 id={titleId} className="dialog-title">
        {t('discard.title')}
      </h2>
      <p id={bodyId}>{t('discard.body')}</p>
      <div className="dialog-actions">
        <button
          type="button"
          className="button button-danger"
          onClick={onDiscard}
          data-testid="discard-confirm"
        >
          {t('discard.discard')}
        </button>
        <button
          type="button"
          ref={keep}
          className="button button-primary"
          onClick={onKeep}
          data-testid="discard-keep"
        >
          {t('discard.keep')}
        </button>
      </div>
    </dialog>
  );
}
