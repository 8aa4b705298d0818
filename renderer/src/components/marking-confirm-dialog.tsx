import { useTranslation } from 'react-i18next';
import type { Classification } from '../../../shared/domain/classification';
import { ClassificationBanner } from './classification-banner';
import { Dialog } from './dialog';

export type MarkedAction = 'send' | 'sendMessage' | 'save' | 'print';

/**
 * Asked before a Secret or Top secret item leaves the workstation (sent, saved, printed): the
 * dialog names the marking in both languages, in words and on its coloured band. Cancel is the
 * default (it has the focus when the dialog opens; Escape is Cancel too); confirming needs a
 * deliberate Tab and Enter, or a click.
 */
export function MarkingConfirmDialog({
  open,
  marking,
  action,
  onConfirm,
  onCancel,
}: {
  open: boolean;
  marking: Classification;
  action: MarkedAction;
  onConfirm: () => void;
  onCancel: () => void;
}) {
  const { t, i18n } = useTranslation();
  const other = i18n.language === 'vi' ? 'en' : 'vi';
  const level = t(`classification.${marking}`);
  return (
    <Dialog
      open={open}
      tone="danger"
      title={t(`markingConfirm.title.${action}`, { marking: level })}
      onClose={onCancel}
      actions={
        <>
          <button type="button" className="button" onClick={onCancel} data-testid="marking-confirm-cancel">
            {t('common.cancel')}
          </button>
          <button
            type="button"
            className="button button-danger"
            onClick={onConfirm}
            data-testid="marking-confirm-ok"
          >
            {t(`markingConfirm.confirm.${action}`, { marking: level })}
          </button>
        </>
      }
    >
      {open && (
        <div data-testid="marking-confirm" data-marking={marking}>
          <ClassificationBanner level={marking} compact />
          <p>{t('markingConfirm.body', { marking: level })}</p>
          <p lang={other} className="muted">
            {t('markingConfirm.body', {
              marking: t(`classification.${marking}`, { lng: other }),
              lng: other,
            })}
          </p>
        </div>
      )}
    </Dialog>
  );
}
