import type { EmbassyClient } from '../../../../shared/contract/client';
import type { AttachmentInfo } from '../../../../shared/contract/vault-calls';
import { fromBase64 } from '../../../../shared/encoding';

/** A file the vault holds: a document's attachment or a message's file. */
export type VaultFile = Pick<AttachmentInfo, 'id' | 'name' | 'mediaType' | 'size'>;

/**
 * An attachment's bytes (or, with `messages.files.read`, a message's file's), read through the
 * contract in chunks, into memory only.
 */
export async function readAttachmentBytes(
  client: EmbassyClient,
  attachment: VaultFile,
  read: 'attachments.read' | 'messages.files.read' = 'attachments.read',
): Promise<Uint8Array> {
  const out = new Uint8Array(attachment.size);
  let offset = 0;
  while (offset < attachment.size) {
    const chunk = await client.call(read, { id: attachment.id, offset });
    if (!chunk.ok) throw new Error(chunk.error.code);
    const bytes = fromBase64(chunk.value.base64);
    out.set(bytes, offset);
    offset += bytes.length;
    if (chunk.value.eof || bytes.length === 0) break;
  }
  return out;
}

/** Text attachments shown as text in the document view (and printable as text). */
export function isTextAttachment(a: VaultFile): boolean {
  return a.mediaType.startsWith('text/plain') || /\.txt$/i.test(a.name);
}

export function isPdfAttachment(a: VaultFile): boolean {
  return a.mediaType === 'application/pdf';
}
