import { PDFArray, PDFDict, PDFHexString, PDFNumber, PDFRef, type PDFObject } from 'pdf-lib';
import { CoreError, ErrorCode } from '../../../../../shared/contract/errors';
import { stampAppearance } from './pdf-appearance';
import { pdfDateText } from './pdf-dates';
import type { PdfDocument } from './pdf-document';
import { PERMIT_ANNOTATE, PERMIT_FILL_AND_SIGN } from './pdf-security';
import { docMdpPermission, docMdpSignatureRef, signatureFields } from './pdf-signatures';
import { annotationPages, catalogOf, fieldsOf, pagesOf, type FieldInfo } from './pdf-structure';
import { PdfStructureError, PdfUpdate } from './pdf-update';
import { dictOf, getArray, N, numberList } from './pdf-values';

/**
 * The incremental update that carries a signature or a document timestamp: the signature
 * dictionary with a zero-filled /Contents placeholder and a fixed-width /ByteRange, and the
 * field it fills — an existing empty signature field chosen by name (a form that arrived with
 * a place to sign), or a new field with its widget on a page. A certification adds the DocMDP
 * reference and the catalog's /Perms. Refusals happen here, before anything is signed: an
 * encrypted file we cannot open, permissions that forbid signing, a certification that allows
 * no further change, a certification asked for on a document already signed.
 */

export interface VisibleStamp {
  /** 0-based page index for a new field; default the first page. */
  readonly page?: number;
  /** Lines of text drawn in the box (signer, time, reason). */
  readonly lines: readonly string[];
  /** The stamp's typeface (WOFF files, Be Vietnam Pro's subsets), embedded; Helvetica without. */
  readonly fonts?: readonly Uint8Array[];
}

export interface SignatureUpdateOptions {
  readonly kind: 'signature' | 'timestamp';
  /** Bytes reserved for the CMS or token (the hex placeholder is twice as long). */
  readonly contentsBytes: number;
  /** The claimed signing time, written as /M (PAdES keeps it out of the CMS). */
  readonly signingTime?: Date;
  readonly reason?: string;
  readonly location?: string;
  readonly name?: string;
  /** Draw the stamp; a field placed by the form gets it in its own box whenever it has one. */
  readonly visible?: VisibleStamp;
  /** Fill this empty signature field (fully qualified name) instead of adding one. */
  readonly fieldName?: string;
  /** Make this a certification signature with DocMDP permission 1, 2 or 3. */
  readonly certify?: 1 | 2 | 3;
}

export interface PreparedPdf {
  /** The original bytes followed by the incremental update, /ByteRange filled in. */
  readonly bytes: Buffer;
  readonly byteRange: readonly [number, number, number, number];
  /** Offset of the first hex digit inside /Contents <…>, and how many hex digits fit. */
  readonly contentsHexOffset: number;
  readonly contentsHexLength: number;
}

const BYTE_RANGE_PLACEHOLDER = '/ByteRange [0 0000000000 0000000000 0000000000]';
const NEW_STAMP = { width: 260, lineHeight: 14, margin: 36 };

