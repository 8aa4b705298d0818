import { createHash, type X509Certificate } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { CoreError, ErrorCode } from '../../../shared/contract/errors';
import {
  resolveModules,
  startTokenHost,
  TokenError,
  type SignMechanism,
  type TokenClient,
  type TokenHostOptions,
} from '../token';
import { createPdfSandbox, type PdfOutlook, type PdfSandbox } from '../pdf-sandbox';
import { runSignBatch } from './sign-batch';
import type { FileResult, SignProgress, SignRequest } from './sign-request';
import type { Signer } from './signer';
import { prepareSigner } from './signer-preparation';
import { listTokens, type TokenListing } from './token-listing';
import { stampCms, stampPdf, type LateStamp } from './late-timestamp';
import { addValidationData, type ValidationDataResult } from './validation-data';
import { longTermOf, type LongTermOutcome } from './long-term';
import { appendDocumentTimestamp } from './document-timestamp';
import { reportFonts } from './report-fonts';
import { reportLines } from './report-lines';
import type { Language } from '../../../shared/domain/language';
import { writeFileAtomic } from './write-file-atomic';
import { tsaClient, type TimestampSource } from './tsa-client';
import { verifyCades, verifyPdf, type TrustSettings, type VerifyReport } from './verify';
import {
  checkCertificateFile,
  type CertificateCheck,
  type CertificateCheckOptions,
} from './certificate-check';

export { signOptions } from './sign-request';
export type { FileResult, SignFormat, SignJob, SignProgress, SignRequest } from './sign-request';
export type { TokenCertificateInfo, TokenListing } from './token-listing';
export { writeFileAtomic } from './write-file-atomic';

/**
 * The signing workflow over the token process: list tokens and their certificates, check the
 * chosen certificate before any PIN is used, sign many files with one C_Login, write each
 * result atomically next to its target, and verify files. Owns one token host per module,
 * started on first use; `close()` ends it.
 */

export interface SigningServiceOptions {
  /** The PKCS#11 module from settings; when absent, the installed known modules are probed. */
  readonly modulePath?: string | undefined;
  /** Consulted when `modulePath` is absent: the module named in the workstation settings. */
  readonly modulePathFromSettings?: () => Promise<string | undefined>;
  /** Token host process options (tests pass SOFTHSM2_CONF in env). */
  readonly tokenHost?: Omit<TokenHostOptions, 'modulePath'>;
  /**
   * Where the token client comes from (the core's shared pool, so the vault and signing use
   * one process per module); default: a process of our own.
   */
  readonly startClient?: (modulePath: string) => Promise<TokenClient>;
  /**
   * The TSA from the workstation settings, used when a request names none (B-T); `pin` is the
   * SHA-256 of its TLS certificate when it is HQ's relay.
   */
  readonly tsaFromSettings?: () => Promise<{ url: string; pin?: string } | undefined>;
  /** Trust anchors, intermediates, cached CRLs. */
  readonly trust: () => Promise<TrustSettings> | TrustSettings;
  readonly now?: () => Date;
  /**
   * Where PDFs are parsed (the core's one sandbox, shared with the vault's indexing); default:
   * a sandbox of our own, ended by `close()`.
   */
  readonly pdf?: PdfSandbox;
}

