import { z } from 'zod';
import { DeviceId, EnvelopeId, ItemId, Sha256Hex } from './wire-fields';

/** `POST /v1/mail`: announce an upload (idempotent per sender and envelope id). */
export const CreateMailRequest = z
  .object({
    recipient: DeviceId,
    envelopeId: EnvelopeId,
    size: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER),
    sha256: Sha256Hex,
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
