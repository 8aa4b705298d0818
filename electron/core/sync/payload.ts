import { createHash } from 'node:crypto';
import { z } from 'zod';
import { CLASSIFICATIONS, type Classification } from '../../../shared/domain/classification';
import { MAX_MESSAGE_FILE_BYTES, MAX_MESSAGE_FILES } from '../../../shared/domain/document';
import { DOCUMENT_KINDS, type DocumentKind } from '../../../shared/domain/document-kinds';
import { EnvelopeErrorCode } from '../../../shared/sync/sync-error-codes';
import { EnvelopeError, MAX_ENVELOPE_BYTES } from './envelope';

/**
 * What travels inside an envelope (the plaintext side). Layout:
 * `u32 BE metaLength ‖ meta (UTF-8 JSON) ‖ attachment bytes, concatenated in meta order`.
 * The meta lists each attachment as `{ name, mediaType, size, sha256 }`; decoding checks the
 * sizes add up to exactly the bytes present and every SHA-256. Signed documents travel as
 * attachments (a PAdES-signed PDF; a CAdES `.p7s` beside its file); a message may carry a few
 * small files the same way. A receipt carries no
 * attachment: it names the document send it acknowledges and what that send's payload hashed to.
 */

export interface PayloadAttachment {
  name: string;
  mediaType: string;
  bytes: Uint8Array;
}

export type SyncPayload =
  | {
      kind: 'message';
      title: string;
      text: string;
      sentAt: number;
      senderAddress: string;
      senderName: string;
      threadSubject?: string;
      /** The message's marking; absent from older senders: Unclassified. */
      classification?: Classification;
      /** Its files (at most MAX_MESSAGE_FILES of MAX_MESSAGE_FILE_BYTES); absent: none. */
      attachments?: PayloadAttachment[];
    }
  | {
      kind: 'document';
      title: string;
      text: string;
      sentAt: number;
      senderAddress: string;
      senderName: string;
      classification: string;
      registryNumber: string;
      /** The document's kind (note verbale, cable…); absent from older senders: `other`. */
      documentKind?: DocumentKind;
      /** The document's own date as registered (ISO); absent from older senders: the arrival time. */
      documentDate?: string;
      /** The document's own parties (its author and addressees, as registered). */
      parties?: { from: string; to: string[] };
      attachments: PayloadAttachment[];
    }
  | ReceiptPayload;

/**
 * Acknowledgement of receipt: the recipient registered a received document. Who acknowledges is
 * the envelope's sender device (its signature, certified by the officer's token), never a field.
 */
export interface ReceiptPayload {
  kind: 'receipt';
  sentAt: number;
  senderAddress: string;
  senderName: string;
  /** The acknowledged send: the id of the envelope that carried the document. */
  documentEnvelopeId: string;
  /** The document's registry number as it travelled (the sender's). */
  documentNumber: string;
  /** The recipient's registration number (its incoming register) and when it registered. */
  registrationNumber: string;
  registeredAt: number;
  /** SHA-256 (hex) of the document's payload bytes as received (this format, encoded). */
  payloadSha256: string;
}

export const MAX_TITLE_LENGTH = 512;
/** UTF-8 bytes of `text`. */
export const MAX_TEXT_BYTES = 1024 * 1024;
export const MAX_NAME_LENGTH = 255;
export const MAX_ATTACHMENTS = 64;
/** The meta JSON: text (with JSON escapes, up to 6 bytes per character) and the rest. */
export const MAX_META_BYTES = 8 * 1024 * 1024;

/** A document's own date as it travels: an ISO date, or a UTC date-time. */
export const DOCUMENT_DATE = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?Z)?$/;

/** No control characters (C0, DEL, C1) and no path separators: a name is never a path. */
const fileName = z
  .string()
  .min(1)
  .max(MAX_NAME_LENGTH)
  // eslint-disable-next-line no-control-regex
  .regex(/^[^\u0000-\u001f\u007f-\u009f/\\]+$/, 'a file name without separators or control characters')
  .refine((n) => n !== '.' && n !== '..', 'a file name');
