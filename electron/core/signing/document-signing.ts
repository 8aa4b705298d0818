import type { AuditRecorder } from '../../../shared/audit';
import { randomUUID } from 'node:crypto';
import type { z } from 'zod';
import type { SignDocumentsInput, SignJobStatus } from '../../../shared/contract/document-signing-calls';
import { CoreError, ErrorCode } from '../../../shared/contract/errors';
import type { HandlerTable } from '../contract';
import {
  createDocumentTransitions,
  documentActor,
  type DocumentTransitions,
  type VaultService,
} from '../vault';
import { signedCopyName } from './signed-copy-name';
import { signOptions, type SigningService, type SignJob } from './signing-service';
import type { TimestampQueue } from './timestamp-queue';
import { detachedSignatureName, P7S_MEDIA_TYPE, signableAttachment } from './signable-attachment';

/** The contract calls this module answers. */
export type DocumentSigningHandlers = Pick<
  HandlerTable,
  | 'sign.documents'
  | 'sign.progress'
  | 'sign.cancel'
  | 'sign.fields'
  | 'sign.timestamps'
  | 'verify.attachmentReport'
  | 'verify.attachment'
  | 'verify.bytes'
>;

type SignDocuments = z.output<typeof SignDocumentsInput>;
type ErrorShape = { code: string; message: string };

interface Job {
  status: SignJobStatus;
  readonly abort: AbortController;
}

/** Finished jobs kept for the UI to read their results; older ones are forgotten. */
const KEEP_FINISHED = 20;
/** attachments.read answers at most this much at once. */
const READ_CHUNK = 1024 * 1024;

/** Reads a whole attachment from the vault into memory (never a temp file); each chunk once. */
export async function readAttachment(vault: VaultService, id: string): Promise<Uint8Array> {
  const first = await vault.run('attachments.read', { id, offset: 0, length: READ_CHUNK });
  const out = new Uint8Array(first.size);
  out.set(first.bytes, 0);
  let offset = first.bytes.length;
  let eof = first.eof;
  while (!eof && offset < first.size) {
    const chunk = await vault.run('attachments.read', { id, offset, length: READ_CHUNK });
    if (chunk.bytes.length === 0) break;
    out.set(chunk.bytes, offset);
    offset += chunk.bytes.length;
    eof = chunk.eof;
  }
  return out;
}

/** Moves a signed document to `signed` when its workflow allows it (a signed one stays signed). */
async function markSigned(
  vault: VaultService,
  transitions: DocumentTransitions,
  documentId: string,
): Promise<void> {
  try {
    await transitions.move({
      id: documentId,
      to: 'signed',
      cause: 'signing',
      actor: await documentActor(vault),
    });
  } catch (e) {
    if (!(e instanceof CoreError && e.code === ErrorCode.TransitionRefused)) throw e;
  }
}

function errorOf(e: unknown): ErrorShape {
  if (e instanceof CoreError) return { code: e.code, message: e.message };
  return { code: ErrorCode.Internal, message: 'signing failed' };
}

/**
 * Signs vault documents with one PIN for the batch, as a job: PAdES signs the latest PDF
 * attachment and stores the signed PDF back; CAdES signs the latest file of any kind and
 * stores the detached `.p7s` beside it. Either way the document becomes `signed`.
 * Documents already signed stay signed if the token is pulled or the officer cancels.
 */
