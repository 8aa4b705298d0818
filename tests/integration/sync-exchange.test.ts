import { createHash, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SoftHsmToken } from '../fixtures/softhsm';
import { call, must, pdfWithText } from './vault-harness';
import {
  canaryHits,
  enroll,
  makeOfficers,
  newOfficer,
  startSyncRelay,
  type Officer,
  type TestRelayServer,
} from './sync-harness';

/**
 * A full exchange between a mission officer and an HQ officer, each on a real SoftHSM token
 * with a token-bound vault, through the project's relay on loopback: enrolment (approved by the
 * trusted CA), prekeys, the HQ-signed directory, a message and a document with attachments both
 * ways, exactly once; then no canary (titles, text, attachment bytes, PDF text, document
 * parties) anywhere in the relay's data directory or log.
 */

const run = randomBytes(4).toString('hex');
const CANARY = {
  title: `CANARY-TITLE-${run}-Công hàm`,
  text: `CANARY-TEXT-${run}-hợp đồng bảo mật`,
  reply: `CANARY-REPLY-${run}-đã nhận`,
  attachment: `CANARY-ATTACHMENT-${run}`,
  pdf: `CANARY-PDF-${run}`,
  docTitle: `CANARY-DOC-${run}-Điện mật`,
  partyFrom: `CANARY-FROM-${run}-Vụ Lãnh sự`,
  partyTo: `CANARY-TO-${run}-Đại sứ quán`,
  messageFile: `CANARY-MESSAGE-FILE-${run}`,
};

let tokens: SoftHsmToken[];
let rootPath: string;
let hq: TestRelayServer;
let mission: Officer;
let hqOfficer: Officer;

beforeAll(async () => {
  ({ tokens, rootPath } = await makeOfficers([
    { name: 'Nguyen Van An', email: 'an.nguyen@mission.example', label: 'mission-an' },
    { name: 'Tran Thi Binh', email: 'binh.tran@hq.example', label: 'hq-binh' },
  ]));
  hq = await startSyncRelay(rootPath);
  mission = await newOfficer(tokens[0] as SoftHsmToken, 'Nguyen Van An', 'an.nguyen@mission.example');
  hqOfficer = await newOfficer(tokens[1] as SoftHsmToken, 'Tran Thi Binh', 'binh.tran@hq.example');
}, 180_000);

afterAll(async () => {
  for (const o of [mission, hqOfficer]) await o?.core.close();
  await hq?.relay.close();
  for (const t of tokens ?? []) await t.cleanup();
});