export function prepareSignatureUpdate(doc: PdfDocument, options: SignatureUpdateOptions): PreparedPdf {
  refuseWhatCannotBeSigned(doc, options);
  const upd = new PdfUpdate(doc);
  const rev = upd.rev;
  const rootRef = rev.trailerEntry('Root');
  const catalog = catalogOf(rev);
  if (!(rootRef instanceof PDFRef) || !catalog) throw new PdfStructureError('no catalog');
  const pages = pagesOf(rev);
  if (pages.length === 0) throw new PdfStructureError('no pages');
  const sigRef = upd.alloc();

  // The form dictionary and its /Fields, wherever they live (own object, inline, or new).
  const acroEntry = catalog.get(N('AcroForm'));
  let acroForm: PDFDict;
  if (acroEntry instanceof PDFRef) {
    acroForm = dictOf(rev.lookup(acroEntry)) ?? PDFDict.withContext(doc.file.context);
    upd.set(acroEntry, acroForm);
  } else if (acroEntry instanceof PDFDict) {
    acroForm = acroEntry;
    upd.set(rootRef, catalog);
  } else {
    acroForm = PDFDict.withContext(doc.file.context);
    const acroRef = upd.alloc();
    catalog.set(N('AcroForm'), acroRef);
    upd.set(acroRef, acroForm);
    upd.set(rootRef, catalog);
  }
  // SignaturesExist | AppendOnly: tells viewers to save incrementally from now on.
  acroForm.set(N('SigFlags'), PDFNumber.of(3));

  let widget: PDFDict;
  let widgetRef: PDFRef;
  let pageIndex: number;
  let rect: number[];
  if (options.fieldName !== undefined) {
    const field = emptySignatureField(doc, options.fieldName);
    const w = field.widgets[0];
    if (!w?.ref || !field.ref)
      throw new CoreError(ErrorCode.SignFieldNotFound, 'the field has no widget object');
    widget = w.dict;
    widgetRef = w.ref;
    field.dict.set(N('V'), sigRef);
    upd.set(field.ref, field.dict);
    const byAnnots = annotationPages(rev, pages).get(widgetRef.objectNumber);
    const byP = pages.findIndex((p) => p.ref !== undefined && p.ref === w.dict.get(N('P')));
    pageIndex = byAnnots ?? (byP >= 0 ? byP : 0);
    rect = numberList(rev, widget.get(N('Rect')), 4) ?? [0, 0, 0, 0];
    if (byAnnots === undefined) addToAnnots(upd, pages[pageIndex]?.dict, pages[pageIndex]?.ref, widgetRef);
  } else {
    pageIndex = options.visible?.page ?? 0;
    const page = pages[pageIndex];
    if (!page?.ref) throw new PdfStructureError('no such page');
    const taken = new Set(fieldsOf(rev, doc.strings).map((f) => f.name));
    let n = taken.size + 1;
    while (taken.has(`Signature${n}`)) n++;
    const existing = signatureFields(doc.file, doc.strings).length;
    widgetRef = upd.alloc();
    fieldsArray(upd, acroForm).push(widgetRef);
    rect = [0, 0, 0, 0];
    if (options.visible) {
      const height = NEW_STAMP.lineHeight * options.visible.lines.length + 12;
      const y = NEW_STAMP.margin + existing * (height + 8);
      rect = [NEW_STAMP.margin, y, NEW_STAMP.margin + NEW_STAMP.width, y + height];
    }
    widget = doc.file.context.obj({
      Type: 'Annot',
      Subtype: 'Widget',
      FT: 'Sig',
      V: sigRef,
      // Print | Locked: shown when printed, cannot be moved.
      F: 132,
      P: page.ref,
    });
    widget.set(N('T'), PDFHexString.fromText(`Signature${n}`));
    widget.set(N('Rect'), doc.file.context.obj(rect));
    addToAnnots(upd, page.dict, page.ref, widgetRef);
  }
  const width = Math.abs((rect[2] ?? 0) - (rect[0] ?? 0));
  const height = Math.abs((rect[3] ?? 0) - (rect[1] ?? 0));
  const lines = options.visible?.lines ?? [];
  if (width >= 8 && height >= 8 && lines.length > 0) {
    const apRef = upd.alloc();
    const register = (obj: PDFObject) => {
      const ref = upd.alloc();
      upd.set(ref, obj);
      return ref;
    };
    upd.set(
      apRef,
      stampAppearance(doc.file.context, width, height, lines, register, options.visible?.fonts ?? []),
    );
    widget.set(N('AP'), doc.file.context.obj({ N: apRef }));
  }
  upd.set(widgetRef, widget);

  if (options.certify) {
    const perms = dictOf(rev.resolve(catalog.get(N('Perms')))) ?? doc.file.context.obj({});
    perms.set(N('DocMDP'), sigRef);
    catalog.set(N('Perms'), perms);
    upd.set(rootRef, catalog);
  }

  // The signature dictionary, written by hand so the placeholders sit where we know.
  const head =
    `<< /Type /${options.kind === 'timestamp' ? 'DocTimeStamp' : 'Sig'} /Filter /Adobe.PPKLite ` +
    `/SubFilter /${options.kind === 'timestamp' ? 'ETSI.RFC3161' : 'ETSI.CAdES.detached'} ` +
    `${BYTE_RANGE_PLACEHOLDER} /Contents <`;
  const str = (o: PDFObject) => o.toString();
  const tail =
    '>' +
    (options.signingTime ? ` /M ${str(upd.rawBytesString(sigRef, pdfDateText(options.signingTime)))}` : '') +
    (options.reason ? ` /Reason ${str(upd.rawText(sigRef, options.reason))}` : '') +
    (options.location ? ` /Location ${str(upd.rawText(sigRef, options.location))}` : '') +
    (options.name ? ` /Name ${str(upd.rawText(sigRef, options.name))}` : '') +
    (options.certify
      ? ` /Reference [<< /Type /SigRef /TransformMethod /DocMDP /TransformParams ` +
        `<< /Type /TransformParams /P ${options.certify} /V /1.2 >> >>]`
      : '') +
    ' >>';
  upd.setRaw(
    sigRef,
    Buffer.concat([
      Buffer.from(head, 'latin1'),
      Buffer.alloc(options.contentsBytes * 2, '0'),
      Buffer.from(tail, 'latin1'),
    ]),
  );
  const written = upd.write();
  const bytes = written.bytes;
  const sigAt =
    (written.offsets.get(sigRef.objectNumber) as number) + `${sigRef.objectNumber} 0 obj\n`.length;
  const byteRangeOffset = sigAt + head.indexOf('/ByteRange');
  const contentsStart = sigAt + head.length - 1; // the '<'
  const contentsEnd = contentsStart + 1 + options.contentsBytes * 2 + 1; // after the '>'
  const byteRange = [0, contentsStart, contentsEnd, bytes.length - contentsEnd] as const;
  const brText = `/ByteRange [${byteRange.join(' ')}]`;
  if (brText.length > BYTE_RANGE_PLACEHOLDER.length) throw new PdfStructureError('file too large');
  bytes.write(brText.padEnd(BYTE_RANGE_PLACEHOLDER.length, ' '), byteRangeOffset, 'latin1');
  return {
    bytes,
    byteRange,
    contentsHexOffset: contentsStart + 1,
    contentsHexLength: options.contentsBytes * 2,
  };
}

