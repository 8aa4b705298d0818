import { PDFRawStream, PDFRef } from 'pdf-lib';
import type { PdfDocument } from './pdf-document';
import { catalogOf } from './pdf-structure';
import { decodeStream } from './pdf-stream-decode';
import { getArray, getDict } from './pdf-values';

/**
 * The validation data a PDF carries in its Document Security Store (PAdES B-LT): the
 * certificates, CRLs and OCSP responses of /DSS, as DER. Untrusted input like any other part
 * of the file: certificates are only path-building material, CRLs count only when their
 * issuer's signature verifies.
 */
export interface DssData {
  readonly certs: Buffer[];
  readonly crls: Buffer[];
  readonly ocsps: Buffer[];
}

export function readDss(doc: PdfDocument): DssData {
  const rev = doc.file.final;
  const dss = getDict(rev, catalogOf(rev), 'DSS');
  const streams = (key: string): Buffer[] => {
    const arr = getArray(rev, dss, key);
    return (arr?.asArray() ?? []).flatMap((ref) => {
      const s = rev.resolve(ref);
      if (!(s instanceof PDFRawStream)) return [];
      try {
        const raw =
          doc.security && ref instanceof PDFRef
            ? doc.security.decryptStream(ref.objectNumber, ref.generationNumber, s.contents)
            : s.contents;
        return [decodeStream(s, (o) => rev.resolve(o), doc.file.context, raw)];
      } catch {
        return [];
      }
    });
  };
  return { certs: streams('Certs'), crls: streams('CRLs'), ocsps: streams('OCSPs') };
}
