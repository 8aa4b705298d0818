import Database from 'better-sqlite3-multiple-ciphers';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DocumentsAddInput } from '../../../shared/contract/vault-calls';
import { MIGRATIONS } from './migrations';
import { configureAndMigrate } from './vault-db';
import { createVaultRepository, type VaultRepository } from './vault-repository';

// The schema on an in-memory database (no key: a unit test of the rules, not of encryption).
let db: InstanceType<typeof Database>;
let repo: VaultRepository;

const add = (input: Partial<ReturnType<typeof DocumentsAddInput.parse>> & { subject: string }) =>
  repo.addDocument(DocumentsAddInput.parse(input));

beforeEach(() => {
  db = new Database(':memory:');
  configureAndMigrate(db);
  repo = createVaultRepository(db);
});
afterEach(() => db.close());

const code = (f: () => unknown): string | undefined => {
  try {
    f();
  } catch (e) {
    return (e as { code?: string }).code;
  }
  return undefined;
};

describe('registers and numbering', () => {
  it('numbers per register and year, the kind’s code at the end', () => {
    const a = add({ subject: 'A', direction: 'outgoing', kind: 'note-verbale', date: '2026-03-01' });
    const b = add({ subject: 'B', direction: 'outgoing', kind: 'report', date: '2026-03-02' });
    const c = add({ subject: 'C', direction: 'incoming', kind: 'cable', date: '2026-03-02' });
    const d = add({ subject: 'D', direction: 'outgoing', kind: 'note-verbale', date: '2027-01-02' });
    expect([a.registryNumber, b.registryNumber, c.registryNumber, d.registryNumber]).toEqual([
      '1/2026/NV',
      '2/2026/BC',
      '1/2026/ĐB',
      '1/2027/NV',
    ]);
    expect(a.status).toBe('draft');
    expect(c.status).toBe('received');
  });

  it('a bulk import of 500 documents allocates 500 distinct numbers in one register', () => {
    const docs = Array.from({ length: 500 }, (_, i) =>
      DocumentsAddInput.parse({ subject: `N${i}`, direction: 'internal', date: '2026-05-05' }),
    );
    repo.bulkImport({ documents: docs, threads: [] });
    const numbers = db.prepare("SELECT number FROM documents WHERE direction = 'internal'").pluck().all();
    expect(new Set(numbers).size).toBe(500);
    expect(Math.max(...(numbers as number[]))).toBe(500);
  });

  it('the unique index refuses a duplicate number even if allocation were bypassed', () => {
    add({ subject: 'A', direction: 'outgoing', date: '2026-01-01' });
    expect(() =>
      db
        .prepare(
          `INSERT INTO documents (id, registry_number, number, number_year, date, direction, classification, status,
             subject, sender, recipients, created_at, updated_at)
           VALUES ('x', '1/2026/VB', 1, 2026, '2026-01-01', 'outgoing', 'unclassified', 'draft', 's', '', '[]', '', '')`,
        )
        .run(),
    ).toThrow(/UNIQUE/);
  });

  it('a document cannot start in a status of the other direction', () => {
    expect(code(() => add({ subject: 'X', direction: 'incoming', status: 'draft' }))).toBe('E_INVALID_INPUT');
  });
});

describe('versions', () => {
  it('each edit is a new version recording who, when and which fields changed', () => {
    const doc = add({
      subject: 'Công hàm',
      direction: 'outgoing',
      kind: 'note-verbale',
      to: ['DFAT'],
      body: 'v1',
    });
    const d2 = repo.updateDocument({
      id: doc.id,
      baseVersion: 1,
      subject: 'Công hàm (sửa)',
      to: ['DFAT', 'HQ'],
      actor: 'Nguyễn Văn A',
    });
    expect(d2.document.version).toBe(2);
    const v2 = d2.versions[1];
    expect(v2?.author).toBe('Nguyễn Văn A');
    expect(v2?.note).toBe('edited');
    expect(v2?.changes).toEqual([
      { field: 'subject', from: 'Công hàm', to: 'Công hàm (sửa)' },
      { field: 'to', from: 'DFAT', to: 'DFAT; HQ' },
    ]);
    expect(d2.versions[0]?.changes).toEqual([]);
    // Nothing changed: no new version.
    expect(
      repo.updateDocument({ id: doc.id, baseVersion: 2, subject: 'Công hàm (sửa)' }).document.version,
    ).toBe(2);
    // A stale edit is refused.
    expect(code(() => repo.updateDocument({ id: doc.id, baseVersion: 1, body: 'x' }))).toBe(
      'E_DOCUMENT_CHANGED',
    );
    // The search index follows the edit.
    expect(repo.search({ query: 'sửa', limit: 10 }).hits.map((h) => h.id)).toContain(doc.id);
  });

  it('changing the kind changes the code of a number of ours', () => {
    const doc = add({ subject: 'R', direction: 'outgoing', kind: 'report', date: '2026-01-01' });
    const d = repo.updateDocument({ id: doc.id, baseVersion: 1, kind: 'note-verbale' });
    expect(d.document.registryNumber).toBe('1/2026/NV');
    expect(d.versions[1]?.changes).toEqual([{ field: 'kind', from: 'report', to: 'note-verbale' }]);
  });
});

