import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Core } from '../../electron/core';
import { makeDocx, makeOdt, odtContentXml, officeBomb } from '../fixtures/office-files';
import { call, must, PASSPHRASE, vaultCore } from './vault-harness';

/**
 * Search that shows context (issue 16, item 8), through the contract with every real part:
 * the vault worker, FTS5 and the PDF sandbox process, which reads .txt, .docx and .odt
 * attachments as it reads PDFs. Crafted office files (zip bombs, a broken zip, a DTD with
 * entities) are stored but give no text, and neither the sandbox nor the vault falls over.
 */
let core: Core;

beforeAll(async () => {
  ({ core } = vaultCore('embassy-search-'));
  await must(core, 'vault.create', { profile: 'passphrase', passphrase: PASSPHRASE });
}, 60_000);
afterAll(async () => {
  await core.vault.dispose();
});

const bytes = (b: Uint8Array) => ({ kind: 'bytes' as const, base64: Buffer.from(b).toString('base64') });

async function documentWith(subject: string, classification: 'confidential' | 'secret' | 'unclassified') {
  return must(core, 'documents.add', {
    subject,
    classification,
    registryNumber: `${subject.length}/2026/NV`,
    body: 'kèm theo',
  });
}

describe('attachment text in search', () => {
  it('finds words of .docx, .odt and .txt attachments, each hit with its document and marking', async () => {
    const doc = await documentWith('Công hàm gia hạn thị thực', 'confidential');
    const docx = await must(core, 'attachments.add', {
      documentId: doc.id,
      source: bytes(makeDocx(['Đề nghị gia hạn cho ông Nguyễn Văn Quýt', 'kangaroo'])),
      name: 'cong-ham.docx',
    });
    const odt = await must(core, 'attachments.add', {
      documentId: doc.id,
      source: bytes(makeOdt('<text:p>Biên bản <text:span>wombat</text:span> họp</text:p>')),
      name: 'bien-ban.odt',
    });
    const txt = await must(core, 'attachments.add', {
      documentId: doc.id,
      source: bytes(Buffer.from('Ghi chú: echidna đã đến.', 'utf8')),
      name: 'ghi-chu.txt',
    });
    expect([docx, odt, txt].map((a) => a.textIndexed)).toEqual([true, true, true]);
    expect(odt.mediaType).toBe('application/vnd.oasis.opendocument.text');

    const context = {
      id: doc.id,
      subject: 'Công hàm gia hạn thị thực',
      registryNumber: doc.registryNumber,
      classification: 'confidential',
    };
    for (const [query, attachment] of [
      ['quyt kangaroo', docx],
      ['wombat', odt],
      ['echidna', txt],
    ] as const) {
      const { hits } = await must(core, 'search', { query });
      expect(hits).toHaveLength(1);
      expect(hits[0]).toMatchObject({
        kind: 'attachment',
        id: attachment.id,
        documentId: doc.id,
        title: attachment.name,
        document: context,
        classification: 'confidential',
      });
      expect(hits[0]?.snippet.some((s) => s.hit)).toBe(true);
    }
    // The document's own hit carries the same context.
    const own = (await must(core, 'search', { query: 'thi thuc', kinds: ['document'] })).hits[0];
    expect(own).toMatchObject({ kind: 'document', document: context, classification: 'confidential' });
  }, 60_000);

  it('stores crafted office files without text: zip bombs, a broken .docx, a DTD in an .odt', async () => {
    const doc = await documentWith('Tệp lạ', 'unclassified');
    const good = makeDocx(['platypus']);
    const crafted: [string, Uint8Array][] = [
      ['bomb.docx', officeBomb('docx')],
      ['bomb.odt', officeBomb('odt')],
      ['broken.docx', good.subarray(0, Buffer.from(good).indexOf('word/document.xml') + 40)],
      [
        'entities.odt',
        makeOdt([], {
          'content.xml': Buffer.from(
            odtContentXml(
              '<text:p>numbat &xxe; &lol;</text:p>',
              '<!DOCTYPE d [<!ENTITY xxe SYSTEM "file:///etc/passwd"><!ENTITY lol "numbat numbat">]>',
            ),
          ),
        }),
      ],
    ];
    const started = performance.now();
    for (const [name, file] of crafted) {
      const info = await must(core, 'attachments.add', { documentId: doc.id, source: bytes(file), name });
      expect(info).toMatchObject({ name, size: file.length, textIndexed: false });
    }
    // Bounded: all four within the sandbox's per-file timeout (no E_PDF_TIMEOUT below), and fast.
    expect(performance.now() - started).toBeLessThan(60_000);
    expect((await must(core, 'search', { query: 'numbat' })).hits).toEqual([]);
    expect((await must(core, 'search', { query: 'root' })).hits).toEqual([]);
    // The sandbox answered each (no crash, no timeout), and it still reads the next file.
    expect(core.pdfSandboxStats()).toMatchObject({ crashes: 0, timeouts: 0 });
    const after = await must(core, 'attachments.add', {
      documentId: doc.id,
      source: bytes(good),
      name: 'ok.docx',
    });
    expect(after.textIndexed).toBe(true);
    expect((await must(core, 'search', { query: 'platypus' })).hits.map((h) => h.id)).toEqual([after.id]);
  }, 120_000);
});

