import type { ClientRequest, IncomingMessage } from 'node:http';
import { request as httpsRequest, type RequestOptions } from 'node:https';
import type { z } from 'zod';
import { MAX_DIRECTORY_BYTES, RelayErrorBody } from '../../../../shared/sync/relay-protocol';
import { RelayErrorCode, RelayLinkErrorCode } from '../../../../shared/sync/sync-error-codes';
import type { PinnedAgent } from './pinned-agent';
import {
  aborted,
  networkError,
  RelayClientError,
  relayCode,
  retryableStatus,
  type RelayClientErrorCode,
} from './relay-error';

/**
 * The HTTP exchange with the relay: one request over the pinned agent, its reply read within a
 * bound, the relay's refusals as errors, JSON replies checked against the protocol's strict
 * schemas (`E_PROTOCOL` for anything else).
 */

/** One request. `token` becomes the bearer authorization. */
export interface Exchange {
  readonly method: string;
  readonly path: string;
  readonly headers?: Record<string, string>;
  readonly body?: Buffer;
  readonly token?: string;
  readonly signal?: AbortSignal;
}

/** A reply read to its end. */
export interface RawReply {
  readonly status: number;
  readonly headers: IncomingMessage['headers'];
  readonly body: Buffer;
}

/** What the session, transfers and push need of HTTP (a fake stands in for it in unit tests). */
export interface RelayHttp {
  /** `https://host:port` of the relay. */
  readonly base: URL;
  /** Opens a request; resolves with the response head (the body still streaming). */
  open(x: Exchange): Promise<{ res: IncomingMessage; abort: () => void }>;
  /** One exchange with a bounded, fully read reply. */
  exchange(x: Exchange, limit?: number): Promise<RawReply>;
}

/** JSON replies larger than this are refused (the directory is the largest). */
export const MAX_JSON_REPLY = Math.ceil(MAX_DIRECTORY_BYTES / 3) * 4 + 4096;
/** Request bodies are handed to the socket this much at a time. */
const WRITE_SLICE = 64 * 1024;

/**
 * Writes a request body in slices, each when the socket has taken the one before. The request
 * timeout is an inactivity timeout, and Node counts a write as activity when it is handed over
 * and when it completes: one 4 MiB write on a 256 kbit/s link shows none for over two minutes,
 * so the timeout would end a PATCH that is moving. Slices make every 64 KiB that leaves count.
 */
function writeBody(req: ClientRequest, body: Buffer | undefined): void {
  if (!body || body.length <= WRITE_SLICE) {
    req.end(body);
    return;
  }
  let at = 0;
  const pump = () => {
    while (at < body.length) {
      if (req.destroyed) return;
      const end = Math.min(body.length, at + WRITE_SLICE);
      const more = req.write(body.subarray(at, end));
      at = end;
      if (!more) {
        req.once('drain', pump);
        return;
      }
    }
    req.end();
  };
  pump();
}

/** HTTPS to the relay through its {@link PinnedAgent}, with a per-request inactivity timeout. */
export class PinnedHttp implements RelayHttp {
  constructor(
    readonly base: URL,
    private readonly agent: PinnedAgent,
    private readonly timeoutMs: number,
  ) {}

  open(x: Exchange): Promise<{ res: IncomingMessage; abort: () => void }> {
    return new Promise((resolve, reject) => {
      if (x.signal?.aborted) return reject(aborted());
      const headers: Record<string, string> = { ...x.headers };
      if (x.body) headers['content-length'] = String(x.body.length);
      if (x.token) headers.authorization = `Bearer ${x.token}`;
      const options: RequestOptions = { method: x.method, headers, agent: this.agent };
      const req = httpsRequest(new URL(x.path, this.base), options);
      let failure: RelayClientError | undefined;
      const fail = (e: RelayClientError) => {
        failure ??= e;
        req.destroy(failure);
      };
      const onAbort = () => fail(aborted());
      x.signal?.addEventListener('abort', onAbort, { once: true });
      req.setTimeout(this.timeoutMs, () =>
        fail(
          new RelayClientError(RelayLinkErrorCode.Timeout, 'the relay did not answer in time', {
            retryable: true,
          }),
        ),
      );
      req.on('error', (e) => {
        x.signal?.removeEventListener('abort', onAbort);
        reject(failure ?? networkError(e));
      });
      req.on('response', (res) => {
        res.on('close', () => x.signal?.removeEventListener('abort', onAbort));
        resolve({ res, abort: () => fail(failure ?? aborted()) });
      });
      writeBody(req, x.body);
    });
  }

