import type { IncomingMessage, ServerResponse } from 'node:http';
import { RelayErrorCode } from '../../shared/sync/relay-protocol';
import { readBody } from './http-io';
import type { RelayContext } from './relay-context';
import { RelayError } from './relay-error';
import { notFound } from './relay-routes';
import { timestampResponse } from './tsa-responder';

/** A TimeStampReq is under 200 bytes with a SHA-512 imprint and extensions; more is refused unread. */
const MAX_REQUEST = 4096;

/**
 * `POST /v1/tsa` (RFC 3161 §3.4: `application/timestamp-query` in, `application/timestamp-reply`
 * out), when the relay was started with a TSA key and certificate. No session is asked: a token
 * reveals nothing but the digest it was asked for, and standard TSA clients (openssl, pdfsig's
 * peers) cannot log in. Without a configured TSA the route does not exist.
 */
export async function serveTimestamp(
  ctx: RelayContext,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  if (!ctx.tsa) throw notFound();
  ctx.guards.timestamp(req);
  const type = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
  if (type !== 'application/timestamp-query')
    throw new RelayError(
      415,
      RelayErrorCode.UnsupportedMediaType,
      'the body must be application/timestamp-query',
    );
  const body = await readBody(req, MAX_REQUEST);
  const reply = Buffer.from(timestampResponse(body, ctx.tsa, new Date()));
  res.writeHead(200, { 'content-type': 'application/timestamp-reply', 'content-length': reply.length });
  res.end(reply);
}
