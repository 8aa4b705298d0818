import { z } from 'zod';
import { DriverId, ErrorShape } from './field-schemas';

/**
 * Contract calls of the token and signing module (issue 4). Kept in their own file and spread
 * into the contract table, so other modules' calls merge without conflicts.
 */

const Path = z.string().min(1).max(4096);
const Text = (max: number) => z.string().max(max);

/** An RFC 3161 time-stamping authority's address: http: or https: only. */
export const TsaUrl = z
  .string()
  .max(2048)
  .regex(/^https?:\/\/[A-Za-z0-9.\-[\]:]+(?::\d{1,5})?(?:\/[^\s]*)?$/, 'an http: or https: URL');

/** A token is chosen by label or serial, never by slot (slot ids change between sessions). */
export const TokenSelector = z
  .object({ label: z.string().min(1).max(32).optional(), serial: z.string().min(1).max(16).optional() })
  .strict()
  .refine((t) => t.label !== undefined || t.serial !== undefined, 'label or serial required');

export const TokenCertificateEntry = z
  .object({
    /** CKA_ID in hex: pass it back as `keyId` to sign with this certificate's key. */
    keyId: Text(256),
    label: Text(256),
    holder: Text(256),
    issuer: Text(256),
    notBefore: Text(32),
    notAfter: Text(32),
    keyType: z.enum(['rsa', 'ec', 'other']),
    isCa: z.boolean(),
    /** An end-entity certificate whose key usage allows signatures. */
    canSign: z.boolean(),
  })
  .strict();

export const TokenEntry = z
  .object({
    label: Text(32),
    serial: Text(16),
    manufacturer: Text(32),
    model: Text(16),
    /** PIN tries hints, from the token's own flags (not every token reports them). */
    pinCountLow: z.boolean(),
    pinFinalTry: z.boolean(),
    pinLocked: z.boolean(),
    certificates: z.array(TokenCertificateEntry).max(64),
  })
  .strict();

/**
 * PAdES options shared by `sign.files` and `sign.documents`: fill an existing empty signature
 * field (fully qualified name) instead of adding one; certify with a DocMDP permission.
 */
export const PdfSignOptions = {
  field: z.string().min(1).max(256).optional(),
  /** A certification signature: 1 no changes allowed, 2 form filling and signing, 3 also comments. */
  certify: z.union([z.literal(1), z.literal(2), z.literal(3)]).optional(),
  /** An RFC 3161 TSA (http: or https:): each signature gets a timestamp (B-T) when it answers. */
  tsaUrl: TsaUrl.optional(),
};

export const SignFilesInput = z
  .object({
    files: z
      .array(
        z
          .object({
            path: Path,
            /** Where to write; default next to the input (`name.signed.pdf`, `name.ext.p7s`) or in `outDir`. */
            output: Path.optional(),
          })
          .strict(),
      )
      .min(1)
      .max(1000),
    outDir: Path.optional(),
    /** `auto`: PAdES for PDF files, CAdES detached (.p7s) for anything else. */
    format: z.enum(['auto', 'pades', 'cades']).default('auto'),
    token: TokenSelector,
    keyId: z
      .string()
      .regex(/^([0-9a-fA-F]{2}){1,64}$/)
      .optional(),
    /** Used for one C_Login and dropped: never stored, logged, echoed in errors or retried. */
    pin: z.string().min(1).max(64),
    reason: Text(256).optional(),
    location: Text(256).optional(),
    /** PAdES: draw a stamp (signer, time, reason) on the first page. */
    visible: z.boolean().optional(),
    /** RSA keys: PKCS#1 v1.5 (default) or PSS. */
    rsaScheme: z.enum(['pkcs1', 'pss']).optional(),
    ...PdfSignOptions,
  })
  .strict();

export const SignFileResult = z
  .object({
    input: Path,
    output: Path,
    ok: z.boolean(),
    /** PAdES / CAdES baseline level: B-T when a signature timestamp was added. */
    level: z.enum(['B-B', 'B-T']).optional(),
    error: ErrorShape.optional(),
  })
  .strict();

export const VerdictSchema = z.enum(['valid', 'invalid', 'indeterminate']);

export const ReasonEntry = z
  .object({
    code: Text(64),
    severity: z.enum(['invalid', 'indeterminate', 'info']),
    etsi: Text(64).optional(),
    en: Text(512),
    vi: Text(512),
    /** Pages (1-based) the reason names, e.g. those changed after signing. */
    pages: z.array(z.number().int().positive()).max(10_000).optional(),
  })
  .strict();

export const SignatureEntry = z
  .object({
    signer: Text(256).nullable(),
    signingTime: Text(32).nullable(),
    verdict: VerdictSchema,
    reasons: z.array(ReasonEntry).max(32),
    chain: z.array(Text(256)).max(16),
    certificate: z
      .object({
        subject: Text(256),
        issuer: Text(256),
        serial: Text(128),
        notBefore: Text(32),
        notAfter: Text(32),
      })
      .strict()
      .nullable(),
    subFilter: Text(64).optional(),
    reason: Text(1024).optional(),
    location: Text(1024).optional(),
    coversWholeDocument: z.boolean().optional(),
    /** PDF: the signature field's name. */
    fieldName: Text(256).optional(),
    /** PDF: the revision this signature covers, i.e. the file's first `length` bytes ("the signed version"). */
    signedRevision: z
      .object({
        index: z.number().int().positive(),
        length: z.number().int().positive(),
        sha256: z.string().regex(/^[0-9a-f]{64}$/),
      })
      .strict()
      .optional(),
    /** PDF: a certification signature and its DocMDP permission (1 no changes, 2 forms, 3 forms and comments). */
    certification: z
      .object({ permission: z.union([z.literal(1), z.literal(2), z.literal(3)]) })
      .strict()
      .optional(),
  })
  .strict();