  async exchange(x: Exchange, limit = MAX_JSON_REPLY): Promise<RawReply> {
    const { res } = await this.open(x);
    const body = await new Promise<Buffer>((resolve, reject) => {
      const parts: Buffer[] = [];
      let total = 0;
      res.on('data', (c: Buffer) => {
        total += c.length;
        if (total > limit) {
          res.destroy();
          reject(
            new RelayClientError(RelayLinkErrorCode.Protocol, 'the reply is larger than the protocol allows'),
          );
          return;
        }
        parts.push(c);
      });
      res.on('end', () => resolve(Buffer.concat(parts, total)));
      res.on('error', (e) => reject(networkError(e)));
      res.on('aborted', () =>
        reject(networkError(Object.assign(new Error('aborted'), { code: 'ECONNRESET' }))),
      );
    });
    return { status: res.statusCode ?? 0, headers: res.headers, body };
  }
}

/**
 * The relay's refusal as an error: its code, or E_PROTOCOL for a body that is not one and for
 * a code outside the relay's list (`UNKNOWN_RELAY_CODE`, relay-error.ts).
 */
export function relayRefusal(reply: RawReply): RelayClientError {
  let code: RelayClientErrorCode = RelayLinkErrorCode.Protocol;
  let message = `unexpected HTTP ${reply.status}`;
  try {
    const parsed = RelayErrorBody.safeParse(JSON.parse(reply.body.toString('utf8')));
    if (parsed.success && /^E_[A-Z_]{1,40}$/.test(parsed.data.error.code)) {
      const { code: answered, message: why } = parsed.data.error;
      code = relayCode(answered);
      message = (code === answered ? why : `the relay answered an unknown code ${answered}: ${why}`).slice(
        0,
        300,
      );
    }
  } catch {
    // No error body: HEAD answers carry none, so read the two statuses HEAD can get.
    if (reply.body.length === 0 && reply.status === 401) code = RelayErrorCode.Unauthenticated;
    if (reply.body.length === 0 && reply.status === 404) code = RelayErrorCode.NotFound;
  }
  return new RelayClientError(code, message, {
    status: reply.status,
    retryable: retryableStatus(reply.status, code),
  });
}

/** An exchange whose success is `ok` statuses with a JSON body matching `schema`. */
export async function exchangeJson<T extends z.ZodType>(
  http: RelayHttp,
  x: Exchange,
  schema: T,
  ok: readonly number[] = [200],
): Promise<z.infer<T>> {
  const reply = await http.exchange(x);
  if (!ok.includes(reply.status)) throw relayRefusal(reply);
  const type = String(reply.headers['content-type'] ?? '');
  if (!type.startsWith('application/json'))
    throw new RelayClientError(RelayLinkErrorCode.Protocol, 'the reply is not JSON');
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(reply.body));
  } catch {
    throw new RelayClientError(RelayLinkErrorCode.Protocol, 'the reply is not valid JSON');
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success)
    throw new RelayClientError(RelayLinkErrorCode.Protocol, 'the reply does not match the protocol');
  return parsed.data as z.infer<T>;
}

/** A reply body already read, against `schema` (`E_PROTOCOL` when it does not match). */
export function parseJson<T extends z.ZodType>(reply: RawReply, schema: T): z.infer<T> {
  try {
    const parsed = schema.safeParse(JSON.parse(reply.body.toString('utf8')));
    if (parsed.success) return parsed.data as z.infer<T>;
  } catch {
    // falls through
  }
  throw new RelayClientError(RelayLinkErrorCode.Protocol, 'the reply does not match the protocol');
}

/** A request with a JSON body. */
export function jsonBody(method: string, path: string, value: unknown, token?: string): Exchange {
  return {
    method,
    path,
    headers: { 'content-type': 'application/json' },
    body: Buffer.from(JSON.stringify(value), 'utf8'),
    ...(token ? { token } : {}),
  };
}
