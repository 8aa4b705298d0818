import type { DocumentVersion, FieldChange } from '../../../shared/contract/vault-calls';
import { metaOf, type DocumentMeta } from './document-meta';
import type { Db } from './repository-rows';

interface VersionRow {
  version: number;
  created_at: string;
  note: string;
  author: string;
  changes: string;
  meta: string | null;
  body: string;
}

/**
 * A document's versions: version 1 when it is registered, one more for each edit that changed
 * something, each with who made it, when, and which fields it changed. A version also keeps
 * the metadata as it was (what an approval signs); versions made before that was kept have
 * none, and `current` rebuilds it from the document row.
 */
export function createDocumentVersions(db: Db) {
  const insert = db.prepare(
    `INSERT INTO document_versions (document_rowid, version, created_at, note, author, changes, meta, body)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const latest = db.prepare(
    `SELECT version, created_at, note, author, changes, meta, body FROM document_versions
     WHERE document_rowid = ? ORDER BY version DESC LIMIT 1`,
  );
  const all = db.prepare(
    `SELECT version, created_at, note, author, changes, meta, body FROM document_versions
     WHERE document_rowid = ? ORDER BY version`,
  );

  return {
    insertFirst(rowid: number, at: string, author: string, meta: DocumentMeta, body: string): void {
      insert.run(rowid, 1, at, 'created', author, '[]', JSON.stringify(metaOf(meta)), body);
    },

    /** The newest version, its number, text and (when kept) metadata. */
    current(rowid: number): { version: number; body: string; meta: DocumentMeta | null } {
      const r = latest.get(rowid) as VersionRow | undefined;
      if (!r) return { version: 1, body: '', meta: null };
      return { version: r.version, body: r.body, meta: r.meta ? (JSON.parse(r.meta) as DocumentMeta) : null };
    },

    append(
      rowid: number,
      version: number,
      at: string,
      author: string,
      meta: DocumentMeta,
      body: string,
      changes: FieldChange[],
    ): void {
      insert.run(
        rowid,
        version,
        at,
        'edited',
        author,
        JSON.stringify(changes),
        JSON.stringify(metaOf(meta)),
        body,
      );
    },

    list(rowid: number): DocumentVersion[] {
      return (all.all(rowid) as VersionRow[]).map((v) => ({
        version: v.version,
        createdAt: v.created_at,
        note: v.note,
        author: v.author,
        changes: JSON.parse(v.changes) as FieldChange[],
        body: v.body,
      }));
    },
  };
}

export type DocumentVersions = ReturnType<typeof createDocumentVersions>;
