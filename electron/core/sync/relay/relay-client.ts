import { EnrollResponse, HealthResponse, type EnrollRequest } from '../../../../shared/sync/relay-protocol';
import { DeviceRelayCalls, type DeviceRelayContext } from './device-relay';
import { exchangeJson, jsonBody, PinnedHttp } from './http-exchange';
import { PinnedAgent } from './pinned-agent';
import type { DeviceRelay, DeviceSigner, RelayClient, RelayClientOptions } from './relay-api';
import { UploadPacer } from './upload-pacer';

/**
 * A client of the relay at `baseUrl` whose certificate must have the SHA-256 `fingerprintHex`.
 * One pinned keep-alive agent and one upload pacer serve every device of the client.
 */
export function createRelayClient(options: RelayClientOptions): RelayClient {
  const base = new URL(options.baseUrl);
  if (base.protocol !== 'https:' || base.pathname !== '/' || base.search !== '' || base.username !== '') {
    throw new TypeError('baseUrl is https://host:port');
  }
  if (!/^[0-9a-f]{64}$/.test(options.fingerprintHex)) {
    throw new TypeError('fingerprintHex is 64 lowercase hex characters');
  }
  const timeoutMs = options.timeoutMs ?? 30_000;
  const agent = new PinnedAgent(options.fingerprintHex, timeoutMs, {
    keepAlive: true,
    maxSockets: 8,
    ...options.agentOptions,
  });
  const http = new PinnedHttp(base, agent, timeoutMs);
  const ctx: DeviceRelayContext = {
    http,
    fingerprintHex: options.fingerprintHex,
    timeoutMs,
    pacer: new UploadPacer(options.chunkBytes ?? 256 * 1024, timeoutMs),
    retry: { maxRetries: options.maxRetries ?? 5, retryDelayMs: options.retryDelayMs ?? 100 },
  };
  return {
    health: (): Promise<HealthResponse> =>
      exchangeJson(http, { method: 'GET', path: '/health' }, HealthResponse),
    enroll: (req: EnrollRequest): Promise<EnrollResponse> =>
      exchangeJson(http, jsonBody('POST', '/v1/enroll', req), EnrollResponse, [200, 201]),
    withDevice: (device: DeviceSigner): DeviceRelay => new DeviceRelayCalls(ctx, device),
    close: () => agent.destroy(),
  };
}
