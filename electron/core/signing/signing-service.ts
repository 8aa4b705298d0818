import { createHash } from 'node:crypto';
import { randomBytes, type X509Certificate } from 'node:crypto';
import { existsSync } from 'node:fs';
import { open, readdir, readFile, rename, rm } from 'node:fs/promises';
import { basename, dirname, extname, join } from 'node:path';
import { CoreError, ErrorCode, type ErrorCode as ErrorCodeType } from '../../../shared/contract/errors';
import {
  resolveModules,
  startTokenHost,
  TokenError,
  type SignMechanism,
  type TokenClient,
  type TokenHostOptions,
  type TokenRef,
} from '../token';
import { sha256File, signCades } from './cades';
import { allowsSigning, buildPath, displayName, parseCertificates, validAt } from './certificates';
import { signPades } from './pades';
import { PdfStructureError } from './pdf-incremental';
import type { Signer } from './signer';
import { verifyCades, verifyPdf, type TrustSettings, type VerifyReport } from './verify';

/**
 * The signing workflow over the token process: list tokens and their certificates, check the
 * chosen certificate before any PIN is used, sign many files with one C_Login, write each
 * result atomically next to its target, and verify files. Owns one token host per module,
 * started on first use; `close()` ends it.
 */

export type SignFormat = 'pades' | 'cades';

export interface SignJob {
  /** The input file, or a label for `read` (an attachment's name). */
  readonly input: string;
  /** The signed PDF, or the detached .p7s. Written atomically (temp file in the same folder, then rename). */
  readonly output: string;
  readonly format: SignFormat;
  /** Where the bytes come from instead of the input file (a vault attachment, in memory). */
  readonly read?: () => Promise<Uint8Array>;
  /** Where the result goes instead of the output file (back into the vault). */
  readonly write?: (data: Uint8Array) => Promise<void>;
}

export interface SignRequest {
  readonly jobs: readonly SignJob[];
  readonly token: TokenRef;
  /** CKA_ID (hex) of the key and certificate; default: the token's first signing certificate. */
  readonly keyId?: string;
  /** Used for one C_Login and dropped; never stored, logged or retried. */
  readonly pin: string;
  readonly reason?: string;
  readonly location?: string;
  /** PAdES: draw a stamp on the first page. */
  readonly visible?: boolean;
  /** RSA keys: PKCS#1 v1.5 (default) or PSS. */
  readonly rsaScheme?: 'pkcs1' | 'pss';
}

/**
 * The signing options of a contract input (`sign.files`, `sign.documents`), as a request
 * without its jobs: absent options stay absent.
 */
export function signOptions(input: {
  token: TokenRef;
  pin: string;
  keyId?: string | undefined;
  reason?: string | undefined;
  location?: string | undefined;
  visible?: boolean | undefined;
  rsaScheme?: 'pkcs1' | 'pss' | undefined;
}): Omit<SignRequest, 'jobs'> {
  return {
    token: input.token,
    pin: input.pin,
    ...(input.keyId ? { keyId: input.keyId } : {}),
    ...(input.reason ? { reason: input.reason } : {}),
    ...(input.location ? { location: input.location } : {}),
    ...(input.visible ? { visible: true } : {}),
    ...(input.rsaScheme ? { rsaScheme: input.rsaScheme } : {}),
  };
}

export type FileResult =
  | { readonly input: string; readonly output: string; readonly ok: true }
  | {
      readonly input: string;
      readonly output: string;
      readonly ok: false;
      readonly error: { code: ErrorCodeType; message: string };
    };

export interface SignProgress {
  readonly done: number;
  readonly total: number;
  readonly input: string;
  readonly ok: boolean;
}

export interface TokenCertificateInfo {
  readonly keyId: string;
  readonly label: string;
  readonly holder: string;
  readonly issuer: string;
  readonly notBefore: string;
  readonly notAfter: string;
  readonly keyType: 'rsa' | 'ec' | 'other';
  readonly isCa: boolean;
  readonly canSign: boolean;
}

export interface TokenListing {
  readonly label: string;
  readonly serial: string;
  readonly manufacturer: string;
  readonly model: string;
  readonly pinCountLow: boolean;
  readonly pinFinalTry: boolean;
  readonly pinLocked: boolean;
  readonly certificates: TokenCertificateInfo[];
}

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
  /** Trust anchors, intermediates, cached CRLs. */
  readonly trust: () => Promise<TrustSettings> | TrustSettings;
  readonly now?: () => Date;
}

export interface SigningService {
  listTokens(): Promise<TokenListing[]>;
  signFiles(
    request: SignRequest,
    events?: { onProgress?: (p: SignProgress) => void; signal?: AbortSignal },
  ): Promise<FileResult[]>;
  verifyFile(path: string, contentPath?: string): Promise<VerifyReport>;
  /** The same, on bytes in memory: a PDF, or a detached CMS with the content it signs. */
  verifyBytes(data: Uint8Array, content?: Uint8Array): Promise<VerifyReport>;
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
  /** The running token host, for callers that need more (the vault's key binding, tests). */
  tokenClient(): Promise<TokenClient>;
  close(): Promise<void>;
}