describe('sync: a full exchange', () => {
  it('enrols both officers with token signatures (auto-approved by the trusted CA)', async () => {
    for (const o of [mission, hqOfficer]) {
      const s = await enroll(o, hq.relay);
      expect(s.enrolment).toBe('approved');
      expect(s.deviceId).toMatch(/^[0-9a-f]{32}$/);
      expect(s.hq?.fingerprint).toBe(hq.relay.fingerprint);
    }
    // First rounds publish each device's prekey; the second sees the other's in the directory.
    for (const o of [mission, hqOfficer, mission, hqOfficer]) await must(o.core, 'sync.now', {});
    const dir = await must(mission.core, 'sync.directory', {});
    const binh = dir.officers.find((o) => o.address === 'binh.tran@hq.example');
    expect(binh).toMatchObject({ name: 'Tran Thi Binh', department: 'Consular', reachable: true });
    expect((await must(mission.core, 'sync.status', {})).address).toBe('an.nguyen@mission.example');
  }, 120_000);

  it('refuses to enrol against a relay whose certificate is not the pinned one', async () => {
    const r = await call(mission.core, 'sync.enroll', {
      hqUrl: hq.relay.url,
      fingerprint: 'ab'.repeat(32),
      token: { label: mission.token.label },
      pin: mission.token.pin,
    });
    expect(r).toMatchObject({ ok: false });
  }, 60_000);

  it('delivers a message and a document with attachments exactly once, both ways', async () => {
    const blob = Buffer.concat([Buffer.from(CANARY.attachment), randomBytes(300 * 1024)]);
    const pdf = await pdfWithText([CANARY.pdf, 'Cong ham gui Bo Ngoai giao']);
    const doc = await must(mission.core, 'documents.add', {
      subject: CANARY.docTitle,
      direction: 'outgoing',
      classification: 'confidential',
      body: CANARY.text,
      from: CANARY.partyFrom,
      to: [CANARY.partyTo],
    });
    await must(mission.core, 'attachments.add', {
      documentId: doc.id,
      name: 'canary.bin',
      source: { kind: 'bytes', base64: blob.toString('base64') },
    });
    await must(mission.core, 'attachments.add', {
      documentId: doc.id,
      name: 'cong-ham.pdf',
      source: { kind: 'bytes', base64: Buffer.from(pdf).toString('base64') },
    });

    const sentMsg = await must(mission.core, 'sync.send', {
      kind: 'message',
      to: ['binh.tran@hq.example'],
      title: CANARY.title,
      text: CANARY.text,
    });
    const sentDoc = await must(mission.core, 'sync.send', {
      kind: 'document',
      to: ['binh.tran@hq.example'],
      documentId: doc.id,
    });
    expect(sentMsg.items).toHaveLength(1);
    expect(sentDoc.items[0]).toMatchObject({ state: 'queued', recipientAddress: 'binh.tran@hq.example' });
    expect((await must(mission.core, 'sync.status', {})).pending.count).toBe(2);

    await must(mission.core, 'sync.now', {});
    expect(mission.core.sync.lastRound()).toMatchObject({ sent: 2, errors: [] });
    const outbox = await must(mission.core, 'sync.outbox', {});
    expect(outbox.items.every((i) => i.state === 'sent')).toBe(true);

    const before = (await must(hqOfficer.core, 'sync.status', {})).inboxVersion;
    await must(hqOfficer.core, 'sync.now', {});
    expect(hqOfficer.core.sync.lastRound()).toMatchObject({ received: 2, rejected: 0, errors: [] });
    expect((await must(hqOfficer.core, 'sync.status', {})).inboxVersion).toBe(before + 2);
    // Both items stored: no download (ciphertext) is left in the vault.
    expect((await hqOfficer.core.vault.run('sync.downloads', {})).items).toEqual([]);

    const inbox = (await hqOfficer.core.vault.run('sync.received', { limit: 10 })).items;
    const msg = inbox.find((i) => i.kind === 'message');
    expect(msg).toMatchObject({
      title: CANARY.title,
      text: CANARY.text,
      sender: 'an.nguyen@mission.example',
    });
    const got = inbox.find((i) => i.kind === 'document');
    expect(got?.title).toBe(CANARY.docTitle);
    expect(got?.attachments.map((a) => a.name).sort()).toEqual(['canary.bin', 'cong-ham.pdf']);
    expect(got?.attachments.find((a) => a.name === 'canary.bin')?.sha256).toBe(
      createHash('sha256').update(blob).digest('hex'),
    );
    const detail = await must(hqOfficer.core, 'documents.get', { id: got?.recordId ?? '' });
    expect(detail.document).toMatchObject({
      // The document's own date travels with it (not the arrival time).
      date: doc.date,
      direction: 'incoming',
      classification: 'confidential',
      from: CANARY.partyFrom,
      to: [CANARY.partyTo],
      unread: true,
    });
    // Unread until opened, kept in the vault: the list says so, and opening (markRead) clears it.
    const listed = async () =>
      (await must(hqOfficer.core, 'documents.list', { limit: 50 })).items.find((d) => d.id === got?.recordId);
    expect((await listed())?.unread).toBe(true);
    const id = got?.recordId ?? '';
    expect(await must(hqOfficer.core, 'documents.markRead', { ids: [id] })).toEqual({ updated: 1 });
    expect(await must(hqOfficer.core, 'documents.markRead', { ids: [id] })).toEqual({ updated: 0 });
    expect((await listed())?.unread).toBe(false);
    // What the officer wrote and sent is never unread on their side.
    const sentDocs = (await must(mission.core, 'documents.list', { limit: 50 })).items;
    expect(sentDocs.length).toBeGreaterThan(0);
    expect(sentDocs.every((d) => !d.unread)).toBe(true);
    // The PDF's text is searchable on the receiving side.
    const hits = await must(hqOfficer.core, 'search', { query: CANARY.pdf });
    expect(hits.hits.length).toBeGreaterThan(0);

    // Exactly once: another round receives nothing more.
    await must(hqOfficer.core, 'sync.now', {});
    expect(hqOfficer.core.sync.lastRound()).toMatchObject({ received: 0, duplicates: 0 });

    // And back: HQ replies; the mission receives it once.
    await must(hqOfficer.core, 'sync.send', {
      kind: 'message',
      to: ['an.nguyen@mission.example'],
      title: CANARY.title,
      text: CANARY.reply,
    });
    await must(hqOfficer.core, 'sync.now', {});
    await must(mission.core, 'sync.now', {});
    expect(mission.core.sync.lastRound()).toMatchObject({ received: 1 });
    const back = (await mission.core.vault.run('sync.received', { limit: 10 })).items;
    expect(back).toHaveLength(1);
    expect(back[0]).toMatchObject({ text: CANARY.reply, sender: 'binh.tran@hq.example' });
  }, 180_000);

  it('delivers a Secret message with a file; the file leaves the receiving vault only confirmed, and is recorded', async () => {
    const fileBytes = Buffer.concat([Buffer.from(CANARY.messageFile), randomBytes(100 * 1024)]);
    const staged = await must(mission.core, 'messages.files.add', {
      name: 'danh-sach.bin',
      base64: fileBytes.toString('base64'),
    });
    // Unsent, it is no message's file: it cannot be exported.
    const early = await call(mission.core, 'export.messageFile', { fileId: staged.id, channel: 'print' });
    expect(early.ok ? 'ok' : early.error.code).toBe('E_NOT_FOUND');
    await must(mission.core, 'sync.send', {
      kind: 'message',
      to: ['binh.tran@hq.example'],
      title: 'Danh sách mật',
      text: 'Kèm danh sách.',
      classification: 'secret',
      confirmedMarking: 'secret',
      fileIds: [staged.id],
    });
    await must(mission.core, 'sync.now', {});
    await must(hqOfficer.core, 'sync.now', {});
    expect(hqOfficer.core.sync.lastRound()).toMatchObject({ received: 1, rejected: 0 });
    const thread = (await must(hqOfficer.core, 'messages.threads', {})).items.find(
      (t) => t.subject === 'Danh sách mật',
    );
    expect(thread?.classification).toBe('secret');
    const [received] = (await must(hqOfficer.core, 'messages.list', { threadId: thread?.id ?? '' })).items;
    expect(received).toMatchObject({ classification: 'secret', state: 'received' });
    const file = received?.files[0];
    expect(file).toMatchObject({ name: 'danh-sach.bin', size: fileBytes.length });
    const fileId = file?.id ?? '';

    const refused = await call(hqOfficer.core, 'export.messageFile', { fileId, channel: 'save' });
    expect(refused.ok ? 'ok' : refused.error.code).toBe('E_MARKING_UNCONFIRMED');
    const out = await must(hqOfficer.core, 'export.messageFile', {
      fileId,
      channel: 'save',
      confirmedMarking: 'secret',
    });
    expect(out).toEqual({ outcome: 'deliver', marking: 'secret', fileName: 'danh-sach.bin' });
    const chunks: Buffer[] = [];
    for (let offset = 0; offset < fileBytes.length;) {
      const c = await must(hqOfficer.core, 'messages.files.read', { id: fileId, offset });
      const b = Buffer.from(c.base64, 'base64');
      chunks.push(b);
      offset += b.length;
      if (c.eof) break;
    }
    expect(Buffer.concat(chunks).equals(fileBytes)).toBe(true);
    const log = (await must(hqOfficer.core, 'audit.list', { limit: 20 })).entries;
    expect(log.find((e) => e.kind === 'document.export-refused')?.refs).toMatchObject({
      messageId: received?.id,
      attachmentId: fileId,
      marking: 'secret',
    });
    expect(log.find((e) => e.kind === 'document.exported')?.refs).toMatchObject({
      messageId: received?.id,
      attachmentId: fileId,
      marking: 'secret',
      channel: 'save',
    });
  }, 120_000);

  it('sends a backlog larger than one outbox page (200) in one round', async () => {
    const n = 205;
    for (let i = 0; i < n; i++) {
      await must(mission.core, 'sync.send', {
        kind: 'message',
        to: ['binh.tran@hq.example'],
        title: `Tồn đọng ${i}`,
        text: `Công văn tồn đọng số ${i}`,
      });
    }
    await must(mission.core, 'sync.now', {});
    expect(mission.core.sync.lastRound()).toMatchObject({ sent: n, pending: 0, errors: [] });
    await must(hqOfficer.core, 'sync.now', {});
    expect(hqOfficer.core.sync.lastRound()).toMatchObject({ received: n, rejected: 0, errors: [] });
  }, 120_000);

  it("leaves no canary in the relay's data directory or log", async () => {
    const hits = canaryHits(hq.dataDir, Object.values(CANARY), hq.logs);
    expect(hits).toEqual([]);
    // The scan does find a canary that is there (it is not blind).
    expect(canaryHits(hq.dataDir, [CANARY.title], [`planted ${CANARY.title}`])).toEqual([
      `${CANARY.title} in log#0`,
    ]);
  });
});
