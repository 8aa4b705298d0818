import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { BRIDGE_PROTOCOL, BRIDGE_TOKEN_PREFIX } from '../shared/bridge/protocol';
import { createCore } from '../electron/core';
import { startPreview } from '../electron/dev/preview-server';
import { percentile, sample, type Bench } from './figures';

/**
 * A contract call's round trip over the loopback bridge (JSON frame, WebSocket, dispatcher
 * with schema checks, handler, output check, back) against a direct in-process call of the
 * same handler. Batches alternate so drift in the machine's load hits both sides alike.
 */
const bench: Bench = async () => {
  const profileDir = await mkdtemp(join(tmpdir(), 'embassy-bench-'));
  const core = createCore({ profileDir, version: 'bench' });
  const preview = await startPreview({ rendererDir: profileDir, dispatch: core.dispatch, port: 0 });
  const ws = new WebSocket(`ws://127.0.0.1:${preview.port}/bridge`, [
    BRIDGE_PROTOCOL,
    `${BRIDGE_TOKEN_PREFIX}${preview.token}`,
  ]);
  await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
  let id = 0;
  const pending = new Map<number, () => void>();
  ws.on('message', (data) => {
    const { id: rid } = JSON.parse(data.toString()) as { id: number };
    pending.get(rid)?.();
    pending.delete(rid);
  });
  const overBridge = () =>
    new Promise<void>((resolve) => {
      const rid = ++id;
      pending.set(rid, resolve);
      ws.send(JSON.stringify({ id: rid, call: 'app.health', input: {} }));
    });
  const ctx = { transport: 'direct' as const };
  const direct = () => core.handlers['app.health']({}, ctx);
  const dispatched = () => core.dispatch('app.health', {}, ctx);

  const bridgeUs: number[] = [];
  const directUs: number[] = [];
  const dispatchUs: number[] = [];
  await sample(500, overBridge); // warm-up
  await sample(500, direct);
  for (let batch = 0; batch < 10; batch++) {
    bridgeUs.push(...(await sample(300, overBridge)));
    directUs.push(...(await sample(300, direct)));
    dispatchUs.push(...(await sample(300, dispatched)));
  }
  ws.close();
  await preview.close();

  const p50 = (xs: number[]) => percentile(xs, 50);
  return [
    {
      name: 'bridge round trip p50',
      value: p50(bridgeUs),
      unit: 'µs',
      note: 'app.health over the loopback bridge',
    },
    { name: 'bridge round trip p95', value: percentile(bridgeUs, 95), unit: 'µs' },
    { name: 'direct handler call p50', value: p50(directUs), unit: 'µs', note: 'same handler, in process' },
    {
      name: 'dispatcher call p50',
      value: p50(dispatchUs),
      unit: 'µs',
      note: 'in process, with schema checks',
    },
    {
      name: 'bridge / direct handler (p50 ratio)',
      value: p50(bridgeUs) / p50(directUs),
      unit: '×',
      note: `${bridgeUs.length} calls each, interleaved`,
    },
    { name: 'bridge / dispatcher (p50 ratio)', value: p50(bridgeUs) / p50(dispatchUs), unit: '×' },
  ];
};

export default bench;