/** Errors after which no further file in a batch can succeed. */
const FATAL = new Set<string>([
  ErrorCode.TokenRemoved,
  ErrorCode.TokenNotPresent,
  ErrorCode.TokenSessionClosed,
  ErrorCode.TokenHostFailed,
  ErrorCode.TokenPinLocked,
  ErrorCode.TokenNotLoggedIn,
]);

export function createSigningService(options: SigningServiceOptions): SigningService {
  let client: Promise<TokenClient> | undefined;
  const now = options.now ?? (() => new Date());

  function tokenClient(): Promise<TokenClient> {
    if (!client) {
      client = (async () => {
        const configured = options.modulePath ?? (await options.modulePathFromSettings?.());
        const modulePath = resolveModules(configured)[0]?.path;
        if (!modulePath) throw new TokenError(ErrorCode.TokenModuleUnavailable);
        return options.startClient
          ? options.startClient(modulePath)
          : startTokenHost({ ...options.tokenHost, modulePath });
      })();
      client.catch(() => {
        client = undefined;
      });
    }
    return client;
  }

  async function certificatesOn(c: TokenClient, token: TokenRef) {
    const objects = await c.listObjects(token);
    return objects.certificates.flatMap((o) => {
      try {
        return [
          {
            id: o.id,
            label: o.label,
            cert: parseCertificates(Buffer.from(o.der, 'base64'))[0] as X509Certificate,
          },
        ];
      } catch {
        return []; // an unparsable object on the token is not offered
      }
    });
  }

  /** Picks the key and checks its certificate; throws before any PIN is used. */
  async function prepareSigner(
    c: TokenClient,
    request: SignRequest,
    trust: TrustSettings,
    requireTrust = true,
  ) {
    const certs = await certificatesOn(c, request.token);
    const endEntity = certs.filter((x) => !x.cert.ca);
    const keyId = request.keyId?.toLowerCase();
    const chosen = keyId
      ? certs.find((x) => x.id === keyId)
      : (endEntity.find((x) => allowsSigning(x.cert) && validAt(x.cert, now()) === 'ok') ?? endEntity[0]);
    if (!chosen) throw new TokenError(ErrorCode.TokenKeyNotFound);
    const pool = [...certs.filter((x) => x.cert.ca).map((x) => x.cert), ...(trust.intermediates ?? [])];
    const path = buildPath(chosen.cert, pool, trust.anchors, now(), trust.crls ?? []);
    const codes = new Set(path.reasons.map((r) => r.code));
    if (codes.has('CERT_EXPIRED') || codes.has('NOT_YET_VALID')) {
      throw new CoreError(
        ErrorCode.SignCertNotValidNow,
        `the certificate is not valid now (valid ${chosen.cert.validFrom} – ${chosen.cert.validTo})`,
      );
    }
    if (codes.has('KEY_USAGE')) {
      throw new CoreError(
        ErrorCode.SignCertKeyUsage,
        'the certificate key usage allows neither digitalSignature nor nonRepudiation',
      );
    }
    if (requireTrust && (!path.trusted || path.reasons.some((r) => r.severity !== 'info'))) {
      const why = path.reasons.find((r) => r.severity !== 'info')?.en ?? 'no trust anchor configured';
      throw new CoreError(ErrorCode.SignCertUntrusted, `the certificate cannot be trusted: ${why}`);
    }
    const keyType = chosen.cert.publicKey.asymmetricKeyType;
    let mechanism: SignMechanism;
    if (keyType === 'ec') mechanism = 'ecdsa-sha256';
    else if (keyType === 'rsa-pss' || (keyType === 'rsa' && request.rsaScheme === 'pss'))
      mechanism = 'rsa-pss-sha256';
    else if (keyType === 'rsa') mechanism = 'rsa-pkcs1-sha256';
    else throw new TokenError(ErrorCode.TokenMechanismUnsupported);
    // Embed the intermediates of the path; the anchor itself is the relying party's.
    const chain = path.chain
      .slice(1)
      .filter((x) => !trust.anchors.some((a) => a.fingerprint256 === x.fingerprint256));
    return { id: chosen.id, certificate: chosen.cert, chain, mechanism };
  }

  return {
    tokenClient,

    async listTokens() {
      const c = await tokenClient();
      const tokens = await c.listTokens();
      const out: TokenListing[] = [];
      for (const t of tokens) {
        const certs = await certificatesOn(c, { serial: t.serial }).catch(() => []);
        out.push({
          label: t.label,
          serial: t.serial,
          manufacturer: t.manufacturer,
          model: t.model,
          pinCountLow: t.flags.pinCountLow,
          pinFinalTry: t.flags.pinFinalTry,
          pinLocked: t.flags.pinLocked,
          certificates: certs.map(({ id, label, cert }) => {
            const kt = cert.publicKey.asymmetricKeyType;
            return {
              keyId: id,
              label,
              holder: displayName(cert.subject),
              issuer: displayName(cert.issuer),
              notBefore: new Date(cert.validFrom).toISOString(),
              notAfter: new Date(cert.validTo).toISOString(),
              keyType: kt === 'ec' ? 'ec' : kt === 'rsa' || kt === 'rsa-pss' ? 'rsa' : 'other',
              isCa: cert.ca,
              canSign: !cert.ca && allowsSigning(cert),
            };
          }),
        });
      }
      return out;
    },

    async signFiles(request, events = {}) {
      const trust = await options.trust();
      const c = await tokenClient();
      const prepared = await prepareSigner(c, request, trust);
      // The one C_Login of this batch. A wrong PIN ends the call here: no retry, no second try.
      const session = await c.login(request.token, request.pin);
      const signer: Signer = {
        certificate: prepared.certificate,
        chain: prepared.chain,
        mechanism: prepared.mechanism,
        sign: (data) => session.sign(prepared.id, prepared.mechanism, data),
      };
      const results: FileResult[] = [];
      let fatal: { code: ErrorCodeType; message: string } | undefined;
      try {
        for (const job of request.jobs) {
          let result: FileResult;
          if (events.signal?.aborted) {
            result = { ...job, ok: false, error: { code: ErrorCode.Cancelled, message: 'cancelled' } };
          } else if (fatal) {
            result = { ...job, ok: false, error: fatal };
          } else {
            try {
              const signingTime = now();
              const data =
                job.format === 'pades'
                  ? await signPades(job.read ? await job.read() : await readFile(job.input), signer, {
                      signingTime,
                      ...(request.reason ? { reason: request.reason } : {}),
                      ...(request.location ? { location: request.location } : {}),
                      ...(request.visible ? { visible: {} } : {}),
                    })
                  : await signCades(
                      job.read
                        ? createHash('sha256')
                            .update(await job.read())
                            .digest()
                        : await sha256File(job.input),
                      signer,
                      signingTime,
                    );
              if (job.write) await job.write(data);
              else await writeFileAtomic(job.output, data);
              result = { input: job.input, output: job.output, ok: true };
            } catch (e) {
              const error = toFileError(e);
              if (FATAL.has(error.code)) fatal = error;
              result = { input: job.input, output: job.output, ok: false, error };
            }
          }
          results.push(result);
          events.onProgress?.({
            done: results.length,
            total: request.jobs.length,
            input: job.input,
            ok: result.ok,
          });
        }
      } finally {
        await session.logout().catch(() => undefined);
      }
      return results;
    },

    async signRaw(request, data) {
      const trust = await options.trust();
      const c = await tokenClient();
      // The relying party (HQ) checks the chain against its own anchors; validity and key usage
      // are still checked here, before the PIN.
      const prepared = await prepareSigner(c, { ...request, jobs: [] }, trust, false);
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
      const isPdf = Buffer.from(data.subarray(0, 5)).toString('latin1') === '%PDF-';
      if (isPdf && !content) return verifyPdf(data, trust);
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
      if (bytes.subarray(0, 5).toString('latin1') === '%PDF-' && !contentPath) return verifyPdf(bytes, trust);
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

    async close() {
      const c = client;
      client = undefined;
      if (c) await (await c.catch(() => undefined))?.close();
    },
  };
}

function toFileError(e: unknown): { code: ErrorCodeType; message: string } {
  if (e instanceof CoreError) return { code: e.code, message: e.message };
  if (e instanceof PdfStructureError)
    return { code: ErrorCode.SignUnsupportedFile, message: `cannot sign this PDF: ${e.message}` };
  const errno = (e as NodeJS.ErrnoException | undefined)?.code;
  if (typeof errno === 'string' && /^E[A-Z]+$/.test(errno)) {
    return { code: ErrorCode.FileAccess, message: `file access failed (${errno})` };
  }
  return { code: ErrorCode.Internal, message: 'signing this file failed' };
}

/**
 * Writes via a temp file in the target's own folder, then renames: a crash or a pulled token
 * leaves the old file or the new one, never half of one, and no copy elsewhere.
 */
export async function writeFileAtomic(path: string, data: Uint8Array): Promise<void> {
  const tmp = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  const fh = await open(tmp, 'wx', 0o600);
  try {
    await fh.writeFile(data);
    await fh.sync();
  } finally {
    await fh.close();
  }
  try {
    await rename(tmp, path);
  } catch (e) {
    await rm(tmp, { force: true });
    throw e;
  }
}

/** Loads trust anchors (PEM or DER files) from a folder such as resources/trust-anchors. */
export async function loadCertificatesFromDir(dir: string): Promise<X509Certificate[]> {
  if (!existsSync(dir)) return [];
  const out: X509Certificate[] = [];
  for (const f of (await readdir(dir)).sort()) {
    if (!/\.(pem|crt|cer|der)$/i.test(f)) continue;
    out.push(...parseCertificates(await readFile(join(dir, f))));
  }
  return out;
}
