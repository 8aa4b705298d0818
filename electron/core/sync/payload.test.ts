import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { flip, must } from '../../../tests/helpers/must';
import { EnvelopeError } from './envelope';
import { decodePayload, encodePayload, MAX_TEXT_BYTES, type SyncPayload } from './payload';

function firstAttachment(meta: Record<string, unknown>): Record<string, unknown> {
  return must((meta.attachments as Record<string, unknown>[])[0]);
}

const doc: SyncPayload = {
  kind: 'document',
  title: 'Công văn số 123/ĐSQ-VP về việc gia hạn hợp đồng thuê nhà',
  text: 'Kính gửi: Bộ Ngoại giao.\nĐại sứ quán trân trọng đề nghị… Hợp đồng tại Đà Nẵng.',
  sentAt: Date.UTC(2025, 0, 6, 9, 30),
  senderAddress: 'van.thu@dsq.example.vn',
  senderName: 'Nguyễn Thị Hằng',
  classification: 'confidential',
  registryNumber: '123/ĐSQ-VP',
  documentKind: 'official-letter',
  documentDate: '2025-01-05',
  attachments: [
    {
      name: 'cong-van-123.pdf',
      mediaType: 'application/pdf',
      bytes: new Uint8Array([37, 80, 68, 70, 1, 2, 3]),
    },
    {
      name: 'hợp đồng.docx.p7s',
      mediaType: 'application/pkcs7-signature',
      bytes: new Uint8Array(1000).fill(9),
    },
    { name: 'empty.txt', mediaType: 'text/plain', bytes: new Uint8Array(0) },
  ],
};

const message: SyncPayload = {
  kind: 'message',
  title: 'Lịch họp tuần',
  text: 'Chào anh, cuộc họp dời sang thứ Năm. Trân trọng.',
  sentAt: Date.UTC(2025, 0, 7),
  senderAddress: 'tham.tan@dsq.example.vn',
  senderName: 'Trần Văn Đức',
  threadSubject: 'Họp giao ban',
};

function malformed(bytes: Uint8Array): void {
  let error: unknown;
  try {
    decodePayload(bytes);
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(EnvelopeError);
  expect((error as EnvelopeError).code).toBe('E_ENVELOPE_MALFORMED');
}

/** Re-encode with a modified meta (and optionally other trailing bytes). */
function withMeta(
  bytes: Uint8Array,
  edit: (meta: Record<string, unknown>) => void,
  tail?: Uint8Array,
): Uint8Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset);
  const length = view.getUint32(0);
  const meta = JSON.parse(Buffer.from(bytes.subarray(4, 4 + length)).toString('utf8')) as Record<
    string,
    unknown
  >;
  edit(meta);
  const json = Buffer.from(JSON.stringify(meta), 'utf8');
  const head = Buffer.alloc(4);
  head.writeUInt32BE(json.length);
  return new Uint8Array(Buffer.concat([head, json, tail ?? bytes.subarray(4 + length)]));
}

