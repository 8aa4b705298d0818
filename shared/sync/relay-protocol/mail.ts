import { z } from 'zod';
import { base64UpTo, DeviceId, EnvelopeId, ItemId, Sha256Hex } from './wire-fields';

/**
 * The largest item that may travel whole in its `POST /v1/mail` (`content`), with no PATCH:
 * most messages and receipts are a few kilobytes, and one request instead of two (and one
 * commit instead of three) is what lets the relay take thousands of them a second. Chosen so
 * that the base64 and the JSON around it fit the relay's JSON body limit (80 KiB).
 */
export const MAX_WHOLE_ITEM_BYTES = 48 * 1024;

/**
 * `POST /v1/mail`: announce an upload (idempotent per sender and envelope id), or, with
 * `content` (base64 of all `size` bytes, at most {@link MAX_WHOLE_ITEM_BYTES}), deliver a small
 * item whole.
 */
export const CreateMailRequest = z
  .object({
    recipient: DeviceId,
    envelopeId: EnvelopeId,
    size: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER),
    sha256: Sha256Hex,
    content: base64UpTo(MAX_WHOLE_ITEM_BYTES).optional(),
  })
  .strict();
export type CreateMailRequest = z.infer<typeof CreateMailRequest>;

export const MailState = z.enum(['uploading', 'complete', 'acked']);
export type MailState = z.infer<typeof MailState>;

/** The sender's view of an upload (`POST /v1/mail`, and `PATCH` when it completes). */
export const MailUploadStatus = z
  .object({ id: ItemId, offset: z.number().int().nonnegative(), size: z.number().int(), state: MailState })
  .strict();
export type MailUploadStatus = z.infer<typeof MailUploadStatus>;

/** tus-like upload headers (`HEAD` answers with both; `PATCH` sends `Upload-Offset`). */
export const UPLOAD_OFFSET_HEADER = 'upload-offset';
export const UPLOAD_LENGTH_HEADER = 'upload-length';
/** Content types a `PATCH` chunk may carry. */
export const CHUNK_CONTENT_TYPES = ['application/offset+octet-stream', 'application/octet-stream'] as const;

/** One entry of `GET /v1/inbox?after=CURSOR`. */
export const InboxItem = z
  .object({
    id: ItemId,
    sender: DeviceId,
    envelopeId: EnvelopeId,
    size: z.number().int().positive(),
    sha256: Sha256Hex,
    /** Position in the recipient's mailbox: pass the last one seen as `after`. */
    cursor: z.number().int().positive(),
    createdAt: z.number().int().nonnegative(),
  })
  .strict();
export type InboxItem = z.infer<typeof InboxItem>;
export const InboxResponse = z
  .object({ items: z.array(InboxItem), cursor: z.number().int().nonnegative(), more: z.boolean() })
  .strict();
export type InboxResponse = z.infer<typeof InboxResponse>;

/** `POST /v1/inbox/:id/ack` takes an empty body or `{}`. */
export const AckRequest = z.object({}).strict();
export const AckResponse = z.object({ id: ItemId, state: z.literal('acked') }).strict();
export type AckResponse = z.infer<typeof AckResponse>;

/** A message on the `/v1/push` WebSocket (relay → device only). */
export const PushMessage = z.discriminatedUnion('type', [
  z.object({ type: z.literal('hello'), deviceId: DeviceId }).strict(),
  /** New mail is complete in the device's mailbox; list the inbox after your cursor. */
  z.object({ type: z.literal('mail'), cursor: z.number().int().positive() }).strict(),
]);
export type PushMessage = z.infer<typeof PushMessage>;
