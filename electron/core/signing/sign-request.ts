import type { ErrorCode as ErrorCodeType } from '../../../shared/contract/errors';
import type { TokenRef } from '../token';
import { tsaClient, type TimestampSource } from './tsa-client';

/** What a signing request asks for: the jobs, the key, the PIN and the signature's options. */

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
  /** PAdES: fill this empty signature field (fully qualified name) instead of adding one. */
  readonly field?: string;
  /** PAdES: a certification signature with this DocMDP permission. */
  readonly certify?: 1 | 2 | 3;
  /** B-T: the TSA that timestamps each signature; a file it cannot stamp is signed B-B. */
  readonly timestamp?: TimestampSource;
  /** PAdES: the language of the visible stamp's labels (the officer's). */
  readonly language?: 'vi' | 'en';
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
  field?: string | undefined;
  certify?: 1 | 2 | 3 | undefined;
  tsaUrl?: string | undefined;
  language?: 'vi' | 'en' | undefined;
}): Omit<SignRequest, 'jobs'> {
  return {
    token: input.token,
    pin: input.pin,
    ...(input.keyId ? { keyId: input.keyId } : {}),
    ...(input.reason ? { reason: input.reason } : {}),
    ...(input.location ? { location: input.location } : {}),
    ...(input.visible ? { visible: true } : {}),
    ...(input.rsaScheme ? { rsaScheme: input.rsaScheme } : {}),
    ...(input.field ? { field: input.field } : {}),
    ...(input.certify ? { certify: input.certify } : {}),
    ...(input.language ? { language: input.language } : {}),
    ...(input.tsaUrl ? { timestamp: tsaClient({ url: input.tsaUrl }) } : {}),
  };
}

export type FileResult =
  | {
      readonly input: string;
      readonly output: string;
      readonly ok: true;
      /** The baseline level reached: B-T when a signature timestamp was added. */
      readonly level: 'B-B' | 'B-T';
    }
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
