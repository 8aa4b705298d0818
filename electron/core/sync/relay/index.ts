/**
 * The workstation's client of the HQ relay, in parts:
 * - `pinned-agent.ts`: TLS with the relay certificate's SHA-256 pinned (`E_PINNING` before
 *   any request byte);
 * - `http-exchange.ts`: one request and its bounded reply, refusals, strict JSON replies;
 * - `device-session.ts`: the device's bearer session (signed-challenge login, re-login);
 * - `resumable-upload.ts`, `ranged-download.ts`: transfers that resume after a cut
 *   (`retrying.ts`, `upload-pacer.ts`);
 * - `push-channel.ts`: the relay's WebSocket wake-ups;
 * - `device-relay.ts` and `relay-client.ts`: the calls, put together.
 */
export type { DeviceRelay, DeviceSigner, DownloadSink, RelayClient, RelayClientOptions } from './relay-api';
export { RelayClientError, type RelayClientErrorCode } from './relay-error';
export { createRelayClient } from './relay-client';
export { PinnedAgent } from './pinned-agent';
export { verifyDirectory } from './verify-directory';
export { encodeEnrolmentCertification } from './enrolment-request';