describe('payload codec', () => {
  it('round-trips a document with attachments and Vietnamese text', () => {
    const bytes = encodePayload(doc);
    expect(decodePayload(bytes)).toEqual(doc);
    expect(encodePayload(doc)).toEqual(bytes); // deterministic
  });

  it('round-trips a message, with and without a thread subject', () => {
    expect(decodePayload(encodePayload(message))).toEqual(message);
    const bare = { ...message } as Extract<SyncPayload, { kind: 'message' }>;
    delete bare.threadSubject;
    expect(decodePayload(encodePayload(bare))).toEqual(bare);
  });

  it("carries a message's files after its meta, each checked; too many or too large is malformed", () => {
    const files = {
      ...message,
      attachments: [
        { name: 'lịch.txt', mediaType: 'text/plain', bytes: new Uint8Array([1, 2, 3]) },
        { name: 'scan.pdf', mediaType: 'application/pdf', bytes: new Uint8Array(5000).fill(7) },
      ],
    };
    const bytes = encodePayload(files);
    expect(decodePayload(bytes)).toEqual(files);
    const tampered = Uint8Array.from(bytes);
    flip(tampered, tampered.length - 1, 1);
    malformed(tampered);
    malformed(withMeta(bytes, (m) => (m.attachments = [])));
    const one = (m: Record<string, unknown>) => (m.attachments as unknown[])[0];
    malformed(withMeta(bytes, (m) => (m.attachments = Array.from({ length: 11 }, () => one(m)))));
    malformed(withMeta(bytes, (m) => ((one(m) as { size: number }).size = 2 * 1024 * 1024 + 1)));
    expect(() =>
      encodePayload({
        ...files,
        attachments: [{ ...must(files.attachments[0]), bytes: new Uint8Array(2 * 1024 * 1024 + 1) }],
      }),
    ).toThrow(EnvelopeError);
  });

  it("carries a message's marking; an unknown marking is malformed", () => {
    const marked = { ...message, classification: 'top-secret' as const };
    expect(decodePayload(encodePayload(marked))).toEqual(marked);
    malformed(withMeta(encodePayload(marked), (m) => (m.classification = 'cosmic')));
    malformed(withMeta(encodePayload(marked), (m) => (m.classification = null)));
  });

  it('keeps decomposed Unicode as sent (no silent normalisation)', () => {
    const nfd = { ...message, text: 'Hợp đồng'.normalize('NFD') };
    expect((decodePayload(encodePayload(nfd)) as typeof nfd).text).toBe(nfd.text);
  });

  it('refuses attachment sizes that do not add up', () => {
    const bytes = encodePayload(doc);
    malformed(bytes.subarray(0, bytes.length - 1));
    malformed(new Uint8Array([...bytes, 0]));
    malformed(
      withMeta(bytes, (m) => {
        firstAttachment(m).size = Number(firstAttachment(m).size) + 1;
      }),
    );
    malformed(
      withMeta(bytes, (m) => {
        const a = m.attachments as { size: number }[];
        must(a[0]).size += 1;
        must(a[1]).size -= 1; // total still right, boundaries wrong: digests catch it
      }),
    );
  });

  it('refuses a tampered attachment or digest', () => {
    const bytes = encodePayload(doc);
    const tampered = bytes.slice();
    flip(tampered, tampered.length - 10, 1);
    malformed(tampered);
    malformed(
      withMeta(bytes, (m) => {
        firstAttachment(m).sha256 = createHash('sha256').update('x').digest('hex');
      }),
    );
  });

  it('refuses extra or missing JSON fields, wrong types and out-of-range values', () => {
    const bytes = encodePayload(doc);
    const edits: ((m: Record<string, unknown>) => void)[] = [
      (m) => (m.extra = 1),
      (m) => (firstAttachment(m).path = '/etc/passwd'),
      (m) => delete m.registryNumber,
      (m) => (m.classification = 'cosmic'),
      (m) => (m.documentKind = 'memo'),
      (m) => (m.documentDate = 'yesterday'),
      (m) => (m.documentDate = '2025-01-05T10:00:00+07:00'),
      (m) => (m.kind = 'memo'),
      (m) => (m.sentAt = '2025-01-06'),
      (m) => (m.sentAt = -1),
      (m) => (m.title = 'x'.repeat(513)),
      (m) => (m.senderName = 'x'.repeat(256)),
      (m) => (firstAttachment(m).name = '../../evil.pdf'),
      (m) => (firstAttachment(m).name = 'a\u0000b'),
      (m) => (firstAttachment(m).name = 'x'.repeat(256)),
      (m) => (firstAttachment(m).mediaType = 'pdf'),
      (m) => (m.attachments = Array.from({ length: 65 }, () => (m.attachments as unknown[])[2])),
    ];
    for (const edit of edits) malformed(withMeta(bytes, edit));
    malformed(withMeta(encodePayload(message), (m) => (m.attachments = [])));
    malformed(withMeta(encodePayload(message), () => undefined, new Uint8Array([1])));
  });

  it('refuses framing errors and non-UTF-8 or non-JSON meta', () => {
    malformed(new Uint8Array(0));
    malformed(new Uint8Array([0, 0, 0]));
    malformed(new Uint8Array([0xff, 0xff, 0xff, 0xff, 1, 2]));
    malformed(new Uint8Array([0, 0, 0, 2, 0xc3, 0x28]));
    malformed(new Uint8Array([0, 0, 0, 4, 110, 117, 108, 108])); // null
    malformed(new Uint8Array([0, 0, 0, 1, 123]));
  });

  it('bounds the text in UTF-8 bytes', () => {
    const ok = { ...message, text: 'đ'.repeat(MAX_TEXT_BYTES / 2) };
    expect(decodePayload(encodePayload(ok))).toEqual(ok);
    expect(() => encodePayload({ ...message, text: 'đ'.repeat(MAX_TEXT_BYTES / 2 + 1) })).toThrow(
      EnvelopeError,
    );
  });

  it('refuses to encode an invalid payload', () => {
    expect(() => encodePayload({ ...doc, classification: 'cosmic' })).toThrow(EnvelopeError);
    expect(() =>
      encodePayload({
        ...doc,
        attachments: [{ name: 'a/b', mediaType: 'text/plain', bytes: new Uint8Array(1) }],
      }),
    ).toThrow(EnvelopeError);
  });
});
