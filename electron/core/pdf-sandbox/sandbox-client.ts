import { CoreError, ErrorCode } from '../../../shared/contract/errors';
import {
  defaultSandboxEntry,
  forkSandbox,
  type SandboxLauncher,
  type SandboxProcess,
} from './sandbox-launcher';
import {
  MAX_SANDBOX_PDF_BYTES,
  SANDBOX_ERROR_CODES,
  SANDBOX_OPS,
  SandboxResponse,
  type PdfOutlook,
  type PdfSignatureFacts,
  type PrepareOptions,
  type PreparedUpdate,
  type SandboxInput,
  type SandboxOp,
  type SandboxOutput,
} from './sandbox-protocol';
import type { TextFormat } from '../../../shared/domain/document';

export interface PdfSandboxOptions {
  /** How the process starts (default: a forked Node child; the app passes a utilityProcess). */
  readonly launch?: SandboxLauncher;
  /** The entry and its Node flags (default: the bundle beside ours, or the TS source via tsx). */
  readonly host?: { readonly entry: string; readonly execArgv: readonly string[] };
  /** Per file: past this, the process is killed and the file gets E_PDF_TIMEOUT. */
  readonly timeoutMs?: number;
  /** The sandbox's V8 heap limit in MiB. */
  readonly maxOldSpaceMb?: number;
}

/** What the sandbox has lived through (tests and the fuzz report read it). */
export interface PdfSandboxStats {
  readonly starts: number;
  readonly crashes: number;
  readonly timeouts: number;
  readonly requests: number;
  /** Process ids started, newest last (tests measure their memory). */
  readonly pids: readonly number[];
}

/** The core's handle on the PDF sandbox: every PDF the core reads is read through here. */
export interface PdfSandbox {
  /** The text of a PDF's pages (or a .txt, .docx, .odt file's text), at most `maxChars` characters. */
  text(bytes: Uint8Array, maxChars: number, format?: TextFormat): Promise<string>;
  /** Page count and signature fields. */
  outlook(bytes: Uint8Array): Promise<PdfOutlook>;
  /** Every signature's facts, for the core to judge. */
  signatures(bytes: Uint8Array): Promise<PdfSignatureFacts>;
  /** The incremental update with an empty signature placeholder. */
  prepare(bytes: Uint8Array, options: PrepareOptions): Promise<PreparedUpdate>;
  /** The file with a DSS update (B-LT) holding these certificates and CRLs (DER) appended. */
  dss(bytes: Uint8Array, data: { certs: Uint8Array[]; crls: Uint8Array[] }): Promise<Uint8Array>;
  /** A text report laid out as a PDF in the given fonts (the verification report). */
  report(
    title: string,
    lines: readonly { text: string; size?: number; indent?: number }[],
    fonts: Uint8Array[],
  ): Promise<Uint8Array>;
  stats(): PdfSandboxStats;
  /** Ends the process; later requests fail with E_PDF_PARSER_FAILED. */
  close(): Promise<void>;
}

export const DEFAULT_SANDBOX_TIMEOUT_MS = 30_000;
export const DEFAULT_SANDBOX_HEAP_MB = 512;

interface Running {
  readonly process: SandboxProcess;
  /** The answer of the one request out, if any. */
  waiting: ((response: unknown) => void) | null;
  exited: Promise<void>;
}

/**
 * One sandbox process, started on first use, one request at a time: so a crash or a timeout
 * is that request's own error (E_PDF_PARSER_FAILED, E_PDF_TIMEOUT) and the next file gets a
 * fresh process. Answers are checked against the operation's schema; an answer that does not
 * fit means the process is not ours to trust any more, and it is killed like a crashed one.
 */
