import type { Worker } from 'node:worker_threads';
import { CoreError, ErrorCode, isErrorCode } from '../../../shared/contract/errors';
import { answerPdfText, type PdfTextSource } from './pdf-text-link';
import { startWorker, type WorkerScript } from './worker-location';
import {
  WORKER_OPS,
  WorkerResponse,
  type WorkerInput,
  type WorkerOp,
  type WorkerOutput,
} from './worker-protocol';

/** The caller's side of the vault worker: typed requests, validated answers, never a blocked loop. */
export interface VaultWorker {
  request<O extends WorkerOp>(
    op: O,
    input: WorkerInput<O>,
    transfer?: readonly ArrayBufferLike[],
  ): Promise<WorkerOutput<O>>;
  /** Stops the thread now (lock and wipe); pending requests fail with E_VAULT_LOCKED. */
  terminate(): Promise<void>;
  /** Called once if the thread ends by itself (crash, out of memory). */
  onExit(listener: () => void): void;
}

interface Pending {
  readonly op: WorkerOp;
  resolve(value: unknown): void;
  reject(error: unknown): void;
}

/** `pdfText`: where the worker's PDFs are read (the PDF sandbox); without it, none is indexed. */
export function startVaultWorker(script: WorkerScript, pdfText?: PdfTextSource): VaultWorker {
  const worker: Worker = startWorker(script, {
    // The worker needs no environment of ours; an empty one keeps secrets in env (there should
    // be none) out of its reach.
    env: {},
    stderr: false,
  });
  worker.unref();
  let nextId = 1;
  const pending = new Map<number, Pending>();
  let ended = false;
  let terminating = false;
  const exitListeners: (() => void)[] = [];

  const failAll = (error: CoreError) => {
    for (const p of pending.values()) p.reject(error);
    pending.clear();
  };

  const answer = answerPdfText(worker, pdfText);
  worker.on('message', (raw: unknown) => {
    if (answer(raw)) return;
    const parsed = WorkerResponse.safeParse(raw);
    if (!parsed.success) return;
    const response = parsed.data;
    const p = pending.get(response.id);
    if (!p) return;
    pending.delete(response.id);
    if (!response.ok) {
      const code = isErrorCode(response.error.code) ? response.error.code : ErrorCode.Internal;
      p.reject(new CoreError(code, response.error.message));
      return;
    }
    const checked = WORKER_OPS[p.op].output.safeParse(response.value);
    if (checked.success) p.resolve(checked.data);
    else p.reject(new CoreError(ErrorCode.Internal, `vault worker answered ${p.op} badly`));
  });
  worker.on('error', () => {
    ended = true;
    failAll(new CoreError(ErrorCode.Internal, 'the vault worker failed'));
  });
  worker.on('exit', () => {
    ended = true;
    failAll(new CoreError(ErrorCode.VaultLocked, 'the vault was locked'));
    if (!terminating) for (const l of exitListeners) l();
  });

  return {
    request(op, input, transfer = []) {
      if (ended) return Promise.reject(new CoreError(ErrorCode.VaultLocked, 'the vault is locked'));
      const id = nextId++;
      return new Promise((resolve, reject) => {
        pending.set(id, { op, resolve: resolve as (v: unknown) => void, reject });
        worker.postMessage({ id, op, input }, transfer as ArrayBuffer[]); // only ever ArrayBuffers
      });
    },
    async terminate() {
      terminating = true;
      if (ended) return;
      ended = true;
      await worker.terminate();
    },
    onExit(listener) {
      exitListeners.push(listener);
    },
  };
}
