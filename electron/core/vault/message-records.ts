import type { MessageInfo, ThreadSummary } from '../../../shared/contract/vault-calls';
import {
  CLASSIFICATIONS,
  highestClassification,
  type Classification,
} from '../../../shared/domain/classification';
import type { DocumentRecords } from './document-records';
import type { MessageFileBytes, MessageFiles } from './message-files';
import { newRecordId } from './record-id';
import {
  MESSAGE_SELECT,
  notFound,
  now,
  parties,
  toMessage,
  type Db,
  type MessageRow,
} from './repository-rows';
import type { SearchIndex } from './search-index';
import type { WorkerOutput, WorkerParsedInput } from './worker-protocol';

interface DraftRow {
  rowid: number;
  thread_rowid: number;
  sender: string;
  recipients: string;
  classification: Classification;
  subject: string;
}

/** A message as stored by the repository (drafts, and what sync sent or received). */
export interface NewMessage {
  readonly from: string;
  readonly to: readonly string[];
  readonly body: string;
  readonly state: MessageInfo['state'];
  readonly read: boolean;
  readonly classification: Classification;
  readonly at: string;
  /** A received message's files. */
  readonly files?: readonly MessageFileBytes[];
  /** A sent message's files, staged or forwarded (message-files.ts `keepWith`). */
  readonly fileIds?: readonly string[];
}

