import { once } from 'node:events';
import { randomBytes } from 'node:crypto';
import { connect, createServer, type AddressInfo, type Socket } from 'node:net';
import { startFaultProxy, type FaultProfile } from '../tests/fixtures/fault-proxy';
import { percentile, type Bench, type Figure } from './figures';
import {
  approvedDevices,
  envelopeId,
  login,
  pinnedAgent,
  send,
  sequentialChunkUpload,
  startBenchRelay,
  type UploadFn,
} from './relay-link';

/**
 * The sync link: what the relay protocol gets out of a slow, long link, against a raw TCP copy
 * of the same bytes over the same fault proxy in the same run; and how many small envelopes
 * the relay ingests from 100 devices at once on loopback.
 *
 * `EMBASSY_BENCH_SYNC_MB` sets the item size in MB (10^6 bytes; default 8 — the goal's 50 MB
 * takes ~200 s per transfer at 2 Mbit/s). `EMBASSY_BENCH_INGEST_M` sets envelopes per device
 * (default 20). The upload is a parameter ({@link syncLinkBench}): the default is the reference
 * client in `relay-link.ts` (sequential 256 KiB PATCHes); the sync engine can be measured in
 * its place with the same figures.
 */
const MB = Number(process.env.EMBASSY_BENCH_SYNC_MB ?? '8');
const SIZE = Math.max(1, Math.round(MB * 1e6));
const LINK: FaultProfile = { rttMs: 600, bitsPerSecond: 2e6, dropRate: 0 };
const INGEST_DEVICES = 100;
const INGEST_PER_DEVICE = Number(process.env.EMBASSY_BENCH_INGEST_M ?? '20');
const ENVELOPE_BYTES = 2048;

const now = () => performance.now();
const linkNote = `${LINK.bitsPerSecond / 1e6} Mbit/s each way, ${LINK.rttMs} ms RTT, no drops, no cuts`;

/** Reads until `count` bytes have arrived; the bytes. */
function readBytes(s: Socket, count: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    let got = 0;
    const onData = (c: Buffer) => {
      parts.push(c);
      got += c.length;
      if (got < count) return;
      s.off('data', onData);
      s.off('error', reject);
      resolve(Buffer.concat(parts));
    };
    s.on('data', onData);
    s.on('error', reject);
  });
}

/**
 * The baseline: `bytes` over one plain TCP connection through the proxy to a sink that answers
 * one byte once it has them all. Timed like the relay upload: on an open connection (one round
 * trip done), from the first byte written to the sink's answer.
 */
async function rawCopyMs(bytes: Buffer): Promise<number> {
  const sink = createServer((s) => {
    s.on('error', () => undefined);
    let header: Buffer = Buffer.alloc(0);
    let want = -1;
    let got = 0;
    s.on('data', (chunk: Buffer) => {
      if (want < 0) {
        header = Buffer.concat([header, chunk]);
        if (header.length < 8) return;
        want = Number(header.readBigUInt64BE(0));
        chunk = header.subarray(8);
        s.write('R'); // ready: the warm-up round trip
      }
      got += chunk.length;
      if (got >= want && want >= 0) {
        s.end('D');
        want = Infinity;
      }
    });
  });
  await new Promise<void>((resolve) => sink.listen(0, '127.0.0.1', resolve));
  const proxy = await startFaultProxy(
    { host: '127.0.0.1', port: (sink.address() as AddressInfo).port },
    LINK,
  );
  try {
    const s = connect(proxy.port, '127.0.0.1');
    await once(s, 'connect');
    const header = Buffer.alloc(8);
    header.writeBigUInt64BE(BigInt(bytes.length));
    const ready = readBytes(s, 1);
    s.write(header);
    await ready;
    const done = readBytes(s, 1);
    const t0 = now();
    s.write(bytes);
    await done;
    const elapsed = now() - t0;
    s.destroy();
    return elapsed;
  } finally {
    await proxy.close();
    await new Promise<void>((resolve) => sink.close(() => resolve()));
  }
}

/**
 * One item of `bytes` from device A to device B through the proxy over HTTPS, with `upload`.
 * A logs in directly (set-up is not measured); the proxied TLS connection is opened with a
 * `GET /health` first, then the upload is timed from its first request to the relay's answer
 * that the item is complete.
 */
