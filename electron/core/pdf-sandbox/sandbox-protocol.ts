import { z } from 'zod';
import { SignatureFieldEntry } from '../../../shared/contract/document-signing-calls';
import { ErrorCode } from '../../../shared/contract/errors';
import { TEXT_FORMATS } from '../../../shared/domain/document';

/**
 * The PDF sandbox's wire: what crosses between the core (main's thread) and the process that
 * parses untrusted PDFs. Requests carry bytes; answers carry plain data only (strings,
 * numbers, byte arrays), validated here on both sides, so nothing the parser built (a pdf-lib
 * object, a pdf.js proxy) can reach the core. Structured clone (`serialization: 'advanced'`,
 * Electron's utilityProcess) carries the byte arrays without base64.
 */

const Bytes = z.custom<Uint8Array>((v) => v instanceof Uint8Array, 'bytes');
/** The largest PDF sent to the sandbox; the vault's own attachment limit is below it. */
export const MAX_SANDBOX_PDF_BYTES = 512 * 1024 * 1024;
const Offset = z
  .number()
  .int()
  .nonnegative()
  .max(MAX_SANDBOX_PDF_BYTES * 2);

/** What a later revision changed (the modification analysis' vocabulary, pyHanko's classes). */
export const ChangeKind = z.enum([
  'signature',
  'timestamp',
  'dss',
  'form',
  'annotation',
  'content',
  'pages',
  'metadata',
  'structure',
  'other',
]);
export type ChangeKind = z.infer<typeof ChangeKind>;

/** One change a later revision made, with the pages (1-based, of the signed revision) it shows on. */
export const Finding = z
  .object({
    kind: ChangeKind,
    pages: z.array(z.number().int().positive()).max(100_000).readonly(),
    /** A short English note for logs and tests (the reasons shown to people use the kind). */
    note: z.string().max(1000),
  })
  .readonly();
export type Finding = z.infer<typeof Finding>;

const Level = z.union([z.literal(1), z.literal(2), z.literal(3)]);

/** What the parser found about one signature; the core judges it (digest, CMS, path, rules). */
export const SignatureFacts = z.object({
  fieldName: z.string().max(256),
  subFilter: z.string().max(256).optional(),
  reason: z.string().max(4096).optional(),
  location: z.string().max(4096).optional(),
  /** The dictionary's /M, as written (the core parses the date). */
  claimedTime: z.string().max(128).optional(),
  /** Set on the catalog's DocMDP signature: its permission. */
  certification: Level.optional(),
  /** A certification that is not the first signature. */
  misplacedCertification: z.boolean(),
  signed: z.discriminatedUnion('ok', [
    z.object({ ok: z.literal(false) }),
    z.object({
      ok: z.literal(true),
      byteRange: z.tuple([Offset, Offset, Offset, Offset]),
      /** The /Contents value (the CMS, with its zero padding). */
      contents: Bytes,
      revisionIndex: z.number().int().nonnegative(),
      /** Later revisions or trailing data exist after the signed one. */
      later: z.boolean(),
      /** The analysis of everything after the signed revision (empty when nothing came later). */
      findings: z.array(Finding).max(10_000),
    }),
  ]),
});
export type SignatureFacts = z.infer<typeof SignatureFacts>;

export const PdfSignatureFacts = z.discriminatedUnion('format', [
  /** Not a PDF our reader can follow: the core reports FORMAT_FAILURE. */
  z.object({ format: z.literal('unreadable') }),
  z.object({
    format: z.literal('ok'),
    /** `approval` when no valid certification comes first, else its DocMDP level. */
    permission: z.union([z.literal('approval'), Level]),
    signatures: z.array(SignatureFacts).max(1000),
    /** The DSS's certificates and CRLs (DER), for path building. */
    dss: z.object({ certs: z.array(Bytes).max(10_000), crls: z.array(Bytes).max(10_000) }),
  }),
]);
export type PdfSignatureFacts = z.infer<typeof PdfSignatureFacts>;

/** What signing this PDF would meet, and its page count (the preview's page strip). */
export const PdfOutlook = z.object({
  pageCount: z.number().int().nonnegative(),
  fields: z.array(SignatureFieldEntry).max(500),
  certification: Level.nullable(),
  refusal: z.string().max(64).nullable(),
});
export type PdfOutlook = z.infer<typeof PdfOutlook>;

