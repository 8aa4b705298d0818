import { useEffect, useId, useRef, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { MessageFileInfo } from '../../../../shared/contract/vault-calls';
import type { Classification } from '../../../../shared/domain/classification';
import { MAX_MESSAGE_FILES } from '../../../../shared/domain/document';
import { needsMarkingConfirmation } from '../../../../shared/domain/marking-confirmation';
import { ClassificationField } from '../../components/classification-field';
import { TextField } from '../../components/field';
import { FileDropField } from '../../components/file-drop-field';
import { MarkingConfirmDialog } from '../../components/marking-confirm-dialog';
import { useShownMarking } from '../../components/use-shown-marking';
import { useAppStore } from '../../store/store-context';
import { filesProblem } from '../vault/message-compose';
import { RecipientPicker } from './recipient-picker';
import { errorKey, formatCount } from './sync-format';

/** What a reply or a forward starts with. */
export interface ComposeStart {
  readonly to: readonly string[];
  readonly title: string;
  readonly text: string;
  /** The marking it starts with (a reply or forward: at least the thread's). */
  readonly classification?: Classification;
  /** Files it carries on (a forward: the quoted message's). */
  readonly files?: readonly MessageFileInfo[];
}

/**
 * A message to officers at HQ: sealed for each of their devices and queued in the outbox, with
 * the marking its writer chose (Secret and above only after a dialog naming it; the core refuses
 * it otherwise). Messages reuses it for new messages, replies and forwards (`start`, `onSent`).
 */
export function ComposeForm({ start, onSent }: { start?: ComposeStart; onSent?: () => void } = {}) {
  const { t, i18n } = useTranslation();
  const send = useAppStore((s) => s.syncSendSubmitted);
  const sendError = useAppStore((s) => s.syncSendError);
  const cleared = useAppStore((s) => s.syncSendErrorCleared);
  const [to, setTo] = useState<string[]>(() => [...(start?.to ?? [])]);
  const [title, setTitle] = useState(start?.title ?? '');
  const [text, setText] = useState(start?.text ?? '');
  const [marking, setMarking] = useState<Classification>(start?.classification ?? 'unclassified');
  const [carried, setCarried] = useState<MessageFileInfo[]>(() => [...(start?.files ?? [])]);
  const [files, setFiles] = useState<File[]>([]);
  const problem = filesProblem([...carried, ...files]);
  const [confirming, setConfirming] = useState(false);
  const [tried, setTried] = useState(false);
  const [busy, setBusy] = useState(false);
  const [queued, setQueued] = useState<number | null>(null);
  const textId = useId();

  useEffect(() => cleared, [cleared]);
  // What is being written is on screen under the marking chosen for it.
  useShownMarking(marking);
  // Send is disabled while it runs, which drops the focus to the page body: once done, the
  // focus goes back to it (unless the officer has moved on).
  const sendRef = useRef<HTMLButtonElement>(null);
  const [sent, setSent] = useState(0);
  useEffect(() => {
    if (busy || sent === 0) return;
    if (document.activeElement === null || document.activeElement === document.body) sendRef.current?.focus();
  }, [busy, sent]);

  const submit = (e: FormEvent) => {
    e.preventDefault();
    setTried(true);
    setQueued(null);
    if (to.length === 0 || !text.trim() || problem) return;
    if (needsMarkingConfirmation(marking)) setConfirming(true);
    else void queue(false);
  };

  const queue = async (confirmed: boolean) => {
    setConfirming(false);
    setBusy(true);
    const items = await send(
      {
        kind: 'message',
        to,
        title: title.trim(),
        text,
        classification: marking,
        fileIds: carried.map((f) => f.id),
        ...(confirmed ? { confirmedMarking: marking } : {}),
      },
      files,
    );
    setBusy(false);
    setSent((n) => n + 1);
    if (!items) return;
    setTo([]);
    setTitle('');
    setText('');
    setMarking('unclassified');
    setCarried([]);
    setFiles([]);
    setTried(false);
    setQueued(items.length);
    onSent?.();
  };

  return (
    <form className="form compose-form" onSubmit={submit} noValidate>
      <MarkingConfirmDialog
        open={confirming}
        marking={marking}
        action="sendMessage"
        onConfirm={() => void queue(true)}
        onCancel={() => {
          setConfirming(false);
          sendRef.current?.focus();
        }}
      />
      <RecipientPicker
        value={to}
        onChange={setTo}
        error={tried && to.length === 0 ? t('sync.compose.noRecipients') : null}
      />
      <TextField
        label={t('sync.compose.title')}
        value={title}
        onChange={(e) => setTitle(e.target.value)}
        maxLength={512}
        data-testid="compose-title"
      />
      <ClassificationField value={marking} onChange={setMarking} data-testid="compose-marking" />
      <div className="field">
        <label htmlFor={textId}>{t('sync.compose.text')}</label>
        <textarea
          id={textId}
          rows={6}
          value={text}
          onChange={(e) => setText(e.target.value)}
          maxLength={100_000}
          aria-invalid={tried && !text.trim() ? true : undefined}
          aria-describedby={tried && !text.trim() ? `${textId}-error` : undefined}
          data-testid="compose-text"
        />
        {tried && !text.trim() && (
          <div id={`${textId}-error`} className="field-error" role="alert">
            {t('sync.compose.noText')}
          </div>
        )}
      </div>
      {carried.length > 0 && (
        <div className="field">
          <p className="field-hint">{t('messages.carriedFiles')}</p>
          <ul className="plain-list chosen-files" data-testid="compose-carried">
            {carried.map((f) => (
              <li key={f.id}>
                {f.name}{' '}
                <button
                  type="button"
                  className="link-button"
                  onClick={() => setCarried(carried.filter((c) => c.id !== f.id))}
                >
                  {t('documents.removeFile', { name: f.name })}
                </button>
              </li>
            ))}
          </ul>
        </div>
      )}
      <FileDropField
        label={t('messages.files')}
        hint={t('messages.filesHint', { count: MAX_MESSAGE_FILES })}
        files={files}
        onChange={setFiles}
        error={
          problem ? t(`messages.files${problem.key}`, { name: problem.name, count: MAX_MESSAGE_FILES }) : null
        }
        testId="compose-files"
      />
      {sendError && (
        <p className="callout callout-error" role="alert" data-testid="send-error">
          {t(errorKey(sendError.code))}
        </p>
      )}
      <p role="status" className="send-result">
        {queued !== null &&
          t('sync.compose.queued', { count: queued, n: formatCount(queued, i18n.language) })}
      </p>
      <div className="form-actions">
        <button
          ref={sendRef}
          type="submit"
          className="button button-primary"
          disabled={busy}
          data-testid="compose-send"
        >
          {busy ? t('sync.compose.sending') : t('sync.compose.send')}
        </button>
      </div>
    </form>
  );
}