/** Threads and their messages: drafts, synced messages, paged lists and read state. */
export function createMessageRecords(
  db: Db,
  index: SearchIndex,
  documents: DocumentRecords,
  files: MessageFiles,
) {
  const insertThread = db.prepare(
    'INSERT INTO threads (id, subject, document_rowid, created_at, last_message_at) VALUES (?, ?, ?, ?, ?)',
  );
  const touchThread = db.prepare(
    'UPDATE threads SET last_message_at = max(last_message_at, ?) WHERE rowid = ?',
  );
  const insertMessage = db.prepare(
    `INSERT INTO messages (id, thread_rowid, sender, recipients, body, state, read, classification, at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const threadRow = db.prepare('SELECT rowid, subject FROM threads WHERE id = ?');
  const messageByRowid = db.prepare(`${MESSAGE_SELECT} WHERE m.rowid = ?`);
  const draftRow = db.prepare(
    `SELECT m.rowid, m.thread_rowid, m.sender, m.recipients, m.classification, t.subject FROM messages m
     JOIN threads t ON t.rowid = m.thread_rowid WHERE m.id = ? AND m.state = 'draft'`,
  );

  function insertThreadRow(
    subject: string,
    documentRowid: number | null,
    at: string,
  ): { rowid: number; id: string } {
    const id = newRecordId();
    return { rowid: Number(insertThread.run(id, subject, documentRowid, at, at).lastInsertRowid), id };
  }

  /** One message in a thread, indexed under the thread's subject; in the caller's transaction. */
  function insertMessageRow(
    threadRowid: number,
    subject: string,
    m: NewMessage,
  ): { rowid: number; id: string } {
    const id = newRecordId();
    const rowid = Number(
      insertMessage.run(
        id,
        threadRowid,
        m.from,
        JSON.stringify(m.to),
        m.body,
        m.state,
        m.read ? 1 : 0,
        m.classification,
        m.at,
      ).lastInsertRowid,
    );
    if (m.files?.length) files.attach(rowid, m.files);
    if (m.fileIds?.length) files.keepWith(rowid, m.fileIds);
    touchThread.run(m.at, threadRowid);
    index.add('message', rowid, { title: subject, body: m.body, parties: [m.from, ...m.to].join(' · ') });
    return { rowid, id };
  }

  return {
    insertThread: insertThreadRow,
    insertMessage: insertMessageRow,

    listThreads(input: WorkerParsedInput<'messages.threads'>): WorkerOutput<'messages.threads'> {
      const where: string[] = [];
      const params: (string | number)[] = [];
      if (input.documentId !== undefined) {
        where.push('t.document_rowid = ?');
        params.push(documents.requireRowid(input.documentId));
      }
      if (input.unreadOnly)
        where.push('EXISTS (SELECT 1 FROM messages m WHERE m.thread_rowid = t.rowid AND m.read = 0)');
      const filter = where.length ? `WHERE ${where.join(' AND ')}` : '';
      const total = db
        .prepare(`SELECT count(*) FROM threads t ${filter}`)
        .pluck()
        .get(...params) as number;
      const rows = db
        .prepare(
          `SELECT t.rowid, t.id, t.subject, d.id AS document_id, t.last_message_at,
             (SELECT count(*) FROM messages m WHERE m.thread_rowid = t.rowid) AS message_count,
             (SELECT count(*) FROM messages m WHERE m.thread_rowid = t.rowid AND m.read = 0) AS unread_count,
             (SELECT count(*) FROM messages m WHERE m.thread_rowid = t.rowid AND m.state = 'draft') AS draft_count,
             (SELECT json_group_array(DISTINCT m.sender) FROM messages m WHERE m.thread_rowid = t.rowid) AS senders,
             (SELECT json_group_array(DISTINCT m.classification) FROM messages m WHERE m.thread_rowid = t.rowid) AS markings
           FROM threads t LEFT JOIN documents d ON d.rowid = t.document_rowid ${filter}
           ORDER BY t.last_message_at DESC, t.rowid DESC LIMIT ? OFFSET ?`,
        )
        .all(...params, input.limit, input.offset) as {
        id: string;
        subject: string;
        document_id: string | null;
        last_message_at: string;
        message_count: number;
        unread_count: number;
        draft_count: number;
        senders: string;
        markings: string;
      }[];
      const items: ThreadSummary[] = rows.map((r) => ({
        id: r.id,
        subject: r.subject,
        documentId: r.document_id,
        messageCount: r.message_count,
        unreadCount: r.unread_count,
        draftCount: r.draft_count,
        lastMessageAt: r.last_message_at,
        participants: parties(r.senders)
          .filter((p) => p.length > 0)
          .slice(0, 50),
        classification: highestClassification(
          parties(r.markings).filter((c): c is Classification =>
            (CLASSIFICATIONS as readonly string[]).includes(c),
          ),
        ),
      }));
      return { total, offset: input.offset, items };
    },

    listMessages(input: WorkerParsedInput<'messages.list'>): WorkerOutput<'messages.list'> {
      const thread = threadRow.get(input.threadId) as { rowid: number } | undefined;
      if (!thread) notFound('thread');
      const total = db
        .prepare('SELECT count(*) FROM messages WHERE thread_rowid = ?')
        .pluck()
        .get(thread.rowid) as number;
      const rows = db
        .prepare(`${MESSAGE_SELECT} WHERE m.thread_rowid = ? ORDER BY m.at, m.rowid LIMIT ? OFFSET ?`)
        .all(thread.rowid, input.limit, input.offset) as MessageRow[];
      return { total, offset: input.offset, items: rows.map(toMessage) };
    },

    /** A draft, in its thread or a new one (about a document or not). */
    addDraft(input: WorkerParsedInput<'messages.add'>): MessageInfo {
      const rowid = db.transaction(() => {
        const at = now();
        let thread: { rowid: number; subject: string };
        if (input.threadId !== undefined) {
          const found = threadRow.get(input.threadId) as { rowid: number; subject: string } | undefined;
          thread = found ?? notFound('thread');
        } else {
          const docRowid = input.documentId !== undefined ? documents.requireRowid(input.documentId) : null;
          const subject = input.subject ?? '';
          thread = { rowid: insertThreadRow(subject, docRowid, at).rowid, subject };
        }
        return insertMessageRow(thread.rowid, thread.subject, {
          from: input.from,
          to: input.to,
          body: input.body,
          state: 'draft',
          read: true,
          classification: input.classification,
          at,
        }).rowid;
      })();
      return toMessage(messageByRowid.get(rowid) as MessageRow);
    },

    /**
     * Stores a message sync sent or received: into the newest thread with the same subject (a
     * conversation), or a new one. In the caller's transaction when there is one.
     */
    addSynced(m: NewMessage & { subject: string; state: 'sent' | 'received' }): MessageInfo {
      const rowid = db.transaction(() => {
        const subject = m.subject.trim() || '—';
        const found = db
          .prepare('SELECT rowid FROM threads WHERE subject = ? ORDER BY last_message_at DESC LIMIT 1')
          .pluck()
          .get(subject) as number | undefined;
        const threadRowid = found ?? insertThreadRow(subject, null, m.at).rowid;
        return insertMessageRow(threadRowid, subject, m).rowid;
      })();
      return toMessage(messageByRowid.get(rowid) as MessageRow);
    },

    /** One message with its thread's subject (for `embassy inbox`). */
    get(id: string): { subject: string; body: string } {
      const r = db
        .prepare(
          'SELECT t.subject, m.body FROM messages m JOIN threads t ON t.rowid = m.thread_rowid WHERE m.id = ?',
        )
        .get(id) as { subject: string; body: string } | undefined;
      return r ?? notFound('message');
    },

    /** A draft's new text and recipients, re-indexed; a sent or received message is refused. */
    updateDraft(input: WorkerParsedInput<'messages.updateDraft'>): MessageInfo {
      const rowid = db.transaction(() => {
        const row = draftRow.get(input.id) as DraftRow | undefined;
        if (!row) notFound('draft');
        const to = input.to ? JSON.stringify(input.to) : row.recipients;
        db.prepare(
          'UPDATE messages SET body = ?, recipients = ?, classification = ?, at = ? WHERE rowid = ?',
        ).run(input.body, to, input.classification ?? row.classification, now(), row.rowid);
        index.remove('message', row.rowid);
        index.add('message', row.rowid, {
          title: row.subject,
          body: input.body,
          parties: [row.sender, ...parties(to)].join(' · '),
        });
        return row.rowid;
      })();
      return toMessage(messageByRowid.get(rowid) as MessageRow);
    },

    /** Deletes a draft, and its thread when the draft was all it held. */
    deleteDraft(input: WorkerParsedInput<'messages.deleteDraft'>): { deleted: true } {
      return db.transaction(() => {
        // Not a draft (sent, received, unknown): refused, as an edit is.
        const row = draftRow.get(input.id) as DraftRow | undefined;
        if (!row) notFound('draft');
        index.remove('message', row.rowid);
        db.prepare('DELETE FROM messages WHERE rowid = ?').run(row.rowid);
        db.prepare(
          'DELETE FROM threads WHERE rowid = ? AND NOT EXISTS (SELECT 1 FROM messages WHERE thread_rowid = ?)',
        ).run(row.thread_rowid, row.thread_rowid);
        return { deleted: true as const };
      })();
    },

    markRead(input: WorkerParsedInput<'messages.markRead'>): { updated: number } {
      const update = db.prepare('UPDATE messages SET read = ? WHERE id = ? AND read != ?');
      const updated = db.transaction(() =>
        input.ids.reduce((n, id) => n + update.run(input.read ? 1 : 0, id, input.read ? 1 : 0).changes, 0),
      )();
      return { updated };
    },
  };
}

export type MessageRecords = ReturnType<typeof createMessageRecords>;
