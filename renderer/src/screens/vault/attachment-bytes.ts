import type { EmbassyClient } from '../../../../shared/contract/client';
import type { AttachmentInfo } from '../../../../shared/contract/vault-calls';
import { fromBase64 } from '../../../../shared/encoding';

/** An attachment's bytes, read through the contract in chunks, into memory only. */
export async function readAttachmentBytes(
  client: EmbassyClient,
  attachment: AttachmentInfo,
): Promise<Uint8Array> {
  const out = new Uint8Array(attachment.size);
  let offset = 0;
  while (offset < attachment.size) {
    const chunk = await client.call('attachments.read', { id: attachment.id, offset });
    if (!chunk.ok) throw new Error(chunk.error.code);
    const bytes = fromBase64(chunk.value.base64);
    out.set(bytes, offset);
    offset += bytes.length;
    if (chunk.value.eof || bytes.length === 0) break;
  }
  return out;
}

/** Text attachments shown as text in the document view (and printable as text). */
export function isTextAttachment(a: AttachmentInfo): boolean {
  return a.mediaType.startsWith('text/plain') || /\.txt$/i.test(a.name);
}

export function isPdfAttachment(a: AttachmentInfo): boolean {
  return a.mediaType === 'application/pdf';
}