/** Puts the CMS into the placeholder (hex, zero-padded). Refuses one that does not fit. */
export function embedSignature(prepared: PreparedPdf, cms: Uint8Array): Buffer {
  const hex = Buffer.from(cms).toString('hex');
  if (hex.length > prepared.contentsHexLength) {
    throw new PdfStructureError(`signature (${cms.length} bytes) larger than its placeholder`);
  }
  prepared.bytes.write(hex, prepared.contentsHexOffset, 'latin1');
  return prepared.bytes;
}

/** The bytes a PDF signature covers: everything but the /Contents value. */
export function signedRanges(bytes: Uint8Array, br: readonly number[]): Buffer[] {
  const [a = 0, b = 0, c = 0, d = 0] = br;
  return [Buffer.from(bytes.subarray(a, a + b)), Buffer.from(bytes.subarray(c, c + d))];
}

function refuseWhatCannotBeSigned(doc: PdfDocument, options: SignatureUpdateOptions): void {
  const problem = doc.securityProblem;
  if (problem) {
    throw new CoreError(
      ErrorCode.SignPdfEncrypted,
      problem.problem === 'needs-password'
        ? 'the PDF needs a password to open: ask the sender for a copy without one'
        : `the PDF's encryption (${problem.detail}) cannot be signed here: ask the sender for an unencrypted copy or one protected with AES-256`,
    );
  }
  const sec = doc.security;
  if (sec && !(sec.permissions & PERMIT_FILL_AND_SIGN) && !(sec.permissions & PERMIT_ANNOTATE)) {
    throw new CoreError(
      ErrorCode.SignPdfPermissions,
      "the PDF's permissions do not allow signing: ask the sender for a copy that allows filling in forms and signing",
    );
  }
  const rev = doc.file.final;
  const mdp = docMdpSignatureRef(rev, catalogOf(rev));
  const mdpDict = mdp ? dictOf(rev.lookup(mdp)) : undefined;
  if (options.kind === 'signature' && mdpDict && docMdpPermission(rev, mdpDict) === 1) {
    throw new CoreError(
      ErrorCode.SignCertifiedNoChanges,
      'the PDF is certified with no changes allowed: another signature would invalidate the certification',
    );
  }
  if (options.certify && signatureFields(doc.file, doc.strings).length > 0) {
    throw new CoreError(
      ErrorCode.SignCertifyNotFirst,
      'the PDF is already signed: a certification must come first',
    );
  }
}

function emptySignatureField(doc: PdfDocument, name: string): FieldInfo {
  const field = fieldsOf(doc.file.final, doc.strings).find((f) => f.name === name);
  if (!field || field.type !== 'Sig')
    throw new CoreError(ErrorCode.SignFieldNotFound, `no signature field named "${name.slice(0, 100)}"`);
  if (field.dict.get(N('V')) !== undefined)
    throw new CoreError(
      ErrorCode.SignFieldNotFound,
      `the signature field "${name.slice(0, 100)}" is already signed`,
    );
  return field;
}

/** The form's /Fields array, scheduled for rewriting wherever it lives. */
function fieldsArray(upd: PdfUpdate, acroForm: PDFDict): PDFArray {
  const entry = acroForm.get(N('Fields'));
  if (entry instanceof PDFRef) {
    const arr = upd.rev.lookup(entry);
    if (arr instanceof PDFArray) {
      upd.set(entry, arr);
      return arr;
    }
  }
  if (entry instanceof PDFArray) return entry;
  const arr = PDFArray.withContext(upd.doc.file.context);
  acroForm.set(N('Fields'), arr);
  return arr;
}

/** Adds the widget to its page's /Annots (the array object, or the page). */
function addToAnnots(
  upd: PdfUpdate,
  page: PDFDict | undefined,
  pageRef: PDFRef | undefined,
  widget: PDFRef,
): void {
  if (!page || !pageRef) throw new PdfStructureError('no page for the signature');
  const annots = page.get(N('Annots'));
  const arr = getArray(upd.rev, page, 'Annots');
  if (annots instanceof PDFRef && arr) {
    arr.push(widget);
    upd.set(annots, arr);
  } else if (annots instanceof PDFArray) {
    annots.push(widget);
    upd.set(pageRef, page);
  } else {
    page.set(N('Annots'), upd.doc.file.context.obj([widget]));
    upd.set(pageRef, page);
  }
}
