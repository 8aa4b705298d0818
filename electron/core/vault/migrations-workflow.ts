import { DOCUMENT_KINDS } from '../../../shared/domain/document-kinds';
import { DOCUMENT_STATUSES } from '../../../shared/domain/document';

const list = (values: readonly string[]) => values.map((v) => `'${v}'`).join(', ');

/**
 * Vault schema versions 15 on, continuing `ACCOUNTABILITY_MIGRATIONS` (same rules: append only,
 * one transaction each): documents as an e-office keeps them: kinds and numbers per register
 * and year, the processing workflow's statuses and history, versions that say who changed
 * what, archiving.
 */
export const WORKFLOW_MIGRATIONS: readonly string[] = [
  /* 15: registers and numbering, workflow statuses, versions with author and changes, events */ `
  -- The kind (note verbale, cable…) whose code ends the registry number.
  ALTER TABLE documents ADD COLUMN kind TEXT NOT NULL DEFAULT 'other'
    CHECK (kind IN (${list(DOCUMENT_KINDS)}));
  -- The number in its register (the direction) and year; NULL for numbers given from outside
  -- (a received document's own, and every document registered before this version).
  ALTER TABLE documents ADD COLUMN number_year INTEGER;
  ALTER TABLE documents ADD COLUMN number INTEGER;
  CREATE UNIQUE INDEX documents_by_number ON documents (direction, number_year, number)
    WHERE number IS NOT NULL;
  -- Archived documents leave the default list (and come back with undo).
  ALTER TABLE documents ADD COLUMN archived_at TEXT;

  -- The status list grows (approved; received, registered, being-handled, done). A column's
  -- CHECK cannot change in place and rebuilding the table would cascade-delete its versions
  -- and attachments, so the column is replaced: a new one, copied, the old one dropped. A
  -- received document used to be stored as 'sent' (and read "Sent"): it becomes 'received'.
  ALTER TABLE documents ADD COLUMN status_next TEXT NOT NULL DEFAULT 'draft'
    CHECK (status_next IN (${list(DOCUMENT_STATUSES)}));
  UPDATE documents SET status_next = CASE
    WHEN direction = 'incoming' THEN 'received'
    ELSE status END;
  DROP INDEX documents_by_status;
  ALTER TABLE documents DROP COLUMN status;
  ALTER TABLE documents RENAME COLUMN status_next TO status;
  CREATE INDEX documents_by_status ON documents (status, date, rowid);

  -- Who made each version and what it changed (JSON [{field, from, to}]); the metadata as it
  -- was at that version (canonical JSON), which an approval signs.
  ALTER TABLE document_versions ADD COLUMN author TEXT NOT NULL DEFAULT '';
  ALTER TABLE document_versions ADD COLUMN changes TEXT NOT NULL DEFAULT '[]';
  ALTER TABLE document_versions ADD COLUMN meta TEXT;

  -- The document's history: status changes, archiving, approvals (with the approver's CMS
  -- signature over the version's canonical encoding).
  CREATE TABLE document_events (
    rowid INTEGER PRIMARY KEY,
    document_rowid INTEGER NOT NULL REFERENCES documents (rowid) ON DELETE CASCADE,
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('status', 'archived', 'restored')),
    from_status TEXT,
    to_status TEXT,
    cause TEXT,
    version INTEGER,
    -- An approval: the canonical encoding the approver signed, and the CMS signature over it.
    signed_content TEXT,
    signature BLOB
  );
  CREATE INDEX document_events_by_document ON document_events (document_rowid, rowid);
  `,
];
