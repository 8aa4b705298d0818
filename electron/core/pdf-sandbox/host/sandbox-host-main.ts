import { SANDBOX_OPS, SandboxRequest, type SandboxResponse } from '../sandbox-protocol';
import { SANDBOX_HANDLERS, sandboxError } from './sandbox-ops';

/**
 * Entry point of the PDF sandbox: the process that parses untrusted PDFs (pdf.js for text,
 * pdf-lib and our revision reader for signatures), so a crafted file can crash or stall only
 * this process. It holds no key and no database handle: it gets bytes and answers plain data.
 * Started as a forked Node child under the CLI and tests (`process.send`), as an Electron
 * utilityProcess in the app (`process.parentPort`), with an empty environment and a heap limit;
 * the client kills it on timeout and starts a new one for the next file.
 */

/** Electron's utilityProcess channel, when this runs as one (absent under plain Node). */
interface ParentPort {
  postMessage(message: unknown): void;
  on(event: 'message', listener: (event: { data: unknown }) => void): void;
  on(event: 'close', listener: () => void): void;
}
const parentPort = (process as NodeJS.Process & { parentPort?: ParentPort }).parentPort;

function send(message: SandboxResponse): void {
  if (parentPort) parentPort.postMessage(message);
  else process.send?.(message);
}

async function handle(raw: unknown): Promise<void> {
  const id = typeof (raw as { id?: unknown })?.id === 'number' ? (raw as { id: number }).id : -1;
  const request = SandboxRequest.safeParse(raw);
  if (!request.success) {
    send({ id, ok: false, error: { code: 'E_BAD_REQUEST', message: 'malformed sandbox request' } });
    return;
  }
  const { op } = request.data;
  const input = SANDBOX_OPS[op].input.safeParse(request.data.input);
  if (!input.success) {
    send({ id, ok: false, error: { code: 'E_INVALID_INPUT', message: `invalid input for ${op}` } });
    return;
  }
  try {
    const handler = SANDBOX_HANDLERS[op] as (i: unknown) => unknown;
    send({ id, ok: true, value: await handler(input.data) });
  } catch (e) {
    send({ id, ok: false, error: sandboxError(e) });
  }
}

// One request at a time, in order: the client sends one at a time anyway.
let queue: Promise<void> = Promise.resolve();
const received = (raw: unknown) => {
  queue = queue.then(() => handle(raw));
};
if (parentPort) parentPort.on('message', (event) => received(event.data));
else process.on('message', received);

// The core went away: nothing here is worth finishing.
if (parentPort) parentPort.on('close', () => process.exit(0));
else process.on('disconnect', () => process.exit(0));
