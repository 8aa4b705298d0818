import { createHash } from 'node:crypto';
import { Agent, type AgentOptions, type RequestOptions } from 'node:https';
import type { Duplex } from 'node:stream';
import { connect as tlsConnect, type ConnectionOptions, type TLSSocket } from 'node:tls';
import { RelayLinkErrorCode } from '../../../../shared/sync/sync-error-codes';
import { networkError, RelayClientError } from './relay-error';

/** SHA-256 of a DER certificate, lowercase hex: the form of the pin. */
export function fingerprintOf(raw: Buffer): string {
  return createHash('sha256').update(raw).digest('hex');
}

/**
 * The pinned TLS transport: an https.Agent that hands HTTP a socket only after the peer
 * certificate's SHA-256 matched the pin. `createConnection` calls back when the check passed
 * (Agent supports the callback form), so a request is never written to an unchecked
 * connection and a relay with another certificate gets no request byte (`E_PINNING`). The
 * system CAs play no part; TLS session resumption is off so every handshake shows the
 * certificate.
 */
export class PinnedAgent extends Agent {
  constructor(
    private readonly pin: string,
    private readonly connectTimeoutMs: number,
    options: AgentOptions,
  ) {
    // No session cache: a resumed TLS 1.3 session shows no certificate to check.
    super({ ...options, maxCachedSessions: 0 });
  }

  override createConnection(
    options: RequestOptions,
    callback?: (err: Error | null, stream: Duplex) => void,
  ): Duplex | null | undefined {
    const done = (err: Error | null, stream?: Duplex) => callback?.(err, stream as Duplex);
    const socket: TLSSocket = tlsConnect({
      ...(options as ConnectionOptions),
      // The pin is the trust: chain and host name checks are replaced by it, not added to it.
      rejectUnauthorized: false,
      minVersion: 'TLSv1.3',
      session: undefined,
    });
    let settled = false;
    const settle = (err: Error | null) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.off('error', onError);
      if (err) {
        socket.destroy();
        done(err);
      } else done(null, socket);
    };
    const onError = (e: Error) => settle(networkError(e));
    const timer = setTimeout(
      () =>
        settle(
          new RelayClientError(RelayLinkErrorCode.Timeout, 'TLS connect timed out', { retryable: true }),
        ),
      this.connectTimeoutMs,
    );
    socket.once('error', onError);
    socket.once('secureConnect', () => {
      const cert = socket.getPeerCertificate();
      const raw = cert && 'raw' in cert ? cert.raw : undefined;
      if (!raw || fingerprintOf(raw) !== this.pin) {
        settle(
          new RelayClientError(
            RelayLinkErrorCode.Pinning,
            'the relay certificate does not match the pinned fingerprint',
          ),
        );
        return;
      }
      settle(null);
    });
    // Returning nothing makes the Agent wait for the callback.
    return undefined;
  }
}
