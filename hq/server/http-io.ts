import type { IncomingMessage, ServerResponse } from 'node:http';
import type { z } from 'zod';
import { RelayErrorCode } from '../../shared/sync/relay-protocol';
import { RelayError } from './relay-error';

/** The declared Content-Length, or undefined; a malformed one is a bad request. */
export function declaredLength(req: IncomingMessage): number | undefined {
  const raw = req.headers['content-length'];
  if (raw === undefined) return undefined;
  if (!/^\d{1,15}$/.test(raw))
    throw new RelayError(400, RelayErrorCode.BadRequest, 'malformed Content-Length');
  return Number(raw);
}

/**
 * Reads the whole body, refusing it as soon as it passes `limit` bytes: from the declared
 * Content-Length before reading anything, or while streaming when it is chunked. An oversized
 * body is never buffered.
 */
export function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const tooLarge = () =>
    new RelayError(413, RelayErrorCode.PayloadTooLarge, `the body is larger than ${limit} bytes`);
  const declared = declaredLength(req);
  if (declared !== undefined && declared > limit) return Promise.reject(tooLarge());
  // Listeners rather than for-await: leaving a for-await early destroys the request and with
  // it the socket, and then the 413 could not be sent.
  return new Promise<Buffer>((resolve, reject) => {
    const parts: Buffer[] = [];
    let total = 0;
    const cleanup = () => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      req.off('close', onClose);
    };
    const onData = (chunk: Buffer) => {
      total += chunk.length;
      if (total > limit) {
        cleanup();
        req.pause();
        parts.length = 0;
        reject(tooLarge());
        return;
      }
      parts.push(chunk);
    };
    const onEnd = () => {
      cleanup();
      resolve(Buffer.concat(parts, total));
    };
    const onError = (e: Error) => {
      cleanup();
      reject(e);
    };
    const onClose = () => {
      cleanup();
      reject(new RelayError(400, RelayErrorCode.BadRequest, 'the request ended early'));
    };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
    req.on('close', onClose);
  });
}

/** Reads, parses and validates a JSON body against a strict schema. */
export async function readJson<T extends z.ZodType>(
  req: IncomingMessage,
  schema: T,
  limit: number,
  { allowEmpty = false }: { allowEmpty?: boolean } = {},
): Promise<z.infer<T>> {
  const type = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  const body = await readBody(req, limit);
  if (allowEmpty && body.length === 0) return schema.parse({}) as z.infer<T>;
  if (type !== 'application/json') {
    throw new RelayError(415, RelayErrorCode.UnsupportedMediaType, 'the body must be application/json');
  }
  let value: unknown;
  try {
    value = JSON.parse(body.toString('utf8'));
  } catch {
    throw new RelayError(400, RelayErrorCode.BadRequest, 'the body is not valid JSON');
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    // Paths and messages only: never echo the values the caller sent.
    const where = parsed.error.issues
      .slice(0, 3)
      .map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`)
      .join('; ');
    throw new RelayError(400, RelayErrorCode.InvalidInput, `invalid body: ${where}`);
  }
  return parsed.data as z.infer<T>;
}

export function sendJson(
  res: ServerResponse,
  status: number,
  value: unknown,
  headers: Record<string, string> = {},
) {
  const body = Buffer.from(JSON.stringify(value));
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': String(body.length),
    'cache-control': 'no-store',
    ...headers,
  });
  res.end(body);
}

export function sendError(res: ServerResponse, error: RelayError, closeConnection: boolean): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  sendJson(
    res,
    error.status,
    { error: { code: error.code, message: error.message } },
    closeConnection ? { ...error.headers, connection: 'close' } : { ...error.headers },
  );
}
