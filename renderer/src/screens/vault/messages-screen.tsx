import { useEffect, useRef, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { Classification } from '../../../../shared/domain/classification';
import { ClassificationField } from '../../components/classification-field';
import { TextField } from '../../components/field';
import { useShownMarking } from '../../components/use-shown-marking';
import { useAppStore } from '../../store/store-context';
import { ComposeForm, type ComposeStart } from '../sync/compose-form';
import { formatBytes } from '../sync/sync-format';
import { AttachmentActions } from './attachment-actions';
import { forwardStart, replyStart } from './message-compose';

/**
 * Threads on the left, the open thread on the right with Reply and Forward, New message (all
 * sent through sync's outbox, recipients from the directory), and a local draft composer.
 */
export function MessagesScreen() {
  const { t, i18n } = useTranslation();
  const threads = useAppStore((s) => s.threads);
  const openId = useAppStore((s) => s.openThreadId);
  const messages = useAppStore((s) => s.threadMessages);
  const error = useAppStore((s) => s.messagesError);
  const threadsRequested = useAppStore((s) => s.threadsRequested);
  const threadOpened = useAppStore((s) => s.threadOpened);
  const draftSaved = useAppStore((s) => s.draftSaved);
  const threadClosed = useAppStore((s) => s.threadClosed);
  const draftEdited = useAppStore((s) => s.draftEdited);
  const draftDeleted = useAppStore((s) => s.draftDeleted);
  // The draft being edited in the composer, if any.
  const [editing, setEditing] = useState<string | null>(null);
  const unseenArrivals = useAppStore((s) => s.syncUnseenArrivals);
  const arrivalsSeen = useAppStore((s) => s.syncArrivalsSeen);
  const [body, setBody] = useState('');
  const [subject, setSubject] = useState('');
  const [marking, setMarking] = useState<Classification>('unclassified');
  // The message being written to send: new, a reply or a forward (a key restarts the form).
  const [compose, setCompose] = useState<{ key: number; start: ComposeStart } | null>(null);
  // The button that opened the form gets the focus back when it closes.
  const opener = useRef<HTMLElement | null>(null);
  const startCompose = (start: ComposeStart) => {
    opener.current = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    setCompose({ key: Date.now(), start });
  };
  const closeCompose = () => {
    setCompose(null);
    opener.current?.focus();
  };
  // The form opened, the focus goes into it: a reply's recipients and title are filled in, so
  // to its text; a new message or a forward to its first field (the recipients).
  const composeRef = useRef<HTMLElement>(null);
  useEffect(() => {
    const form = composeRef.current;
    if (!compose || !form) return;
    const target =
      compose.start.to.length > 0
        ? form.querySelector<HTMLElement>('[data-testid=compose-text]')
        : form.querySelector<HTMLElement>('input, textarea');
    target?.focus();
  }, [compose]);
  const when = new Intl.DateTimeFormat(i18n.language === 'vi' ? 'vi-VN' : 'en-GB', {
    dateStyle: 'short',
    timeStyle: 'short',
  });

  useEffect(() => {
    void threadsRequested();
  }, [threadsRequested]);
  // Received messages show here as unread threads: the status bar's count has been seen.
  useEffect(() => {
    if (unseenArrivals > 0) arrivalsSeen();
  }, [unseenArrivals, arrivalsSeen]);

  const open = threads?.find((th) => th.id === openId) ?? null;
  // A draft in a thread starts at the thread's marking (what it answers); a new thread's at
  // Unclassified. An edit in progress keeps the draft's own.
  const openMarking = open?.classification ?? 'unclassified';
  useEffect(() => {
    if (editing === null) setMarking(openMarking);
  }, [openId, openMarking, editing]);
  // What is typed in the draft composer is on screen under the marking chosen for it.
  useShownMarking(body.trim() ? marking : null);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const ok = editing
      ? await draftEdited(editing, body, marking)
      : await draftSaved(
          open
            ? { threadId: open.id, body, classification: marking }
            : { subject, body, classification: marking },
        );
    if (ok) {
      setEditing(null);
      setBody('');
      setSubject('');
      setMarking(openMarking);
    }
  };

  return (
    <section className="screen screen-wide" aria-labelledby="messages-title">
      <header className="screen-header">
        <h1 id="messages-title">{t('nav.messages')}</h1>
      </header>
      {error && (
        <p className="callout callout-error" role="alert">
          {t(`errors.${error.code}`)}
        </p>
      )}
      <div className="two-pane">
        <nav className="thread-list" aria-label={t('messages.threads')}>
          <button
            type="button"
            className="button button-primary"
            onClick={() => startCompose({ to: [], title: '', text: '' })}
            data-testid="message-new"
          >
            {t('messages.newMessage')}
          </button>
          <button type="button" className="button" onClick={threadClosed}>
            {t('messages.newThread')}
          </button>
          {threads === null ? (
            <p className="muted">{t('documents.loading')}</p>
          ) : threads.length === 0 ? (
            <p className="muted">{t('messages.none')}</p>
          ) : (
            <ul>
              {threads.map((th) => (
                <li key={th.id}>
                  <button
                    type="button"
                    className={`thread${th.id === openId ? ' is-open' : ''}${th.unreadCount ? ' is-unread' : ''}`}
                    aria-current={th.id === openId ? 'true' : undefined}
                    onClick={() => void threadOpened(th.id)}
                  >
                    <span className="thread-subject">
                      <span className={`mark-chip classification-${th.classification}`}>
                        {t(`classification.${th.classification}`)}
                      </span>{' '}
                      {th.subject}
                    </span>
                    <span className="thread-meta">
                      {when.format(new Date(th.lastMessageAt))}
                      {th.unreadCount ? ` · ${t('messages.unread', { count: th.unreadCount })}` : ''}
                      {th.draftCount ? ` · ${t('messages.drafts', { count: th.draftCount })}` : ''}
                    </span>
                  </button>
                </li>
              ))}
            </ul>
          )}
        </nav>
        <div className="thread-view">
          {open && <h2>{open.subject}</h2>}
          {open && (
            <div className="form-actions thread-actions">
              <button
                type="button"
                className="button"
                onClick={() => startCompose(replyStart(open.subject, messages))}
                data-testid="message-reply"
              >
                {t('messages.replyAction')}
              </button>
              <button
                type="button"
                className="button"
                onClick={() =>
                  startCompose(forwardStart(open.subject, messages, t('messages.forwardPrefix')))
                }
                data-testid="message-forward"
              >
                {t('messages.forward')}
              </button>
            </div>
          )}
          {compose && (
            <section
              ref={composeRef}
              className="card message-compose"
              aria-labelledby="message-compose-title"
            >
              <h2 id="message-compose-title">{t('messages.sendTitle')}</h2>
              <ComposeForm
                key={compose.key}
                start={compose.start}
                onSent={() => {
                  void threadsRequested();
                  if (open) void threadOpened(open.id);
                }}
              />
              <button
                type="button"
                className="button"
                onClick={closeCompose}
                data-testid="message-compose-close"
              >
                {t('messages.closeCompose')}
              </button>
            </section>
          )}
          <ul className="message-list">
            {messages.map((m) => (
              <li key={m.id} className={m.state === 'draft' ? 'is-draft' : undefined}>
                <div className="message-meta">
                  <span className={`mark-chip classification-${m.classification}`}>
                    {t(`classification.${m.classification}`)}
                  </span>{' '}
                  <strong>{m.from || t('messages.me')}</strong> · {when.format(new Date(m.at))}
                  {m.state === 'draft' && <span className="tag">{t('messages.draft')}</span>}
                </div>
                <p className="prewrap">{m.body}</p>
                {m.files.length > 0 && (
                  <ul className="plain-list message-files" aria-label={t('messages.files')}>
                    {m.files.map((f) => (
                      <li key={f.id} data-testid="message-file">
                        <span>
                          {f.name} <span className="muted">({formatBytes(f.size, i18n.language)})</span>
                        </span>
                        {m.state !== 'draft' && (
                          <AttachmentActions marking={m.classification} attachment={f} />
                        )}
                      </li>
                    ))}
                  </ul>
                )}
                {m.state === 'draft' && (
                  <div className="form-actions">
                    <button
                      type="button"
                      className="button"
                      onClick={() => {
                        setEditing(m.id);
                        setBody(m.body);
                        setMarking(m.classification);
                        document.getElementById('draft-body')?.focus();
                      }}
                      data-testid="draft-edit"
                    >
                      {t('messages.editDraft')}
                    </button>
                    <button
                      type="button"
                      className="button"
                      onClick={() => {
                        if (editing === m.id) {
                          setEditing(null);
                          setBody('');
                          setMarking(openMarking);
                        }
                        void draftDeleted(m.id);
                      }}
                      data-testid="draft-delete"
                    >
                      {t('messages.deleteDraft')}
                    </button>
                  </div>
                )}
              </li>
            ))}
          </ul>
          <form className="composer" onSubmit={(e) => void submit(e)}>
            {!open && !editing && (
              <TextField
                label={t('messages.subject')}
                value={subject}
                onChange={(e) => setSubject(e.target.value)}
                required
              />
            )}
            <div className="field">
              <label htmlFor="draft-body">
                {editing ? t('messages.editingDraft') : open ? t('messages.reply') : t('messages.body')}
              </label>
              <textarea
                id="draft-body"
                rows={3}
                value={body}
                onChange={(e) => setBody(e.target.value)}
                required
              />
            </div>
            <ClassificationField value={marking} onChange={setMarking} data-testid="draft-marking" />
            <button type="submit" className="button button-primary">
              {t('messages.saveDraft')}
            </button>
          </form>
        </div>
      </div>
    </section>
  );
}