async function relayUploadMs(upload: UploadFn, bytes: Buffer): Promise<number> {
  const b = await startBenchRelay();
  const proxy = await startFaultProxy({ host: '127.0.0.1', port: b.relay.port }, LINK);
  const agent = pinnedAgent(b.relay, 1);
  try {
    const [a, r] = await approvedDevices(b, 2);
    if (!a || !r) throw new Error('no devices');
    const token = await login({ baseUrl: b.relay.url, agent: b.agent }, b.relay, a);
    const link = { baseUrl: proxy.url('https'), agent, token, device: a, fingerprint: b.relay.fingerprint };
    const health = await send(link, { path: '/health' });
    if (health.status !== 200) throw new Error(`health through the proxy: ${health.status}`);
    await upload.prepare?.(link);
    const t0 = now();
    await upload(link, { recipient: r.id, envelopeId: envelopeId(), bytes });
    const elapsed = now() - t0;
    // The recipient sees one complete item of that size.
    const rToken = await login({ baseUrl: b.relay.url, agent: b.agent }, b.relay, r);
    const inbox = await send({ baseUrl: b.relay.url, agent: b.agent }, { path: '/v1/inbox', token: rToken });
    const items = (JSON.parse(inbox.body.toString('utf8')) as { items: { size: number }[] }).items;
    if (items.length !== 1 || items[0]?.size !== bytes.length) throw new Error('the upload did not arrive');
    return elapsed;
  } finally {
    agent.destroy();
    await proxy.close();
    await b.close();
  }
}

/** 100 devices, each uploading its envelopes one after the other to the next device, all at once. */
async function ingest(upload: UploadFn): Promise<{ elapsedMs: number; latenciesMs: number[] }> {
  const b = await startBenchRelay();
  const agents = Array.from({ length: INGEST_DEVICES }, () => pinnedAgent(b.relay, 1));
  try {
    const devices = await approvedDevices(b, INGEST_DEVICES);
    // Each device logs in on its own connection, which the uploads then reuse (keep-alive).
    const links = await Promise.all(
      devices.map(async (d, i) => {
        const base = { baseUrl: b.relay.url, agent: agents[i] as (typeof agents)[number] };
        const link = {
          ...base,
          token: await login(base, b.relay, d),
          device: d,
          fingerprint: b.relay.fingerprint,
        };
        await upload.prepare?.(link);
        return link;
      }),
    );
    const payloads = devices.map(() => randomBytes(ENVELOPE_BYTES));
    const latenciesMs: number[] = [];
    const t0 = now();
    await Promise.all(
      links.map(async (link, i) => {
        const recipient = (devices[(i + 1) % devices.length] as (typeof devices)[number]).id;
        for (let m = 0; m < INGEST_PER_DEVICE; m++) {
          const s = now();
          await upload(link, { recipient, envelopeId: envelopeId(), bytes: payloads[i] as Buffer });
          latenciesMs.push(now() - s);
        }
      }),
    );
    return { elapsedMs: now() - t0, latenciesMs };
  } finally {
    for (const a of agents) a.destroy();
    await b.close();
  }
}

/** The benchmark with a given upload function (the reference client by default). */
export function syncLinkBench(
  upload: UploadFn = sequentialChunkUpload(),
  client = 'reference client, sequential 256 KiB PATCHes',
): Bench {
  return async () => {
    const figures: Figure[] = [];
    process.stderr.write(
      `sync-link: ${MB} MB items (EMBASSY_BENCH_SYNC_MB), ${linkNote}; ~${Math.round((SIZE * 8) / LINK.bitsPerSecond)} s per transfer\n`,
    );
    const bytes = randomBytes(SIZE);

    const rawMs = await rawCopyMs(bytes);
    const rawGoodput = SIZE / (rawMs / 1000);
    figures.push(
      {
        name: 'raw TCP copy through the proxy',
        value: rawMs / 1000,
        unit: 's',
        note: `${MB} MB, ${linkNote}; open connection, first byte to the sink's answer`,
      },
      {
        name: 'raw TCP goodput',
        value: rawGoodput,
        unit: 'B/s',
        note: `baseline; the cap is ${LINK.bitsPerSecond / 8} B/s`,
      },
    );

    const relayMs = await relayUploadMs(upload, bytes);
    const relayGoodput = SIZE / (relayMs / 1000);
    figures.push(
      {
        name: 'relay upload through the proxy',
        value: relayMs / 1000,
        unit: 's',
        note: `${MB} MB, one item, HTTPS, same link, ${client}; POST /v1/mail to the completing PATCH`,
      },
      { name: 'relay upload goodput', value: relayGoodput, unit: 'B/s' },
      {
        name: 'relay / raw goodput',
        value: relayGoodput / rawGoodput,
        unit: '×',
        note: 'baseline: the raw TCP copy above, same run; goal ≥ 0.85',
      },
    );

    const { elapsedMs, latenciesMs } = await ingest(upload);
    const envelopes = INGEST_DEVICES * INGEST_PER_DEVICE;
    figures.push(
      {
        name: 'relay ingest',
        value: envelopes / (elapsedMs / 1000),
        unit: 'envelopes/s',
        note: `${INGEST_DEVICES} devices at once × ${INGEST_PER_DEVICE} envelopes of ${ENVELOPE_BYTES} B, loopback, no proxy, ${client}; clients in the relay's process`,
      },
      {
        name: 'relay ingest upload p50',
        value: percentile(latenciesMs, 50),
        unit: 'ms',
        note: 'one upload: POST /v1/mail + PATCH, on an open connection',
      },
      { name: 'relay ingest upload p95', value: percentile(latenciesMs, 95), unit: 'ms' },
    );
    return figures;
  };
}

const bench: Bench = syncLinkBench();
export default bench;
