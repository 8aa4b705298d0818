import { useEffect, useId, useRef, useState, type ReactNode } from 'react';
import { DiscardDialog } from './discard-dialog';

/**
 * A modal dialog on the native `<dialog>` element: the browser traps focus, makes the page
 * behind inert, and closes on Escape (reported through `onClose`). A dialog holding a form
 * the officer has filled in (`dirty`) asks before Escape throws it away (`DiscardDialog`).
 */
export function Dialog({
  open,
  title,
  onClose,
  children,
  actions,
  tone = 'default',
  dirty = false,
  className,
  testId,
}: {
  open: boolean;
  title: string;
  onClose: () => void;
  children: ReactNode;
  actions?: ReactNode;
  tone?: 'default' | 'danger';
  /** The form inside holds the officer's input: Escape asks before discarding it. */
  dirty?: boolean;
  className?: string;
  testId?: string;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  const [confirming, setConfirming] = useState(false);
  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (open && !dialog.open) dialog.showModal();
    if (!open && dialog.open) dialog.close();
    if (!open) setConfirming(false);
  }, [open]);
  return (
    <>
      <dialog
        ref={ref}
        className={`dialog dialog-${tone}${className ? ` ${className}` : ''}`}
        aria-labelledby={titleId}
        data-testid={testId}
        onCancel={(e) => {
          // React passes a nested dialog's cancel up its tree: Escape on a confirmation inside
          // this dialog closes that one only.
          if (e.target !== e.currentTarget) return;
          e.preventDefault();
          e.stopPropagation();
          if (dirty) setConfirming(true);
          else onClose();
        }}
      >
        <h2 id={titleId} className="dialog-title">
          {title}
        </h2>
        <div className="dialog-body">{children}</div>
        {actions && <div className="dialog-actions">{actions}</div>}
      </dialog>
      {open && confirming && (
        <DiscardDialog
          open
          onKeep={() => setConfirming(false)}
          onDiscard={() => {
            setConfirming(false);
            onClose();
          }}
        />
      )}
    </>
  );
}
