import { CoreError, ErrorCode } from '../../../../shared/contract/errors';
import { createRelayClient, type DeviceRelay, type RelayClient } from '../relay';
import { readIdentity, type EngineVault, type SyncIdentity } from './engine-vault';

/**
 * Upload PATCH size. Big: on a long link each request costs a round trip of idle line (the
 * relay takes up to 8 MiB). `bench/sync-engine-link.bench.ts` measures the engine's uploads
 * with it.
 */
export const ENGINE_CHUNK_BYTES = 4 * 1024 * 1024;

/** The relay client and the device's relay the engine holds, reused across rounds. */
interface ConnectionState {
  client: { key: string; relay: RelayClient } | null;
  /** One device client per identity and relay: its session is reused across rounds. */
  device: { key: string; dev: DeviceRelay } | null;
}

export interface RelayConnection {
  /** The client of the relay at `url` pinned to `fingerprint` (a new one when either changed). */
  relayFor(url: string, fingerprint: string): RelayClient;
  /** The enrolled device's relay (`E_SYNC_NOT_ENROLLED` without an identity), and the identity. */
  device(): Promise<{ dev: DeviceRelay; id: SyncIdentity }>;
  /** Closes the client's sockets and forgets both (the next round makes new ones). */
  close(): void;
}

export function createRelayConnection(
  vault: EngineVault,
  relayOptions: { timeoutMs?: number } | undefined,
): RelayConnection {
  const state: ConnectionState = { client: null, device: null };

  function relayFor(url: string, fingerprint: string): RelayClient {
    const key = `${url}|${fingerprint}`;
    if (!state.client || state.client.key !== key) {
      state.client = {
        key,
        relay: createRelayClient({
          baseUrl: url.replace(/\/$/, ''),
          fingerprintHex: fingerprint,
          chunkBytes: ENGINE_CHUNK_BYTES,
          ...(relayOptions?.timeoutMs ? { timeoutMs: relayOptions.timeoutMs } : {}),
        }),
      };
    }
    return state.client.relay;
  }

  return {
    relayFor,

    async device() {
      const id = await readIdentity(vault);
      if (!id) throw new CoreError(ErrorCode.SyncNotEnrolled, 'this workstation is not enrolled');
      const relay = relayFor(id.hqUrl, id.hqFingerprint);
      const key = `${state.client?.key ?? ''}|${id.deviceId}`;
      if (!state.device || state.device.key !== key) {
        state.device = {
          key,
          dev: relay.withDevice({
            deviceId: id.deviceId,
            sign: async (message) => (await vault.run('sync.sign', { message })).signature,
          }),
        };
      }
      return { dev: state.device.dev, id };
    },

    close() {
      // Idle keep-alive sockets would hold a command-line process open.
      state.client?.relay.close();
      state.client = null;
      state.device = null;
    },
  };
}