export function createDocumentSigningHandlers(deps: {
  vault: VaultService;
  signing: SigningService;
  /** Where each signed or refused document is recorded (the audit log). */
  audit?: AuditRecorder;
  /** Where documents signed B-B while the TSA was away wait for their timestamp. */
  stampQueue: TimestampQueue;
  /** The core's door for status changes (its listeners see `signed`); default: one of our own. */
  transitions?: DocumentTransitions;
}): DocumentSigningHandlers {
  const { vault, signing, stampQueue } = deps;
  const transitions = deps.transitions ?? createDocumentTransitions(vault);
  const record: AuditRecorder['record'] = (kind, refs) => deps.audit?.record(kind, refs);
  const jobs = new Map<string, Job>();

  const forgetOldJobs = () => {
    const finished = [...jobs.values()].filter((j) => j.status.state !== 'running');
    for (const j of finished.slice(0, Math.max(0, finished.length - KEEP_FINISHED)))
      jobs.delete(j.status.jobId);
  };

  async function run(job: Job, input: SignDocuments): Promise<void> {
    const status = job.status;
    const format = input.format ?? 'pades';
    // Resolve each document's PDF first: a document without one fails alone, before the PIN.
    const signJobs: { documentId: string; job: SignJob }[] = [];
    const early = new Map<string, ErrorShape>();
    const attachmentIds = new Map<string, string>();
    for (const documentId of input.documentIds) {
      try {
        const detail = await vault.run('documents.get', { id: documentId });
        const source = signableAttachment(detail.attachments, format);
        if (!source) {
          early.set(documentId, {
            code: ErrorCode.SignUnsupportedFile,
            message:
              format === 'pades' ? 'the document has no PDF to sign' : 'the document has no file to sign',
          });
          continue;
        }
        const taken = detail.attachments.map((a) => a.name);
        const output =
          format === 'pades'
            ? signedCopyName(source.name, detail.document.version, taken)
            : detachedSignatureName(source.name, taken);
        signJobs.push({
          documentId,
          job: {
            input: source.name,
            output,
            format,
            read: () => readAttachment(vault, source.id),
            write: async (data) => {
              const stored = await vault.run('attachments.add', {
                documentId,
                source: { kind: 'bytes', bytes: data },
                name: output,
                mediaType: format === 'pades' ? 'application/pdf' : P7S_MEDIA_TYPE,
              });
              attachmentIds.set(documentId, stored.id);
              await markSigned(vault, transitions, documentId);
            },
          },
        });
      } catch (e) {
        early.set(documentId, errorOf(e));
      }
    }
    const finishedEarly = () => {
      for (const [documentId, error] of early) status.results.push({ documentId, ok: false, error });
      status.done = status.results.length;
    };
    if (signJobs.length === 0) {
      finishedEarly();
      for (const r of status.results)
        record('sign.refused', { documentId: r.documentId, ...(r.error ? { code: r.error.code } : {}) });
      status.state = 'done';
      return;
    }
    const results = await signing.signFiles(
      {
        jobs: signJobs.map((j) => j.job),
        ...signOptions(input),
      },
      {
        signal: job.abort.signal,
        onProgress: (p) => {
          const documentId = signJobs[p.done - 1]?.documentId;
          if (!documentId) return;
          const attachmentId = attachmentIds.get(documentId);
          status.results.push({ documentId, ok: p.ok, ...(attachmentId ? { attachmentId } : {}) });
          status.done = status.results.length;
        },
      },
    );
    // Attach the per-file errors to the results reported during progress.
    results.forEach((r, i) => {
      const entry = status.results[i];
      if (entry && !r.ok) entry.error = { code: r.error.code, message: r.error.message };
    });
    // Signed B-B although a TSA is configured: the timestamp is added on the next connection.
    await stampQueue.enqueue(
      results.flatMap((r, i) => {
        const documentId = signJobs[i]?.documentId;
        const attachmentId = documentId ? attachmentIds.get(documentId) : undefined;
        // The queue adds document timestamps to PDFs; a .p7s keeps its B-B level.
        return format === 'pades' && r.ok && r.level === 'B-B' && documentId && attachmentId
          ? [{ attachmentId, documentId }]
          : [];
      }),
    );
    // Signed B-T: the validation data follows once CRLs issued after the timestamp are at hand.
    await stampQueue.awaitValidationData(
      results.flatMap((r, i) => {
        const documentId = signJobs[i]?.documentId;
        const attachmentId = documentId ? attachmentIds.get(documentId) : undefined;
        return r.ok && r.level === 'B-T' && documentId && attachmentId ? [{ attachmentId, documentId }] : [];
      }),
    );
    finishedEarly();
    for (const r of status.results) {
      if (r.ok)
        record('sign.done', {
          documentId: r.documentId,
          ...(r.attachmentId ? { attachmentId: r.attachmentId } : {}),
        });
      else record('sign.refused', { documentId: r.documentId, ...(r.error ? { code: r.error.code } : {}) });
    }
    status.state = job.abort.signal.aborted ? 'cancelled' : 'done';
  }

  const find = (jobId: string): Job => {
    const job = jobs.get(jobId);
    if (!job) throw new CoreError(ErrorCode.NotFound, 'no such signing job');
    return job;
  };
  const snapshot = (job: Job): SignJobStatus => structuredClone(job.status);

  return {
    async 'sign.documents'(input) {
      // Fail at once, not in the job, when there is nothing to sign into.
      const state = (await vault.status()).state;
      if (state === 'absent') throw new CoreError(ErrorCode.VaultAbsent, 'no vault');
      if (state === 'locked') throw new CoreError(ErrorCode.VaultLocked, 'the vault is locked');
      const job: Job = {
        status: {
          jobId: randomUUID(),
          state: 'running',
          total: input.documentIds.length,
          done: 0,
          results: [],
        },
        abort: new AbortController(),
      };
      jobs.set(job.status.jobId, job);
      forgetOldJobs();
      void run(job, input).catch((e: unknown) => {
        job.status.state = 'failed';
        job.status.error = errorOf(e);
      });
      return snapshot(job);
    },
    'sign.progress': async ({ jobId }) => snapshot(find(jobId)),
    async 'sign.cancel'({ jobId }) {
      const job = find(jobId);
      job.abort.abort();
      return snapshot(job);
    },
    async 'sign.fields'({ attachmentId }) {
      return signing.signingOutlook(await readAttachment(vault, attachmentId));
    },
    'sign.timestamps': async () => stampQueue.flush(),
    async 'verify.attachmentReport'({ id, name, language }) {
      const bytes = await readAttachment(vault, id);
      const report = await signing.verifyBytes(bytes);
      const pdf = await signing.reportPdf(report, { name, bytes }, language);
      return { verdict: report.verdict, base64: Buffer.from(pdf).toString('base64') };
    },
    async 'verify.attachment'({ id }) {
      return signing.verifyBytes(await readAttachment(vault, id));
    },
    async 'verify.bytes'({ base64, contentBase64 }) {
      const data = Buffer.from(base64, 'base64');
      return signing.verifyBytes(data, contentBase64 ? Buffer.from(contentBase64, 'base64') : undefined);
    },
  };
}
