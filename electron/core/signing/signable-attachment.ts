import type { SignFormat } from './sign-request';

/** An attachment as `documents.get` lists it (only what choosing one needs). */
export interface AttachmentRef {
  readonly id: string;
  readonly name: string;
  readonly mediaType: string;
}

/** The media type of a detached CMS signature (what a CAdES signature is stored as). */
export const P7S_MEDIA_TYPE = 'application/pkcs7-signature';

const isSignature = (a: AttachmentRef) => a.mediaType === P7S_MEDIA_TYPE || /\.p7s$/i.test(a.name);

/**
 * Which attachment of a document a signature in `format` is made over: PAdES, the latest PDF
 * (a `.txt` or any other file is never offered for PAdES); CAdES, the latest attachment that
 * is not itself a detached signature (any file). Null when the document has none.
 */
export function signableAttachment<A extends AttachmentRef>(
  attachments: readonly A[],
  format: SignFormat,
): A | null {
  const latestFirst = [...attachments].reverse();
  if (format === 'pades') return latestFirst.find((a) => a.mediaType === 'application/pdf') ?? null;
  return latestFirst.find((a) => !isSignature(a)) ?? null;
}

/**
 * `report.txt` → `report.txt.p7s`: the detached signature keeps the signed file's whole name;
 * never one the document already has (signed again: `report.txt-2.p7s`).
 */
export function detachedSignatureName(name: string, taken: readonly string[] = []): string {
  const stem = name.slice(0, 240);
  const lower = new Set(taken.map((n) => n.toLowerCase()));
  for (let n = 1; ; n++) {
    const candidate = `${stem}${n === 1 ? '' : `-${n}`}.p7s`;
    if (!lower.has(candidate.toLowerCase())) return candidate;
  }
}
