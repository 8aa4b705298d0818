import sodium from 'libsodium-wrappers-sumo';
import { createRelayClient, type DeviceRelay, type RelayClient } from '../electron/core/sync/relay';
import { ENGINE_CHUNK_BYTES } from '../electron/core/sync/engine';
import type { Bench } from './figures';
import type { RelayLink, UploadFn } from './relay-link';
import { syncLinkBench } from './sync-link.bench';

/**
 * The sync link with the sync engine's own upload in place of the reference client: the real
 * relay client (`createRelayClient(…).withDevice(…).upload`, its pinned agent, signed-challenge
 * login, POST, then PATCHes of up to {@link ENGINE_CHUNK_BYTES} from the offset it answers), configured as the engine
 * configures it. Same figures as `sync-link` (raw TCP baseline in the same run, 2 Mbit/s,
 * 600 ms RTT; `EMBASSY_BENCH_SYNC_MB`, default 8, the goal's 50 MB takes ~200 s per transfer;
 * ingest with 100 devices). The client logs in and opens its connection before timing starts.
 */
function engineUpload(): UploadFn {
  const clients = new Map<string, { client: RelayClient; dev: DeviceRelay }>();
  const devFor = (link: RelayLink): DeviceRelay => {
    const d = link.device;
    if (!d || !link.fingerprint) throw new Error('the engine upload needs the link device and pin');
    const key = `${link.baseUrl}|${d.id}`;
    let c = clients.get(key);
    if (!c) {
      const client = createRelayClient({
        baseUrl: link.baseUrl,
        fingerprintHex: link.fingerprint,
        chunkBytes: ENGINE_CHUNK_BYTES,
      });
      const dev = client.withDevice({
        deviceId: d.id,
        sign: (message) => sodium.crypto_sign_detached(message, d.sign.privateKey),
      });
      c = { client, dev };
      clients.set(key, c);
    }
    return c.dev;
  };
  const upload: UploadFn = async (link, item) => {
    await devFor(link).upload({ recipient: item.recipient, envelopeId: item.envelopeId, bytes: item.bytes });
  };
  upload.prepare = async (link) => {
    await sodium.ready;
    // Logs in (challenge + session) and leaves the pinned TLS connection open.
    await devFor(link).inbox(0, 1);
  };
  return upload;
}

const bench: Bench = syncLinkBench(
  engineUpload(),
  `sync engine's relay client, ${ENGINE_CHUNK_BYTES / 1024 / 1024} MiB PATCHes`,
);
export default bench;
