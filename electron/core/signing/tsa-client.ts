import { randomBytes } from 'node:crypto';
import { request as httpsRequest } from 'node:https';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { PinnedAgent } from '../sync';

/**
 * An RFC 3161 time-stamp client: the request is built with pkijs (SHA-256 imprint, a random
 * 64-bit nonce, certReq so the token carries the TSA's certificate), sent as an HTTP POST
 * (`application/timestamp-query`, RFC 3161 §3.4), and the response parsed with pkijs. The
 * answer is accepted only when it is granted, its token's TSTInfo has our imprint and our
 * nonce; the token's signature and the TSA's certificate are judged by the verifier, like any
 * signature (`verify.ts`).
 */

/** Produces a TimeStampToken (DER ContentInfo) for a SHA-256 digest. */
export type TimestampSource = (digest: Uint8Array) => Promise<Uint8Array>;

export class TimestampError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TimestampError';
  }
}

const SHA256 = '2.16.840.1.101.3.4.2.1';
const TST_INFO = '1.2.840.113549.1.9.16.1.4';
const MAX_RESPONSE = 256 * 1024;

export interface TsaClientOptions {
  readonly url: string;
  readonly timeoutMs?: number;
  /**
   * SHA-256 (hex) of the TLS certificate of an https: TSA, checked instead of the system CAs:
   * HQ's TSA runs on the relay, whose self-issued certificate devices pin.
   */
  readonly pin?: string;
}

/** The DER TimeStampReq and its nonce. */
export function timestampRequest(digest: Uint8Array): { der: Uint8Array; nonce: Uint8Array } {
  // A positive INTEGER: clear the top bit so it needs no leading zero.
  const nonce = randomBytes(8);
  nonce[0] = (nonce[0] ?? 0) & 0x7f;
  const req = new pkijs.TimeStampReq({
    version: 1,
    messageImprint: new pkijs.MessageImprint({
      hashAlgorithm: new pkijs.AlgorithmIdentifier({ algorithmId: SHA256 }),
      hashedMessage: new asn1js.OctetString({ valueHex: new Uint8Array(digest) }),
    }),
    nonce: new asn1js.Integer({ valueHex: new Uint8Array(nonce) }),
    certReq: true,
  });
  return { der: new Uint8Array(req.toSchema().toBER(false)), nonce: new Uint8Array(nonce) };
}

function same(a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.from(a).equals(Buffer.from(b));
}

/** Checks a DER TimeStampResp against the request; returns the token (DER ContentInfo). */
export function tokenFromResponse(response: Uint8Array, digest: Uint8Array, nonce: Uint8Array): Uint8Array {
  let resp: pkijs.TimeStampResp;
  try {
    resp = pkijs.TimeStampResp.fromBER(new Uint8Array(response));
  } catch {
    throw new TimestampError('the TSA answered something that is not a time-stamp response');
  }
  const status = resp.status.status;
  if ((status !== 0 && status !== 1) || !resp.timeStampToken)
    throw new TimestampError(`the TSA refused the request (status ${status})`);
  const token = resp.timeStampToken;
  let info: pkijs.TSTInfo;
  try {
    const signed = new pkijs.SignedData({ schema: token.content });
    const eci = signed.encapContentInfo;
    if (eci.eContentType !== TST_INFO || !eci.eContent) throw new Error('not a TSTInfo');
    info = pkijs.TSTInfo.fromBER(eci.eContent.getValue());
  } catch {
    throw new TimestampError('the time-stamp token is malformed');
  }
  if (
    info.messageImprint.hashAlgorithm.algorithmId !== SHA256 ||
    !same(info.messageImprint.hashedMessage.valueBlock.valueHexView, digest)
  )
    throw new TimestampError('the time-stamp token is for another digest');
  if (!info.nonce || !same(info.nonce.valueBlock.valueHexView, nonce))
    throw new TimestampError('the time-stamp token does not answer our nonce');
  return new Uint8Array(token.toSchema().toBER(false));
}

/** POSTs the query over TLS to a pinned certificate (PinnedAgent: no byte before the pin matched). */
function postPinned(url: URL, pin: string, body: Uint8Array, timeoutMs: number): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    const agent = new PinnedAgent(pin, timeoutMs, { keepAlive: false });
    const req = httpsRequest(url, {
      method: 'POST',
      agent,
      headers: {
        'content-type': 'application/timestamp-query',
        accept: 'application/timestamp-reply',
        'content-length': body.length,
      },
      timeout: timeoutMs,
    });
    const fail = (e: unknown) => {
      agent.destroy();
      reject(e instanceof TimestampError ? e : new TimestampError('the TSA cannot be reached'));
    };
    req.on('timeout', () => req.destroy(new TimestampError('the TSA cannot be reached')));
    req.on('error', fail);
    req.on('response', (res) => {
      if (res.statusCode !== 200) {
        res.resume();
        fail(new TimestampError(`the TSA answered HTTP ${res.statusCode ?? 0}`));
        return;
      }
      const parts: Buffer[] = [];
      let size = 0;
      res.on('data', (c: Buffer) => {
        size += c.length;
        if (size > MAX_RESPONSE) res.destroy(new TimestampError('the TSA answer is too large'));
        else parts.push(c);
      });
      res.on('error', fail);
      res.on('end', () => {
        agent.destroy();
        resolve(new Uint8Array(Buffer.concat(parts)));
      });
    });
    req.end(Buffer.from(body));
  });
}

/** A `TimestampSource` that asks the TSA at `url` over HTTP(S). */
export function tsaClient(options: TsaClientOptions): TimestampSource {
  const url = new URL(options.url);
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new TimestampError('the TSA address must be http: or https:');
  const pin = options.pin;
  if (pin !== undefined && (url.protocol !== 'https:' || !/^[0-9a-f]{64}$/.test(pin)))
    throw new TimestampError('a TSA pin is the SHA-256 (hex) of an https: TSA certificate');
  return async (digest) => {
    const { der, nonce } = timestampRequest(digest);
    if (pin !== undefined)
      return tokenFromResponse(await postPinned(url, pin, der, options.timeoutMs ?? 15_000), digest, nonce);
    let body: Uint8Array;
    try {
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/timestamp-query', accept: 'application/timestamp-reply' },
        body: Buffer.from(der),
        redirect: 'error',
        signal: AbortSignal.timeout(options.timeoutMs ?? 15_000),
      });
      if (!res.ok) throw new TimestampError(`the TSA answered HTTP ${res.status}`);
      const length = Number(res.headers.get('content-length') ?? '0');
      if (length > MAX_RESPONSE) throw new TimestampError('the TSA answer is too large');
      body = new Uint8Array(await res.arrayBuffer());
      if (body.length > MAX_RESPONSE) throw new TimestampError('the TSA answer is too large');
    } catch (e) {
      if (e instanceof TimestampError) throw e;
      throw new TimestampError('the TSA cannot be reached');
    }
    return tokenFromResponse(body, digest, nonce);
  };
}
