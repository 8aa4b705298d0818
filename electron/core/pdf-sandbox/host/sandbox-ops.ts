import { CoreError, ErrorCode } from '../../../../shared/contract/errors';
import { PdfSyntaxError } from './pdf/pdf-object-reader';
import { openPdf } from './pdf/pdf-document';
import { prepareSignatureUpdate } from './pdf/pdf-signature-update';
import { PdfStructureError } from './pdf/pdf-update';
import { appendDss } from './pdf-ltv';
import { extractText } from './document-text';
import { writeReportPdf } from './report/report-pdf';
import { signatureFacts } from './signature-facts';
import { signingOutlook } from './signing-outlook';
import { SANDBOX_ERROR_CODES, type SandboxOp, type SandboxOutput } from '../sandbox-protocol';
import type { z } from 'zod';
import type { SANDBOX_OPS } from '../sandbox-protocol';

type Input<O extends SandboxOp> = z.output<(typeof SANDBOX_OPS)[O]['input']>;

/**
 * What the sandbox does for each operation: the parsers, run on the bytes it was sent, with
 * plain data out. Here only (and in the sandbox's entry) do pdf.js and pdf-lib run.
 */
export const SANDBOX_HANDLERS: {
  [O in SandboxOp]: (input: Input<O>) => Promise<SandboxOutput<O>> | SandboxOutput<O>;
} = {
  text: async ({ bytes, maxChars, format }) => ({ text: await extractText(bytes, format, maxChars) }),
  outlook: ({ bytes }) => signingOutlook(bytes),
  signatures: ({ bytes }) => signatureFacts(bytes),
  prepare: ({ bytes, options }) => {
    const { signingTime, ...rest } = options;
    const prepared = prepareSignatureUpdate(openPdf(bytes), {
      ...rest,
      ...(signingTime ? { signingTime: new Date(signingTime) } : {}),
    });
    const [a, b, c, d] = prepared.byteRange;
    return {
      bytes: new Uint8Array(prepared.bytes.buffer, prepared.bytes.byteOffset, prepared.bytes.length),
      byteRange: [a, b, c, d],
      contentsHexOffset: prepared.contentsHexOffset,
      contentsHexLength: prepared.contentsHexLength,
    };
  },
  dss: ({ bytes, certs, crls }) => {
    const out = appendDss(bytes, { certs, crls });
    return { bytes: new Uint8Array(out.buffer, out.byteOffset, out.length) };
  },
  report: async ({ title, lines, fonts }) => ({ bytes: await writeReportPdf(title, lines, fonts) }),
};

/** An error as the sandbox reports it: our own refusals by code, anything else by class only. */
export function sandboxError(e: unknown): { code: string; message: string } {
  if (e instanceof CoreError && (SANDBOX_ERROR_CODES as readonly string[]).includes(e.code))
    return { code: e.code, message: e.message.slice(0, 500) };
  if (e instanceof PdfSyntaxError || e instanceof PdfStructureError)
    return { code: ErrorCode.SignUnsupportedFile, message: `unreadable PDF: ${e.message.slice(0, 300)}` };
  // Never an arbitrary exception's text: it could quote the file.
  const name = e instanceof Error ? e.name.slice(0, 64) : typeof e;
  return { code: ErrorCode.PdfParserFailed, message: `the PDF reader failed (${name})` };
}
