import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { CoreError, ErrorCode, type ErrorCode as ErrorCodeType } from '../../../shared/contract/errors';
import { sha256File, signCades } from './cades';
import { signPades } from './pades';
import type { PdfSandbox } from '../pdf-sandbox';
import type { FileResult, SignJob, SignProgress, SignRequest } from './sign-request';
import type { Signer } from './signer';
import type { TimestampSource } from './tsa-client';
import { writeFileAtomic } from './write-file-atomic';

/** Errors after which no further file in a batch can succeed. */
const FATAL = new Set<string>([
  ErrorCode.TokenRemoved,
  ErrorCode.TokenNotPresent,
  ErrorCode.TokenSessionClosed,
  ErrorCode.TokenHostFailed,
  ErrorCode.TokenPinLocked,
  ErrorCode.TokenNotLoggedIn,
]);

/**
 * Signs each job in order with one logged-in signer: a result per file, progress after each.
 * A file-level failure does not stop the rest; a token-level one fails every remaining file
 * without touching the token again; an abort ends the rest as cancelled.
 */
export async function runSignBatch(
  request: SignRequest,
  signer: Signer,
  now: () => Date,
  events: { onProgress?: (p: SignProgress) => void; signal?: AbortSignal },
  pdf: PdfSandbox,
): Promise<FileResult[]> {
  const results: FileResult[] = [];
  let fatal: { code: ErrorCodeType; message: string } | undefined;
  for (const job of request.jobs) {
    let result: FileResult;
    if (events.signal?.aborted) {
      result = { ...job, ok: false, error: { code: ErrorCode.Cancelled, message: 'cancelled' } };
    } else if (fatal) {
      result = { ...job, ok: false, error: fatal };
    } else {
      try {
        let stamped = false;
        const source = request.timestamp;
        const timestamp = source
          ? async (digest: Uint8Array) => {
              const token = await source(digest);
              stamped = true;
              return token;
            }
          : undefined;
        const data = await signOne(job, request, signer, now(), timestamp, pdf);
        if (job.write) await job.write(data);
        else await writeFileAtomic(job.output, data);
        result = { input: job.input, output: job.output, ok: true, level: stamped ? 'B-T' : 'B-B' };
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
  return results;
}

async function signOne(
  job: SignJob,
  request: SignRequest,
  signer: Signer,
  signingTime: Date,
  timestamp: TimestampSource | undefined,
  pdf: PdfSandbox,
): Promise<Buffer> {
  if (job.format === 'pades') {
    return signPades(
      job.read ? await job.read() : await readFile(job.input),
      signer,
      {
        signingTime,
        ...(request.reason ? { reason: request.reason } : {}),
        ...(request.location ? { location: request.location } : {}),
        ...(request.visible ? { visible: {} } : {}),
        ...(request.field ? { fieldName: request.field } : {}),
        ...(request.certify ? { certify: request.certify } : {}),
        ...(request.language ? { language: request.language } : {}),
        ...(timestamp ? { timestamp } : {}),
      },
      pdf,
    );
  }
  const digest = job.read
    ? createHash('sha256')
        .update(await job.read())
        .digest()
    : await sha256File(job.input);
  return signCades(digest, signer, signingTime, timestamp);
}

function toFileError(e: unknown): { code: ErrorCodeType; message: string } {
  if (e instanceof CoreError) return { code: e.code, message: e.message };
  const errno = (e as NodeJS.ErrnoException | undefined)?.code;
  if (typeof errno === 'string' && /^E[A-Z]+$/.test(errno)) {
    return { code: ErrorCode.FileAccess, message: `file access failed (${errno})` };
  }
  return { code: ErrorCode.Internal, message: 'signing this file failed' };
}
