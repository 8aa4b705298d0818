import { createInterface } from 'node:readline';
import { Agent } from 'node:https';
import { randomBytes } from 'node:crypto';
import sodium from 'libsodium-wrappers-sumo';
import { deviceIdOf } from '../hq/server/relay-server';
import { certificationFor, createTestPki } from '../tests/fixtures/officer-pki';
import { enrolmentMessage } from '../shared/sync/relay-protocol';
import {
  envelopeId,
  login,
  send,
  sequentialChunkUpload,
  wholeItemUpload,
  type BenchDevice,
} from './relay-link';

/**
 * The simulated devices of `relay-scale.bench.ts`, in a process of their own (so the relay's
 * figures are not the load generator's): makes a test CA and officer, prints
 * `{"ca": PATH}`, reads one line `{"urls": [...], "fingerprint", "certificatePem"}`, then
 * enrols DEVICES devices (spread over the URLs, auto-approved by the CA the relay trusts),
 * logs each in on its own connection, and has all of them upload ENVELOPES envelopes of
 * BYTES bytes each at once, one after the other per device (`LOAD_UPLOAD`: `whole`, one POST
 * carrying the bytes, as the sync engine sends small items; `chunked`, POST then PATCH). Prints `{"phase": "upload"}` as
 * the timed phase begins, then one JSON line of results.
 */
const DEVICES = Number(process.env.LOAD_DEVICES ?? '1000');
const ENVELOPES = Number(process.env.LOAD_ENVELOPES ?? '5');
const BYTES = Number(process.env.LOAD_BYTES ?? '2048');
/** `whole`: one POST per envelope (what the sync engine does for small items); `chunked`: POST + PATCH. */
const UPLOAD = process.env.LOAD_UPLOAD === 'chunked' ? 'chunked' : 'whole';

const b64 = (u: Uint8Array) => Buffer.from(u).toString('base64');

/** Set-up steps retried: a kept-alive socket the relay closed meanwhile is no result. */
async function retried<T>(f: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await f();
    } catch (e) {
      if (attempt >= 4) throw e;
      await new Promise((r) => setTimeout(r, 200 * attempt));
    }
  }
}

async function main(): Promise<void> {
  await sodium.ready;
  const pki = await createTestPki('bench-load');
  const officer = await pki.issue({ keyType: 'ec' });
  process.stdout.write(`${JSON.stringify({ ca: pki.ca.rootPath })}\n`);
  const line = await new Promise<string>((resolve) =>
    createInterface({ input: process.stdin }).once('line', resolve),
  );
  const { urls, fingerprint, certificatePem } = JSON.parse(line) as {
    urls: string[];
    fingerprint: string;
    certificatePem: string;
  };
  const agentFor = () =>
    new Agent({
      ca: certificatePem,
      keepAlive: true,
      maxSockets: 1,
      checkServerIdentity: (_h, cert) =>
        cert.fingerprint256.replace(/:/g, '').toLowerCase() === fingerprint ? undefined : new Error('pin'),
    });
  const relay = { fingerprint } as Parameters<typeof login>[1];
  const agents = Array.from({ length: DEVICES }, agentFor);
  try {
    // Enrol in parallel batches (the relay checks each certification).
    const devices: (BenchDevice & { url: string })[] = [];
    for (let i = 0; i < DEVICES; i += 50) {
      const batch = await Promise.all(
        Array.from({ length: Math.min(50, DEVICES - i) }, async (_, k) => {
          const n = i + k;
          const sign = sodium.crypto_sign_keypair();
          const box = sodium.crypto_box_keypair();
          const request = certificationFor(officer, sign.publicKey, box.publicKey);
          const url = urls[n % urls.length] as string;
          const e = await retried(() =>
            send(
              { baseUrl: url, agent: agents[n] as Agent },
              {
                path: '/v1/enroll',
                body: {
                  signPublicKey: b64(sign.publicKey),
                  boxPublicKey: b64(box.publicKey),
                  request: b64(request),
                  proof: b64(
                    sodium.crypto_sign_detached(
                      enrolmentMessage(sign.publicKey, box.publicKey, request),
                      sign.privateKey,
                    ),
                  ),
                },
              },
            ),
          );
          if (e.status !== 201) throw new Error(`enroll ${e.status} ${e.body.toString()}`);
          return { id: deviceIdOf(sign.publicKey), sign, url };
        }),
      );
      devices.push(...batch);
    }
    process.stderr.write(`load: ${DEVICES} devices enrolled\n`);
    const upload = UPLOAD === 'whole' ? wholeItemUpload() : sequentialChunkUpload();
    const links = [];
    for (let i = 0; i < DEVICES; i += 100) {
      links.push(
        ...(await Promise.all(
          devices.slice(i, i + 100).map(async (d, k) => {
            const base = { baseUrl: d.url, agent: agents[i + k] as Agent };
            return { ...base, token: await retried(() => login(base, relay, d)), device: d, fingerprint };
          }),
        )),
      );
    }
    process.stderr.write(`load: logged in; uploading\n`);
    const payload = randomBytes(BYTES);
    // Tells the bench the timed phase begins (it samples the relays' CPU here).
    process.stdout.write(`${JSON.stringify({ phase: 'upload' })}\n`);
    const latencies: number[] = [];
    let failed = 0;
    const t0 = performance.now();
    await Promise.all(
      links.map(async (link, i) => {
        const recipient = (devices[(i + 1) % devices.length] as BenchDevice).id;
        for (let m = 0; m < ENVELOPES; m++) {
          const s = performance.now();
          try {
            await upload(link, { recipient, envelopeId: envelopeId(), bytes: payload });
            latencies.push(performance.now() - s);
          } catch {
            failed++;
          }
        }
      }),
    );
    const elapsedMs = performance.now() - t0;
    // Written before the process exits: a pipe takes a long line in several writes.
    await new Promise((resolve) =>
      process.stdout.write(`${JSON.stringify({ elapsedMs, latencies, failed })}\n`, resolve),
    );
  } finally {
    for (const a of agents) a.destroy();
    pki.cleanup();
  }
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    process.stderr.write(`load: ${e instanceof Error ? e.stack : String(e)}\n`);
    process.exit(1);
  },
);