describe('hits are distinct', () => {
  it('lists one message once, even when the vault holds two copies of it', async () => {
    const first = await must(core, 'messages.add', {
      subject: 'Lịch họp quokka',
      body: 'Họp lúc 9 giờ, phòng quokka.',
    });
    const copy = await must(core, 'messages.add', { threadId: first.threadId, body: first.body });
    const other = await must(core, 'messages.add', { threadId: first.threadId, body: 'Đổi sang phòng 2.' });
    const { hits } = await must(core, 'search', { query: 'quokka', kinds: ['message'] });
    expect(hits).toHaveLength(2);
    const ids = hits.map((h) => h.id);
    expect(ids).toContain(other.id);
    expect(ids.filter((id) => id === first.id || id === copy.id)).toHaveLength(1);
    expect(hits[0]).toMatchObject({
      threadId: first.threadId,
      document: null,
      classification: 'unclassified',
    });
  });
});

describe('a marking per message', () => {
  it("a message hit carries the message's own marking, or its document's when that is higher", async () => {
    const secret = await must(core, 'messages.add', {
      subject: 'Mật mã tuần sau',
      body: 'Khoá mới: axolotl.',
      classification: 'secret',
    });
    expect(secret.classification).toBe('secret');
    const doc = await documentWith('Hồ sơ mật', 'secret');
    const aboutDoc = await must(core, 'messages.add', {
      subject: 'Về hồ sơ',
      documentId: doc.id,
      body: 'Đã đọc, capybara.',
      classification: 'confidential',
    });
    const hit = async (query: string) => (await must(core, 'search', { query, kinds: ['message'] })).hits[0];
    expect(await hit('axolotl')).toMatchObject({ id: secret.id, classification: 'secret' });
    expect(await hit('capybara')).toMatchObject({ id: aboutDoc.id, classification: 'secret' });
    // A draft's marking changes with its edit, and its thread shows the highest of its messages.
    const lowered = await must(core, 'messages.updateDraft', {
      id: secret.id,
      body: 'Khoá mới: axolotl.',
      classification: 'confidential',
    });
    expect(lowered.classification).toBe('confidential');
    expect(await hit('axolotl')).toMatchObject({ classification: 'confidential' });
    await must(core, 'messages.add', {
      threadId: secret.threadId,
      body: 'Thêm: tuatara.',
      classification: 'top-secret',
    });
    const thread = (await must(core, 'messages.threads', {})).items.find((t) => t.id === secret.threadId);
    expect(thread?.classification).toBe('top-secret');
    // An unknown marking is refused at the boundary.
    const bad = await call(core, 'messages.add', {
      subject: 'x',
      body: 'y',
      classification: 'cosmic',
    } as never);
    expect(bad).toMatchObject({ ok: false, error: { code: 'E_INVALID_INPUT' } });
  });
});

describe('drafts are editable and deletable', () => {
  it('an edited draft is found by its new text only; a deleted one is gone with its empty thread', async () => {
    const draft = await must(core, 'messages.add', { subject: 'Bản nháp wallaby', body: 'lần đầu dingo' });
    const edited = await must(core, 'messages.updateDraft', {
      id: draft.id,
      body: 'lần hai bilby',
      to: ['binh.tran@hq.example'],
    });
    expect(edited).toMatchObject({ id: draft.id, body: 'lần hai bilby', to: ['binh.tran@hq.example'] });
    expect((await must(core, 'search', { query: 'dingo' })).hits).toEqual([]);
    expect((await must(core, 'search', { query: 'bilby' })).hits.map((h) => h.id)).toEqual([draft.id]);

    expect(await must(core, 'messages.deleteDraft', { id: draft.id })).toEqual({ deleted: true });
    expect((await must(core, 'search', { query: 'bilby' })).hits).toEqual([]);
    const threads = (await must(core, 'messages.threads', {})).items;
    expect(threads.some((t) => t.id === draft.threadId)).toBe(false);
    // Twice, or an id that is not a draft: nothing happens, nothing is edited.
    expect(await call(core, 'messages.deleteDraft', { id: draft.id })).toMatchObject({
      ok: false,
      error: { code: 'E_NOT_FOUND' },
    });
    const r = await call(core, 'messages.updateDraft', { id: draft.id, body: 'x' });
    expect(r).toMatchObject({ ok: false, error: { code: 'E_NOT_FOUND' } });
  });
});
