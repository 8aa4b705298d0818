import {
  request as httpRequest,
  type ClientRequest,
  type IncomingMessage,
  type RequestOptions,
} from 'node:http';
import { request as httpsRequest, type Agent } from 'node:https';
import {
  configureRequestOptions,
  configureRequestUrl,
  HttpExecutor,
  type DownloadOptions,
} from 'builder-util-runtime';
import { PinnedAgent } from '../sync';

/**
 * electron-updater's HTTP layer on Node's own `https`, in place of Electron's `net`: the update
 * URL is the relay, whose self-signed certificate the workstation pins (policy `hq.certSha256`),
 * which Chromium's network stack would refuse. Everything else is electron-updater's code
 * (builder-util-runtime's `HttpExecutor`: redirects, timeouts, the streaming sha512 check).
 * Plain `http:` only to loopback, where a folder or USB stick is served (`folder-mirror.ts`).
 */
export class NodeUpdateHttpExecutor extends HttpExecutor<ClientRequest> {
  private readonly agent: Agent | undefined;

  /** `pinSha256`: the SHA-256 (hex) of the only TLS certificate accepted; absent: no https at all. */
  constructor(pinSha256: string | undefined) {
    super();
    this.agent = pinSha256 ? new PinnedAgent(pinSha256, 15_000, { keepAlive: false }) : undefined;
  }

  createRequest(options: RequestOptions, callback: (response: IncomingMessage) => void): ClientRequest {
    const host = String(options.hostname ?? options.host ?? '');
    if (options.protocol === 'http:') {
      if (!isLoopback(host)) throw new Error('plain http is for a loopback mirror only');
      return httpRequest({ ...options, agent: false }, callback);
    }
    if (!this.agent) throw new Error('no pinned certificate for an https update source');
    return httpsRequest({ ...options, agent: this.agent }, callback);
  }

  /** What electron-updater's updaters call to fetch a file (the same shape as its Electron executor). */
  async download(url: URL, destination: string, options: DownloadOptions): Promise<string> {
    return await options.cancellationToken.createPromise<string>((resolve, reject, onCancel) => {
      const requestOptions: RequestOptions = { headers: options.headers ?? undefined };
      configureRequestUrl(url, requestOptions);
      configureRequestOptions(requestOptions);
      this.doDownload(
        requestOptions,
        {
          destination,
          options,
          onCancel,
          callback: (error) => (error ? reject(error) : resolve(destination)),
          responseHandler: null,
        },
        0,
      );
    });
  }

  destroy(): void {
    this.agent?.destroy();
  }
}

export function isLoopback(host: string): boolean {
  return host === '127.0.0.1' || host === '::1' || host === '[::1]' || host === 'localhost';
}