export interface SigningService {
  listTokens(): Promise<TokenListing[]>;
  signFiles(
    request: SignRequest,
    events?: { onProgress?: (p: SignProgress) => void; signal?: AbortSignal },
  ): Promise<FileResult[]>;
  verifyFile(path: string, contentPath?: string): Promise<VerifyReport>;
  /** Path validation of one certificate file against the configured trust (`cert.verify`). */
  verifyCertificate(path: string, options: CertificateCheckOptions): Promise<CertificateCheck>;
  /** The same, on bytes in memory: a PDF, or a detached CMS with the content it signs. */
  verifyBytes(data: Uint8Array, content?: Uint8Array): Promise<VerifyReport>;
  /** What signing this PDF would meet (its fields, certification, refusal), before the PIN. */
  signingOutlook(pdf: Uint8Array): Promise<Omit<PdfOutlook, 'pageCount'>>;
  /**
   * One raw signature by the token key over `data` (the sync enrolment binds device keys to the
   * officer's certificate this way). The certificate is checked as for signing, before the PIN.
   */
  signRaw(
    request: Pick<SignRequest, 'token' | 'keyId' | 'pin' | 'rsaScheme'>,
    data: Uint8Array | ((certificate: X509Certificate) => Uint8Array),
  ): Promise<{
    signature: Uint8Array;
    mechanism: SignMechanism;
    certificate: X509Certificate;
    chain: readonly X509Certificate[];
  }>;
  /**
   * B-LT (validation-data.ts): the signed PDF at `path` with its signatures' chains and CRLs
   * in a DSS update, written atomically to `output`.
   */
  addValidationDataToFile(
    path: string,
    output: string,
    tsaUrl?: string,
  ): Promise<{ certs: number; crls: number }>;
  /**
   * The same on bytes in memory (a received PDF in the vault), with every CRL at hand: the
   * officer asks for it, as `embassy verify --add-validation-data` does.
   */
  addValidationDataToBytes(pdf: Uint8Array): Promise<ValidationDataResult>;
  /**
   * B-LT after signing (long-term.ts): the DSS once CRLs issued after the last signature's
   * timestamp are at hand, or why not yet.
   */
  longTerm(pdf: Uint8Array): Promise<LongTermOutcome>;
  /** The verification report as a PDF in `language` (report-lines.ts, laid out in the sandbox). */
  reportPdf(
    report: VerifyReport,
    file: { name: string; bytes: Uint8Array },
    language: Language,
  ): Promise<Uint8Array>;
  /** Whether signatures made now would be timestamped (a TSA is configured in settings). */
  timestampConfigured(): Promise<boolean>;
  /**
   * Adds the signature timestamp a B-B signature missed (late-timestamp.ts): a PDF's last
   * signature in place, or a .p7s. `no-tsa` when none is configured.
   */
  stamp(data: Uint8Array, format: 'pades' | 'cades'): Promise<LateStamp | { ok: false; why: 'no-tsa' }>;
  /** The running token host, for callers that need more (the vault's key binding, tests). */
  tokenClient(): Promise<TokenClient>;
  close(): Promise<void>;
}

const isPdf = (data: Uint8Array) => Buffer.from(data.subarray(0, 5)).toString('latin1') === '%PDF-';
/**
 * Without the content, a file is verified as a PDF unless it looks like a CMS (DER SEQUENCE or
 * PEM): a PDF whose header was damaged gets the sandbox's FORMAT_FAILURE report, not a request
 * for the signed content.
 */
const asPdf = (data: Uint8Array) =>
  isPdf(data) ||
  !(data[0] === 0x30 || Buffer.from(data.subarray(0, 64)).toString('latin1').includes('-----BEGIN'));

