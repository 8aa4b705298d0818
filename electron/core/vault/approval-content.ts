import { createHash } from 'node:crypto';
import type { DocumentMeta } from './document-meta';
import { metaOf } from './document-meta';

/** What an approver signs, version 1 of the encoding. */
export const APPROVAL_CONTENT_FORMAT = 'embassy-approval-v1';

/**
 * The canonical encoding of one version of a document that an approval signs (CAdES detached):
 * JSON with keys in a fixed order, no whitespace, of the document id, the version number, its
 * metadata, the SHA-256 of its text and of each attachment (name and hash, in the order they
 * were added). Any change to any of these is a different encoding, so an approval covers
 * exactly the version the approver saw. Stored beside the signature; the core checks both that
 * the signature verifies over it and that it names the version it is shown with.
 */
export function approvalContent(input: {
  documentId: string;
  version: number;
  meta: DocumentMeta;
  body: string;
  attachments: readonly { name: string; sha256: string }[];
}): string {
  return JSON.stringify({
    format: APPROVAL_CONTENT_FORMAT,
    document: input.documentId,
    version: input.version,
    meta: metaOf(input.meta),
    bodySha256: createHash('sha256').update(input.body, 'utf8').digest('hex'),
    attachments: input.attachments.map((a) => ({ name: a.name, sha256: a.sha256 })),
  });
}

/** The document id and version an encoding names (null when it is not one of ours). */
export function approvalSubject(content: string): { document: string; version: number } | null {
  try {
    const v = JSON.parse(content) as { format?: unknown; document?: unknown; version?: unknown };
    if (v.format !== APPROVAL_CONTENT_FORMAT) return null;
    if (typeof v.document !== 'string' || typeof v.version !== 'number') return null;
    return { document: v.document, version: v.version };
  } catch {
    return null;
  }
}