describe('workflow', () => {
  it('moves along allowed transitions with history, and refuses the others with a typed error', () => {
    const doc = add({ subject: 'NV', direction: 'outgoing' });
    expect(code(() => repo.transitionDocument({ id: doc.id, to: 'sent', cause: 'officer' }))).toBe(
      'E_TRANSITION_REFUSED',
    );
    expect(code(() => repo.transitionDocument({ id: doc.id, to: 'done', cause: 'officer' }))).toBe(
      'E_TRANSITION_REFUSED',
    );
    const r = repo.transitionDocument({ id: doc.id, to: 'in-review', cause: 'officer', actor: 'A' });
    expect(r.document.status).toBe('in-review');
    expect(r.history).toEqual([
      expect.objectContaining({
        kind: 'status',
        from: 'draft',
        to: 'in-review',
        actor: 'A',
        cause: 'officer',
        version: 1,
      }),
    ]);
    // Approval without a signature over this version is refused.
    expect(code(() => repo.transitionDocument({ id: doc.id, to: 'approved', cause: 'officer' }))).toBe(
      'E_TRANSITION_REFUSED',
    );
    const content = repo.approvalContent(doc.id).content;
    expect(
      code(() =>
        repo.transitionDocument({
          id: doc.id,
          to: 'approved',
          cause: 'officer',
          approval: {
            content: content.replace('"version":1', '"version":2'),
            signature: new Uint8Array([1]),
          },
        }),
      ),
    ).toBe('E_TRANSITION_REFUSED');
    const approved = repo.transitionDocument({
      id: doc.id,
      to: 'approved',
      cause: 'officer',
      approval: { content, signature: new Uint8Array([1, 2, 3]) },
    });
    expect(approved.document.status).toBe('approved');
    expect(approved.approvals).toEqual([{ event: 1, content, signature: new Uint8Array([1, 2, 3]) }]);
    // Approved: no more edits until back to draft.
    expect(code(() => repo.updateDocument({ id: doc.id, baseVersion: 1, body: 'x' }))).toBe(
      'E_DOCUMENT_NOT_EDITABLE',
    );
    expect(repo.transitionDocument({ id: doc.id, to: 'signed', cause: 'signing' }).document.status).toBe(
      'signed',
    );
    expect(repo.transitionDocument({ id: doc.id, to: 'sent', cause: 'sending' }).document.status).toBe(
      'sent',
    );
    // Only a receipt acknowledges.
    expect(code(() => repo.transitionDocument({ id: doc.id, to: 'acknowledged', cause: 'officer' }))).toBe(
      'E_TRANSITION_REFUSED',
    );
    expect(
      repo.transitionDocument({ id: doc.id, to: 'acknowledged', cause: 'receipt' }).document.status,
    ).toBe('acknowledged');
  });

  it('incoming: received → registered → being handled → done; never sent', () => {
    const doc = add({ subject: 'In', direction: 'incoming' });
    expect(code(() => repo.transitionDocument({ id: doc.id, to: 'sent', cause: 'sending' }))).toBe(
      'E_TRANSITION_REFUSED',
    );
    for (const to of ['registered', 'being-handled', 'done'] as const) {
      expect(repo.transitionDocument({ id: doc.id, to, cause: 'officer' }).document.status).toBe(to);
    }
    expect(repo.getDocument(doc.id).history.map((e) => e.to)).toEqual([
      'registered',
      'being-handled',
      'done',
    ]);
  });
});

describe('archive', () => {
  it('hides from the default list, shows under the archived filter, and undo restores it', () => {
    const a = add({ subject: 'Keep', direction: 'internal' });
    const b = add({ subject: 'Archive me', direction: 'internal' });
    const list = (archived: boolean) =>
      repo
        .listDocuments({ archived, sort: 'date', order: 'desc', offset: 0, limit: 100 })
        .items.map((d) => d.id);
    expect(repo.archiveDocument({ id: b.id, archived: true }).archived).toBe(true);
    expect(list(false)).toEqual([a.id]);
    expect(list(true)).toEqual([b.id]);
    repo.archiveDocument({ id: b.id, archived: false });
    expect(list(false).sort()).toEqual([a.id, b.id].sort());
    expect(repo.getDocument(b.id).history.map((e) => e.kind)).toEqual(['archived', 'restored']);
  });
});

describe('migration 15', () => {
  it('keeps documents of an older vault readable: statuses mapped, versions and attachments kept', () => {
    const old = new Database(':memory:');
    old.pragma('foreign_keys = ON');
    for (let v = 0; v < 14; v++) old.exec(MIGRATIONS[v] as string);
    old.pragma('user_version = 14');
    old.exec(`INSERT INTO documents (id, registry_number, date, direction, classification, status, subject, sender,
        recipients, created_at, updated_at) VALUES
        ('out', '2026/00012', '2026-01-01', 'outgoing', 'secret', 'signed', 'Out', 'me', '["you"]', 't', 't'),
        ('in', '2026/00013', '2026-01-02', 'incoming', 'unclassified', 'sent', 'In', 'you', '["me"]', 't', 't');
      INSERT INTO document_versions (document_rowid, version, created_at, note, body) VALUES (1, 1, 't', 'created', 'body');
      INSERT INTO attachments (id, document_rowid, name, media_type, size, sha256, chunk_size, created_at)
        VALUES ('att', 1, 'a.pdf', 'application/pdf', 0, '', 0, 't');`);
    configureAndMigrate(old);
    const r = createVaultRepository(old);
    const out = r.getDocument('out');
    expect(out.document).toMatchObject({
      registryNumber: '2026/00012',
      status: 'signed',
      kind: 'other',
      version: 1,
    });
    expect(out.versions[0]).toMatchObject({ body: 'body', author: '', changes: [] });
    expect(out.attachments.map((a) => a.name)).toEqual(['a.pdf']);
    expect(r.getDocument('in').document.status).toBe('received');
    // New numbers start at 1 in their register: old numbers were not ours to continue.
    expect(
      r.addDocument(DocumentsAddInput.parse({ subject: 'N', direction: 'outgoing', date: '2026-02-01' }))
        .registryNumber,
    ).toBe('1/2026/VB');
    old.close();
  });
});
