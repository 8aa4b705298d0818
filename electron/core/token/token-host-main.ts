import { ErrorCode } from '../../../shared/contract/errors';
import { Pkcs11Host } from './pkcs11-host';
import { TokenError } from './token-errors';
import { TokenRequest, type TokenHostMessage } from './token-protocol';

/**
 * Entry point of the token process (a forked Node child under the CLI and tests, talking over
 * `process.send` / `process.on('message')`; an Electron utilityProcess in the app, talking
 * over `process.parentPort`). It is the
 * only process that loads the PKCS#11 module and calls C_Initialize / C_Finalize. Requests are
 * handled one at a time, in order; the poller runs between them.
 */
const host = new Pkcs11Host();
let pollTimer: NodeJS.Timeout | undefined;
let queue: Promise<void> = Promise.resolve();

/** Electron's utilityProcess channel, when this runs as one (absent under plain Node). */
interface ParentPort {
  postMessage(message: unknown): void;
  on(event: 'message', listener: (event: { data: unknown }) => void): void;
  on(event: 'close', listener: () => void): void;
}
const parentPort = (process as NodeJS.Process & { parentPort?: ParentPort }).parentPort;

function send(message: TokenHostMessage): void {
  if (parentPort) parentPort.postMessage(message);
  else process.send?.(message);
}

function toWire(e: unknown): Extract<TokenHostMessage, { ok: false }>['error'] {
  if (e instanceof TokenError) {
    return {
      code: e.code,
      message: e.message.slice(0, 512),
      ...(e.ckr ? { ckr: e.ckr } : {}),
      ...(e.triesHint ? { triesHint: e.triesHint } : {}),
    };
  }
  // Never forward an arbitrary exception text: it could quote input.
  return { code: ErrorCode.TokenDeviceError, message: 'the token operation failed' };
}

function poll(): void {
  try {
    const tokens = host.poll();
    if (tokens) send({ event: 'tokens', tokens });
  } catch {
    // The module failing to list slots is reported on the next request.
  }
}

function handle(raw: unknown): void {
  const id = typeof (raw as { id?: unknown })?.id === 'number' ? (raw as { id: number }).id : -1;
  const parsed = TokenRequest.safeParse(raw);
  if (!parsed.success) {
    send({ id, ok: false, error: { code: ErrorCode.BadRequest, message: 'malformed token request' } });
    return;
  }
  const req = parsed.data;
  try {
    const value = host.handle(req);
    send({ id, ok: true, value });
    if (req.op === 'init') {
      poll();
      pollTimer = setInterval(poll, req.pollMs);
    }
  } catch (e) {
    send({ id, ok: false, error: toWire(e) });
  }
}

const received = (raw: unknown) => {
  queue = queue.then(() => handle(raw));
};
if (parentPort) parentPort.on('message', (event) => received(event.data));
else process.on('message', received);

// The parent went away (closed the channel or died): finalize the module and leave.
const leave = () => {
  if (pollTimer) clearInterval(pollTimer);
  host.finalize();
  process.exit(0);
};
if (parentPort) parentPort.on('close', leave);
else process.on('disconnect', leave);
