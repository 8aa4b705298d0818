import { createHash } from 'node:crypto';
import { PDFArray, PDFDict, PDFName, PDFRef } from 'pdf-lib';
import { CoreError, ErrorCode } from '../../../../shared/contract/errors';
import { openPdf, type PdfDocument } from './pdf/pdf-document';
import { readDss } from './pdf/pdf-dss';
import { embedSignature, prepareSignatureUpdate, signedRanges } from './pdf/pdf-signature-update';
import { signatureFields, signedRevisionOf } from './pdf/pdf-signatures';
import { catalogOf } from './pdf/pdf-structure';
import { PdfUpdate } from './pdf/pdf-update';
import { dictOf, N } from './pdf/pdf-values';

/**
 * The PDF side of long-term validation (PAdES B-LT and B-LTA): appending a Document Security
 * Store with validation data, and a document timestamp, each as an incremental update that
 * leaves every earlier signature's bytes untouched (modification analysis allows both).
 * Collecting the data and talking to the TSA belong to the callers: this module takes DER
 * and a function that returns a time-stamp token.
 */

export interface DssContent {
  /** Certificates (DER) of the chains, the signers' and the TSA's. */
  readonly certs: readonly Uint8Array[];
  /** CRLs (DER). */
  readonly crls: readonly Uint8Array[];
  /** OCSP responses (DER, OCSPResponse). */
  readonly ocsps?: readonly Uint8Array[];
  /**
   * Also a VRI entry for each signature and document timestamp in the file (key: upper-case
   * hex SHA-1 of its /Contents value), listing this update's data. Default true.
   */
  readonly vri?: boolean;
}

/**
 * Appends (or extends) the DSS: /Certs, /CRLs, /OCSPs arrays of streams, and /VRI. Data the
 * DSS already holds is not added twice. The catalog gains /DSS and the ESIC extension.
 */
export function appendDss(pdf: Uint8Array, content: DssContent): Buffer {
  const doc = openForUpdate(pdf);
  const upd = new PdfUpdate(doc);
  const rev = upd.rev;
  const rootRef = rev.trailerEntry('Root');
  const catalog = catalogOf(rev);
  if (!(rootRef instanceof PDFRef) || !catalog)
    throw new CoreError(ErrorCode.SignUnsupportedFile, 'no catalog');
  const ctx = doc.file.context;
  const old = dictOf(rev.resolve(catalog.get(N('DSS'))));
  const have = readDss(doc);
  const known = new Set([...have.certs, ...have.crls, ...have.ocsps].map(sha256));

  const dss = PDFDict.withContext(ctx);
  for (const [k, v] of old?.entries() ?? []) dss.set(k, v);
  const add = (key: 'Certs' | 'CRLs' | 'OCSPs', items: readonly Uint8Array[]): PDFRef[] => {
    const existing = old ? rev.resolve(old.get(N(key))) : undefined;
    const arr = PDFArray.withContext(ctx);
    if (existing instanceof PDFArray) for (const x of existing.asArray()) arr.push(x);
    const added: PDFRef[] = [];
    for (const der of items) {
      const digest = sha256(der);
      if (known.has(digest)) continue;
      known.add(digest);
      const ref = upd.alloc();
      upd.set(ref, ctx.flateStream(der));
      arr.push(ref);
      added.push(ref);
    }
    if (arr.size() > 0) dss.set(N(key), arr);
    return added;
  };
  const certs = add('Certs', content.certs);
  const crls = add('CRLs', content.crls);
  const ocsps = add('OCSPs', content.ocsps ?? []);

  if (content.vri !== false) {
    const vri = PDFDict.withContext(ctx);
    const oldVri = old ? dictOf(rev.resolve(old.get(N('VRI')))) : undefined;
    for (const [k, v] of oldVri?.entries() ?? []) vri.set(k, v);
    for (const sig of signatureFields(doc.file, doc.strings)) {
      const signed = signedRevisionOf(doc.file, sig);
      if (!signed.ok) continue;
      const key = PDFName.of(createHash('sha1').update(signed.contents).digest('hex').toUpperCase());
      if (vri.has(key)) continue;
      const entry = PDFDict.withContext(ctx);
      if (certs.length) entry.set(N('Cert'), ctx.obj(certs));
      if (crls.length) entry.set(N('CRL'), ctx.obj(crls));
      if (ocsps.length) entry.set(N('OCSP'), ctx.obj(ocsps));
      vri.set(key, entry);
    }
    if (vri.entries().length > 0) dss.set(N('VRI'), vri);
  }
  const dssRef = upd.alloc();
  dss.set(N('Type'), N('DSS'));
  upd.set(dssRef, dss);
  catalog.set(N('DSS'), dssRef);
  addEsicExtension(doc, catalog);
  upd.set(rootRef, catalog);
  return upd.write().bytes;
}

/** Produces an RFC 3161 TimeStampToken (DER ContentInfo) for a SHA-256 digest. */
export type TimestampTokenSource = (digest: Uint8Array, hash: 'sha256') => Promise<Uint8Array>;

/**
 * Appends a document timestamp: a /DocTimeStamp signature field (invisible), SubFilter
 * ETSI.RFC3161, whose /Contents is the token over the SHA-256 of its byte ranges.
 */
export async function appendDocumentTimestamp(
  pdf: Uint8Array,
  getToken: TimestampTokenSource,
  options: { contentsBytes?: number } = {},
): Promise<Buffer> {
  const doc = openForUpdate(pdf);
  const prepared = prepareSignatureUpdate(doc, {
    kind: 'timestamp',
    contentsBytes: options.contentsBytes ?? 16384,
  });
  const hash = createHash('sha256');
  for (const part of signedRanges(prepared.bytes, prepared.byteRange)) hash.update(part);
  const token = await getToken(hash.digest(), 'sha256');
  return embedSignature(prepared, token);
}

function openForUpdate(pdf: Uint8Array): PdfDocument {
  const doc = openPdf(pdf);
  if (doc.securityProblem) throw new CoreError(ErrorCode.SignPdfEncrypted, doc.securityProblem.detail);
  return doc;
}

/** PAdES (ETSI EN 319 142-1) marks a DSS in a PDF 1.7 file with the ESIC extension, level 5. */
function addEsicExtension(doc: PdfDocument, catalog: PDFDict): void {
  const rev = doc.file.final;
  const ctx = doc.file.context;
  const ext = dictOf(rev.resolve(catalog.get(N('Extensions'))));
  if (ext?.has(N('ESIC'))) return;
  const copy = PDFDict.withContext(ctx);
  for (const [k, v] of ext?.entries() ?? []) copy.set(k, v);
  copy.set(N('ESIC'), ctx.obj({ BaseVersion: PDFName.of('1.7'), ExtensionLevel: 5 }));
  catalog.set(N('Extensions'), copy);
}

function sha256(b: Uint8Array): string {
  return createHash('sha256').update(b).digest('hex');
}