export const VerifyReportSchema = z
  .object({
    kind: z.enum(['pdf', 'cades']),
    verdict: VerdictSchema,
    signatures: z.array(SignatureEntry).max(64),
    reasons: z.array(ReasonEntry).max(32),
  })
  .strict();

/** One certificate of a validated path, target first. */
export const PathCertificateEntry = z
  .object({
    subject: Text(256),
    issuer: Text(256),
    serial: Text(128),
    notBefore: Text(32),
    notAfter: Text(32),
    sha256: z.string().regex(/^[0-9A-F:]{95}$/),
  })
  .strict();

export const CertVerifyInput = z
  .object({
    /** The certificate (PEM or DER); more PEM certificates after it join the untrusted pool. */
    path: Path,
    /** The validation time (ISO 8601); default now. Everything is judged as of that time. */
    at: z.iso.datetime({ offset: true }).optional(),
    /** `document-signing` adds the signer's key usage and extended key usage rules. */
    purpose: z.enum(['document-signing', 'timestamping', 'any']).default('document-signing'),
  })
  .strict();

export const CertVerifyOutput = z
  .object({
    verdict: VerdictSchema,
    /** A path to a trust anchor was found (the verdict may still be negative). */
    trusted: z.boolean(),
    path: z.array(PathCertificateEntry).max(16),
    reasons: z.array(ReasonEntry).max(32),
  })
  .strict();

/** A trust anchor in use, and where it came from (`trust.anchors`). */
export const TrustAnchorEntry = z
  .object({
    subject: Text(512),
    issuer: Text(512),
    notBefore: Text(32),
    notAfter: Text(32),
    sha256: z.string().regex(/^[0-9a-f]{64}$/),
    /** shipped: the app's pinned folder; configured: given at start (--trust); policy: IT's signed policy. */
    source: z.enum(['shipped', 'configured', 'policy']),
  })
  .strict();

export const signingContract = {
  /** The trust anchors signatures are checked against now, with where each came from (Settings). */
  'trust.anchors': {
    input: z.object({}).strict(),
    output: z.object({ anchors: z.array(TrustAnchorEntry).max(1000) }).strict(),
  },
  /** Inserted tokens and the certificates on each (holder, issuer, expiry, key id, key type). */
  'token.list': {
    input: z.object({}).strict(),
    output: z.object({ tokens: z.array(TokenEntry).max(64) }).strict(),
  },
  /**
   * The token drivers the workstation knows (`resources/pkcs11-modules.json`), by id and name in
   * both languages, and whether each is installed here: what the first-run wizard offers.
   */
  'token.drivers': {
    input: z.object({}).strict(),
    output: z
      .object({
        drivers: z
          .array(
            z.object({ id: DriverId, name: Text(256), nameVi: Text(256), installed: z.boolean() }).strict(),
          )
          .max(64),
      })
      .strict(),
  },
  /**
   * Signs files with one PIN entry (one C_Login). The certificate is checked first (validity,
   * key usage, chain to the trust anchors); a wrong PIN fails the call with no retry. Each file
   * gets its own result; files already signed are kept if the token is pulled. CLI only: it
   * reads and writes files by path (the interface signs vault documents: `sign.documents`).
   */
  'sign.files': {
    input: SignFilesInput,
    output: z.object({ results: z.array(SignFileResult).max(1000) }).strict(),
  },
  /** Verifies a signed PDF (every signature) or a detached .p7s with its content file. CLI only. */
  'verify.file': {
    input: z.object({ path: Path, contentPath: Path.optional() }).strict(),
    output: VerifyReportSchema,
  },
  /**
   * Certificate path validation alone (RFC 5280, the validator signatures use), against the
   * configured anchors, intermediates and CRLs: for IT and scripts (`embassy cert verify`).
   */
  'cert.verify': { input: CertVerifyInput, output: CertVerifyOutput },
  /**
   * Verifies the file at `path` (with `contentPath` for a .p7s) and writes the verification
   * report to `output` as a PDF in `language` (per signature: who, when claimed and proven,
   * coverage, changes, chain, revocation, timestamp, verdict and reasons). CLI only.
   */
  'verify.report': {
    input: z
      .object({ path: Path, contentPath: Path.optional(), output: Path, language: z.enum(['vi', 'en']) })
      .strict(),
    output: VerifyReportSchema,
  },
  /**
   * PAdES B-LT: writes to `output` the signed PDF at `path` with the chains and CRLs of its
   * signatures (from the configured trust and its DSS) added in a DSS update; B-LTA with a
   * document timestamp from `tsaUrl`. CLI only.
   */
  'verify.addValidationData': {
    /** With `tsaUrl`, a document timestamp is added after the DSS (B-LTA). */
    input: z.object({ path: Path, output: Path, tsaUrl: TsaUrl.optional() }).strict(),
    output: z
      .object({ certs: z.number().int().nonnegative(), crls: z.number().int().nonnegative() })
      .strict(),
  },
} as const;