const mediaType = z
  .string()
  .max(MAX_NAME_LENGTH)
  .regex(/^[a-z0-9][a-z0-9!#$&^_.+-]*\/[a-z0-9][a-z0-9!#$&^_.+-]*$/i, 'a media type (type/subtype)');
const text = z.string().refine((t) => Buffer.byteLength(t, 'utf8') <= MAX_TEXT_BYTES, 'text too long');
const shortText = z.string().max(MAX_NAME_LENGTH);
const sentAt = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);

const AttachmentMeta = z
  .object({
    name: fileName,
    mediaType,
    size: z.number().int().nonnegative().max(MAX_ENVELOPE_BYTES),
    sha256: z.string().regex(/^[0-9a-f]{64}$/),
  })
  .strict();

const PayloadMeta = z.discriminatedUnion('kind', [
  z
    .object({
      kind: z.literal('message'),
      title: z.string().max(MAX_TITLE_LENGTH),
      text,
      sentAt,
      senderAddress: shortText,
      senderName: shortText,
      threadSubject: z.string().max(MAX_TITLE_LENGTH).optional(),
      classification: z.enum(CLASSIFICATIONS).optional(),
      attachments: z
        .array(AttachmentMeta.extend({ size: z.number().int().nonnegative().max(MAX_MESSAGE_FILE_BYTES) }))
        .min(1)
        .max(MAX_MESSAGE_FILES)
        .optional(),
    })
    .strict(),
  z
    .object({
      kind: z.literal('document'),
      title: z.string().max(MAX_TITLE_LENGTH),
      text,
      sentAt,
      senderAddress: shortText,
      senderName: shortText,
      classification: z.enum(CLASSIFICATIONS),
      registryNumber: shortText,
      documentKind: z.enum(DOCUMENT_KINDS).optional(),
      documentDate: z.string().regex(DOCUMENT_DATE, 'an ISO date').optional(),
      parties: z
        .object({ from: z.string().max(300), to: z.array(z.string().max(300)).max(200) })
        .strict()
        .optional(),
      attachments: z.array(AttachmentMeta).max(MAX_ATTACHMENTS),
    })
    .strict(),
  z
    .object({
      kind: z.literal('receipt'),
      sentAt,
      senderAddress: shortText,
      senderName: shortText,
      documentEnvelopeId: z.string().regex(/^[A-Za-z0-9_-]{8,128}$/),
      documentNumber: shortText,
      registrationNumber: z.string().min(1).max(64),
      registeredAt: sentAt,
      payloadSha256: z.string().regex(/^[0-9a-f]{64}$/),
    })
    .strict(),
]);

function malformed(why: string): never {
  throw new EnvelopeError(EnvelopeErrorCode.Malformed, `payload: ${why}`);
}

function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

const attachmentMeta = (a: PayloadAttachment) => ({
  name: a.name,
  mediaType: a.mediaType,
  size: a.bytes.length,
  sha256: sha256Hex(a.bytes),
});

export function encodePayload(p: SyncPayload): Uint8Array {
  // Fixed key order: the same payload always encodes to the same bytes.
  const meta: Record<string, unknown> =
    p.kind === 'receipt'
      ? {
          kind: 'receipt',
          sentAt: p.sentAt,
          senderAddress: p.senderAddress,
          senderName: p.senderName,
          documentEnvelopeId: p.documentEnvelopeId,
          documentNumber: p.documentNumber,
          registrationNumber: p.registrationNumber,
          registeredAt: p.registeredAt,
          payloadSha256: p.payloadSha256,
        }
      : p.kind === 'message'
        ? {
            kind: 'message',
            title: p.title,
            text: p.text,
            sentAt: p.sentAt,
            senderAddress: p.senderAddress,
            senderName: p.senderName,
            ...(p.threadSubject !== undefined ? { threadSubject: p.threadSubject } : {}),
            ...(p.classification !== undefined ? { classification: p.classification } : {}),
            ...(p.attachments?.length ? { attachments: p.attachments.map(attachmentMeta) } : {}),
          }
        : {
            kind: 'document',
            title: p.title,
            text: p.text,
            sentAt: p.sentAt,
            senderAddress: p.senderAddress,
            senderName: p.senderName,
            classification: p.classification,
            registryNumber: p.registryNumber,
            ...(p.documentKind !== undefined ? { documentKind: p.documentKind } : {}),
            ...(p.documentDate !== undefined ? { documentDate: p.documentDate } : {}),
            ...(p.parties !== undefined ? { parties: p.parties } : {}),
            attachments: p.attachments.map(attachmentMeta),
          };
  if (!PayloadMeta.safeParse(meta).success) malformed('invalid payload');
  const metaBytes = Buffer.from(JSON.stringify(meta), 'utf8');
  if (metaBytes.length > MAX_META_BYTES) malformed('meta too large');
  const attachments = p.kind === 'receipt' ? [] : (p.attachments ?? []).map((a) => a.bytes);
  const total = 4 + metaBytes.length + attachments.reduce((n, b) => n + b.length, 0);
  if (total > MAX_ENVELOPE_BYTES) malformed('payload too large');
  const out = new Uint8Array(total);
  new DataView(out.buffer).setUint32(0, metaBytes.length);
  out.set(metaBytes, 4);
  let at = 4 + metaBytes.length;
  for (const b of attachments) {
    out.set(b, at);
    at += b.length;
  }
  return out;
}

/** Throws EnvelopeError('E_ENVELOPE_MALFORMED') on anything invalid. */
export function decodePayload(bytes: Uint8Array): SyncPayload {
  if (!(bytes instanceof Uint8Array) || bytes.length < 4) malformed('too short');
  const metaLength = new DataView(bytes.buffer, bytes.byteOffset, 4).getUint32(0);
  if (metaLength > MAX_META_BYTES || metaLength > bytes.length - 4) malformed('meta length out of range');
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(4, 4 + metaLength)));
  } catch {
    return malformed('meta is not UTF-8 JSON');
  }
  const parsed = PayloadMeta.safeParse(json);
  if (!parsed.success) return malformed('meta does not match the schema');
  const meta = parsed.data;
  const rest = bytes.length - 4 - metaLength;
  if (meta.kind === 'receipt') {
    if (rest !== 0) malformed('bytes after a receipt');
    return meta;
  }
  if (meta.kind === 'message' && !meta.attachments) {
    if (rest !== 0) malformed('bytes after a message');
    return { ...meta, attachments: undefined };
  }
  const listed = meta.attachments ?? [];
  const declared = listed.reduce((n, a) => n + a.size, 0);
  if (declared !== rest) malformed('attachment sizes do not add up');
  let at = 4 + metaLength;
  const attachments: PayloadAttachment[] = listed.map((a) => {
    const body = bytes.slice(at, at + a.size);
    at += a.size;
    if (sha256Hex(body) !== a.sha256) malformed('attachment digest mismatch');
    return { name: a.name, mediaType: a.mediaType, bytes: body };
  });
  return { ...meta, attachments };
}
