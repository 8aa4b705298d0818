import { CoreError, ErrorCode } from '../../../../shared/contract/errors';
import { openPdf } from './pdf/pdf-document';
import { PdfSyntaxError } from './pdf/pdf-object-reader';
import { PERMIT_ANNOTATE, PERMIT_FILL_AND_SIGN } from './pdf/pdf-security';
import { docMdpPermission, docMdpSignatureRef } from './pdf/pdf-signatures';
import { annotationPages, catalogOf, fieldsOf, pagesOf } from './pdf/pdf-structure';
import { dictOf, N, numberList } from './pdf/pdf-values';
import type { PdfOutlook } from '../sandbox-protocol';

/**
 * What signing this PDF would meet: its signature fields (empty ones can be chosen by name),
 * a certification that limits further signatures, and encryption or permissions that refuse
 * signing — so the sign form can say so before the PIN; and the page count, for the preview.
 * Runs in the sandbox (pdf-sandbox/host/).
 */
export function signingOutlook(pdf: Uint8Array): PdfOutlook {
  let doc;
  try {
    doc = openPdf(pdf);
  } catch (e) {
    if (e instanceof PdfSyntaxError) throw new CoreError(ErrorCode.SignUnsupportedFile, 'unreadable PDF');
    throw e;
  }
  const rev = doc.file.final;
  const pages = pagesOf(rev);
  const onPage = annotationPages(rev, pages);
  const fields = fieldsOf(rev, doc.strings)
    .filter((f) => f.type === 'Sig')
    .slice(0, 500)
    .map((f) => {
      const w = f.widgets[0];
      const page = w?.ref ? onPage.get(w.ref.objectNumber) : undefined;
      const rect = w ? numberList(rev, w.dict.get(N('Rect')), 4) : undefined;
      const visible =
        !!rect &&
        Math.abs((rect[2] ?? 0) - (rect[0] ?? 0)) >= 8 &&
        Math.abs((rect[3] ?? 0) - (rect[1] ?? 0)) >= 8;
      return {
        name: f.name.slice(0, 256),
        page: page === undefined ? null : page + 1,
        signed: f.dict.get(N('V')) !== undefined,
        visible,
      };
    });
  const mdp = docMdpSignatureRef(rev, catalogOf(rev));
  const mdpDict = mdp ? dictOf(rev.lookup(mdp)) : undefined;
  const certification = mdpDict ? (docMdpPermission(rev, mdpDict) ?? null) : null;
  let refusal: string | null = null;
  if (doc.securityProblem) refusal = ErrorCode.SignPdfEncrypted;
  else if (doc.security && !(doc.security.permissions & (PERMIT_FILL_AND_SIGN | PERMIT_ANNOTATE)))
    refusal = ErrorCode.SignPdfPermissions;
  else if (certification === 1) refusal = ErrorCode.SignCertifiedNoChanges;
  return { pageCount: pages.length, fields, certification, refusal };
}