/** The signature update to prepare: its dictionary's values and placement. */
export const PrepareOptions = z.object({
  kind: z.enum(['signature', 'timestamp']),
  contentsBytes: z
    .number()
    .int()
    .positive()
    .max(1024 * 1024),
  signingTime: z.iso.datetime().optional(),
  reason: z.string().max(4096).optional(),
  location: z.string().max(4096).optional(),
  name: z.string().max(4096).optional(),
  visible: z
    .object({
      page: z.number().int().nonnegative().optional(),
      lines: z.array(z.string().max(4096)).max(20),
      /** The stamp's typeface: our bundled WOFF files (Be Vietnam Pro's subsets). */
      fonts: z.array(Bytes).max(4).optional(),
    })
    .optional(),
  fieldName: z.string().max(256).optional(),
  certify: Level.optional(),
});
export type PrepareOptions = z.infer<typeof PrepareOptions>;

/** The original bytes with the incremental update appended, and where the CMS goes. */
export const PreparedUpdate = z.object({
  bytes: Bytes,
  byteRange: z.tuple([Offset, Offset, Offset, Offset]),
  contentsHexOffset: Offset,
  contentsHexLength: z
    .number()
    .int()
    .positive()
    .max(2 * 1024 * 1024),
});
export type PreparedUpdate = z.infer<typeof PreparedUpdate>;

/** Every operation: its input and its answer. */
export const SANDBOX_OPS = {
  /**
   * The text of an attachment, up to `maxChars` (search indexing): a PDF's pages (pdf.js), or
   * a .txt, .docx (mammoth) or .odt file's text; `format` is what the vault recognised.
   */
  text: {
    input: z.object({
      bytes: Bytes,
      maxChars: z.number().int().positive().max(10_000_000),
      format: z.enum(TEXT_FORMATS).default('pdf'),
    }),
    output: z.object({ text: z.string().max(10_000_000) }),
  },
  /** Page count and signature fields (the preview and the sign form). */
  outlook: { input: z.object({ bytes: Bytes }), output: PdfOutlook },
  /** Every signature's facts, for verification. */
  signatures: { input: z.object({ bytes: Bytes }), output: PdfSignatureFacts },
  /** The incremental update with the signature placeholder (signing). */
  prepare: { input: z.object({ bytes: Bytes, options: PrepareOptions }), output: PreparedUpdate },
  /** The file with a DSS update appended (PAdES B-LT): certificates and CRLs (DER). */
  dss: {
    input: z.object({
      bytes: Bytes,
      certs: z.array(Bytes).max(1000),
      crls: z.array(Bytes).max(1000),
    }),
    output: z.object({ bytes: Bytes }),
  },
  /** A text report as a PDF, in the embedded fonts given (WOFF or TrueType, first that has a character). */
  report: {
    input: z.object({
      title: z.string().max(256),
      lines: z
        .array(
          z.object({
            text: z.string().max(4096),
            size: z.number().min(4).max(36).optional(),
            indent: z.number().min(0).max(200).optional(),
          }),
        )
        .max(5000),
      fonts: z.array(Bytes).min(1).max(4),
    }),
    output: z.object({ bytes: Bytes }),
  },
} as const;
export type SandboxOp = keyof typeof SANDBOX_OPS;
export type SandboxInput<O extends SandboxOp> = z.input<(typeof SANDBOX_OPS)[O]['input']>;
export type SandboxOutput<O extends SandboxOp> = z.output<(typeof SANDBOX_OPS)[O]['output']>;

export const SandboxRequest = z.object({
  id: z.number().int().positive(),
  op: z.enum(['text', 'outlook', 'signatures', 'prepare', 'dss', 'report']),
  input: z.unknown(),
});

/**
 * The codes the sandbox may answer with: refusals our parser makes on purpose, and
 * E_PDF_PARSER_FAILED for anything else it threw. Any other code is E_PDF_PARSER_FAILED too.
 */
export const SANDBOX_ERROR_CODES = [
  ErrorCode.SignUnsupportedFile,
  ErrorCode.SignFieldNotFound,
  ErrorCode.SignPdfEncrypted,
  ErrorCode.SignPdfPermissions,
  ErrorCode.SignCertifiedNoChanges,
  ErrorCode.SignCertifyNotFirst,
  ErrorCode.PdfParserFailed,
] as const;

export const SandboxResponse = z.discriminatedUnion('ok', [
  z.object({ id: z.number().int(), ok: z.literal(true), value: z.unknown() }),
  z.object({
    id: z.number().int(),
    ok: z.literal(false),
    error: z.object({ code: z.string().max(64), message: z.string().max(600) }),
  }),
]);
export type SandboxResponse = z.infer<typeof SandboxResponse>;