export function createSigningService(options: SigningServiceOptions): SigningService {
  let client: Promise<TokenClient> | undefined;
  let clientModule: string | undefined;
  // Hosts of drivers chosen before: kept until close(), an operation may still be using one.
  const retired: Promise<TokenClient>[] = [];
  const now = options.now ?? (() => new Date());
  const pdf = options.pdf ?? createPdfSandbox();

  // The driver is looked up on every use: the officer may pick another one in the first-run
  // wizard, and the next listing must come from it, not from the first one tried.
  async function tokenClient(): Promise<TokenClient> {
    const configured = options.modulePath ?? (await options.modulePathFromSettings?.());
    const modulePath = resolveModules(configured)[0]?.path;
    if (!modulePath) throw new TokenError(ErrorCode.TokenModuleUnavailable);
    if (client && clientModule === modulePath) return client;
    const previous = client;
    const started = options.startClient
      ? options.startClient(modulePath)
      : startTokenHost({ ...options.tokenHost, modulePath });
    client = started;
    clientModule = modulePath;
    started.catch(() => {
      if (client === started) client = undefined;
    });
    if (previous) retired.push(previous);
    return started;
  }

  async function settingsTsa(): Promise<TimestampSource | undefined> {
    const tsa = await options.tsaFromSettings?.();
    return tsa ? tsaClient(tsa) : undefined;
  }

  return {
    tokenClient,

    async addValidationDataToFile(path, output, tsaUrl) {
      let bytes: Buffer;
      try {
        bytes = await readFile(path);
      } catch {
        throw new CoreError(ErrorCode.FileAccess, 'the file cannot be read');
      }
      if (!isPdf(bytes))
        throw new CoreError(ErrorCode.SignUnsupportedFile, 'validation data goes into PDFs only');
      const result = await addValidationData(bytes, await options.trust(), pdf, now());
      // B-LTA: the TSA must answer, or nothing is written (the caller asked for the timestamp).
      const out = tsaUrl
        ? await appendDocumentTimestamp(result.bytes, tsaClient({ url: tsaUrl }), pdf)
        : result.bytes;
      await writeFileAtomic(output, out);
      return { certs: result.certs, crls: result.crls };
    },

    async addValidationDataToBytes(data) {
      if (!isPdf(data))
        throw new CoreError(ErrorCode.SignUnsupportedFile, 'validation data goes into PDFs only');
      return addValidationData(data, await options.trust(), pdf, now());
    },

    async longTerm(data) {
      return longTermOf(data, await options.trust(), pdf, now());
    },

    async reportPdf(report, file, language) {
      const sha256 = createHash('sha256').update(file.bytes).digest('hex');
      const { title, lines } = reportLines(
        report,
        { fileName: file.name, sha256, checkedAt: now() },
        language,
      );
      return pdf.report(title, lines, await reportFonts());
    },

    async timestampConfigured() {
      return (await options.tsaFromSettings?.()) !== undefined;
    },

    async stamp(data, format) {
      const source = await settingsTsa();
      if (!source) return { ok: false, why: 'no-tsa' };
      return format === 'pades' ? stampPdf(data, source, pdf) : stampCms(data, source);
    },

    async listTokens() {
      return listTokens(await tokenClient());
    },

    async signFiles(request, events = {}) {
      const trust = await options.trust();
      const c = await tokenClient();
      const prepared = await prepareSigner(c, request, trust, now());
      // The one C_Login of this batch. A wrong PIN ends the call here: no retry, no second try.
      const session = await c.login(request.token, request.pin);
      const signer: Signer = {
        certificate: prepared.certificate,
        chain: prepared.chain,
        mechanism: prepared.mechanism,
        sign: (data) => session.sign(prepared.id, prepared.mechanism, data),
      };
      // The request's TSA, else the one in settings: every signature is then timestamped (B-T).
      const fromSettings = request.timestamp ? undefined : await settingsTsa();
      const stamped = fromSettings ? { ...request, timestamp: fromSettings } : request;
      try {
        return await runSignBatch(stamped, signer, now, events, pdf);
      } finally {
        await session.logout().catch(() => undefined);
      }
    },

    async signRaw(request, data) {
      const trust = await options.trust();
      const c = await tokenClient();
      // The relying party (HQ) checks the chain against its own anchors; validity and key usage
      // are still checked here, before the PIN.
      const prepared = await prepareSigner(c, request, trust, now(), false);
      const session = await c.login(request.token, request.pin);
      try {
        const bytes = typeof data === 'function' ? data(prepared.certificate) : data;
        const signature = await session.sign(prepared.id, prepared.mechanism, bytes);
        return {
          signature,
          mechanism: prepared.mechanism,
          certificate: prepared.certificate,
          chain: prepared.chain,
        };
      } finally {
        await session.logout().catch(() => undefined);
      }
    },

    async verifyBytes(data, content) {
      const trust = await options.trust();
      if (!content && asPdf(data)) return verifyPdf(data, trust, pdf);
      if (!content) throw new CoreError(ErrorCode.InvalidInput, 'a detached signature needs the signed file');
      return verifyCades(data, content, trust);
    },

    async verifyFile(path, contentPath) {
      const trust = await options.trust();
      let bytes: Buffer;
      try {
        bytes = await readFile(path);
      } catch {
        throw new CoreError(ErrorCode.FileAccess, 'the file cannot be read');
      }
      if (isPdf(bytes) && !contentPath) return verifyPdf(bytes, trust, pdf);
      const content = contentPath ?? (extname(path).toLowerCase() === '.p7s' ? path.slice(0, -4) : undefined);
      if (!content)
        throw new CoreError(ErrorCode.InvalidInput, 'a detached signature needs the signed file (--content)');
      let contentBytes: Buffer;
      try {
        contentBytes = await readFile(content);
      } catch {
        throw new CoreError(ErrorCode.FileAccess, 'the signed content cannot be read');
      }
      return verifyCades(bytes, contentBytes, trust);
    },

    async verifyCertificate(path, check) {
      return checkCertificateFile(path, await options.trust(), { ...check, at: check.at ?? now() });
    },

    async signingOutlook(data) {
      const { fields, certification, refusal } = await pdf.outlook(data);
      return { fields, certification, refusal };
    },

    async close() {
      if (!options.pdf) await pdf.close();
      const c = client;
      client = undefined;
      for (const old of retired.splice(0)) await (await old.catch(() => undefined))?.close();
      if (c) await (await c.catch(() => undefined))?.close();
    },
  };
}