export function createPdfSandbox(options: PdfSandboxOptions = {}): PdfSandbox {
  const launch = options.launch ?? forkSandbox;
  const timeoutMs = options.timeoutMs ?? DEFAULT_SANDBOX_TIMEOUT_MS;
  const maxOldSpaceMb = options.maxOldSpaceMb ?? DEFAULT_SANDBOX_HEAP_MB;
  const stats = { starts: 0, crashes: 0, timeouts: 0, requests: 0, pids: [] as number[] };
  let current: Running | null = null;
  let closed = false;
  let nextId = 1;
  let queue: Promise<unknown> = Promise.resolve();

  const start = (): Running => {
    const { entry, execArgv } = options.host ?? defaultSandboxEntry();
    const process = launch(entry, { execArgv, maxOldSpaceMb });
    stats.starts++;
    if (process.pid !== undefined) stats.pids.push(process.pid);
    const running: Running = {
      process,
      waiting: null,
      exited: new Promise<void>((resolve) => process.onExit(resolve)),
    };
    process.onMessage((message) => running.waiting?.(message));
    void running.exited.then(() => {
      if (current === running) current = null;
    });
    return running;
  };

  const stop = (running: Running) => {
    if (current === running) current = null;
    running.process.kill();
  };

  async function runOne<O extends SandboxOp>(op: O, input: SandboxInput<O>): Promise<SandboxOutput<O>> {
    if (closed) throw new CoreError(ErrorCode.PdfParserFailed, 'the PDF sandbox is closed');
    stats.requests++;
    const running = (current ??= start());
    const id = nextId++;
    running.process.setBusy?.(true);
    let timer: NodeJS.Timeout | undefined;
    try {
      const outcome = await new Promise<
        { kind: 'answer'; raw: unknown } | { kind: 'exit' } | { kind: 'timeout' }
      >((resolve) => {
        running.waiting = (raw) => resolve({ kind: 'answer', raw });
        void running.exited.then(() => resolve({ kind: 'exit' }));
        timer = setTimeout(() => resolve({ kind: 'timeout' }), timeoutMs);
        running.process.send({ id, op, input });
      });
      if (outcome.kind === 'timeout') {
        stats.timeouts++;
        stop(running);
        throw new CoreError(ErrorCode.PdfTimeout, `reading the PDF took longer than ${timeoutMs} ms`);
      }
      if (outcome.kind === 'exit') {
        stats.crashes++;
        throw new CoreError(ErrorCode.PdfParserFailed, 'the PDF sandbox stopped while reading this file');
      }
      const response = SandboxResponse.safeParse(outcome.raw);
      if (!response.success || response.data.id !== id) {
        stop(running);
        throw new CoreError(ErrorCode.PdfParserFailed, 'the PDF sandbox answered out of turn');
      }
      if (!response.data.ok) {
        const { code, message } = response.data.error;
        const known = (SANDBOX_ERROR_CODES as readonly string[]).includes(code);
        throw new CoreError(
          known ? (code as (typeof SANDBOX_ERROR_CODES)[number]) : ErrorCode.PdfParserFailed,
          known ? message : 'the PDF sandbox refused the request',
        );
      }
      const value = SANDBOX_OPS[op].output.safeParse(response.data.value);
      if (!value.success) {
        stop(running);
        throw new CoreError(ErrorCode.PdfParserFailed, `the PDF sandbox answered ${op} badly`);
      }
      return value.data as SandboxOutput<O>;
    } finally {
      clearTimeout(timer);
      running.waiting = null;
      running.process.setBusy?.(false);
    }
  }

  function request<O extends SandboxOp>(op: O, input: SandboxInput<O>): Promise<SandboxOutput<O>> {
    const bytes = (input as { bytes?: Uint8Array }).bytes;
    if (bytes && bytes.length > MAX_SANDBOX_PDF_BYTES)
      return Promise.reject(new CoreError(ErrorCode.PdfParserFailed, 'the PDF is too large to read'));
    const run = queue.then(() => runOne(op, input));
    queue = run.catch(() => undefined);
    return run;
  }

  return {
    text: async (bytes, maxChars, format = 'pdf') =>
      (await request('text', { bytes, maxChars, format })).text,
    outlook: (bytes) => request('outlook', { bytes }),
    signatures: (bytes) => request('signatures', { bytes }),
    prepare: (bytes, prepareOptions) => request('prepare', { bytes, options: prepareOptions }),
    dss: async (bytes, data) => (await request('dss', { bytes, ...data })).bytes,
    report: async (title, lines, fonts) =>
      (await request('report', { title, lines: [...lines], fonts })).bytes,
    stats: () => ({ ...stats, pids: [...stats.pids] }),
    async close() {
      closed = true;
      const running = current;
      current = null;
      if (running) {
        // Held while it ends: an idle sandbox is unref'd, and awaiting the exit of a process that
        // holds nothing would let Node end the caller (the CLI, before it prints) mid-close.
        running.process.setBusy?.(true);
        running.process.kill();
        await running.exited;
      }
    },
  };
}
