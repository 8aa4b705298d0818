import { describe, expect, it } from 'vitest';
import { CoreError, ErrorCode } from '../../../../shared/contract/errors';
import { RelayClientError, type DeviceRelay } from '../relay';
import { newEngineStatus } from './engine-status';
import type { EngineVault, SyncIdentity } from './engine-vault';
import type { InboxReceiver } from './inbox-receiver';
import type { OutboxSender } from './outbox-sender';
import type { RelayConnection } from './relay-connection';
import { createRound, type RoundContext } from './round';

type Step = string;

/**
 * A round with every part faked: it records the order of steps, so the tests can check what
 * happens before what (directory before prekeys, sending beside receiving, force read once).
 */
function setup(
  options: {
    status?: SyncIdentity['status'];
    directory?: () => Promise<void>;
    send?: OutboxSender['send'];
    receive?: InboxReceiver['receiveWhileSending'];
    publish?: number;
  } = {},
) {
  const steps: Step[] = [];
  const identityUpdates: unknown[] = [];
  const dev = {
    publishPrekeys: async () => void steps.push('publish prekeys'),
  } as unknown as DeviceRelay;
  const vault = {
    status: async () => ({ state: 'unlocked' }),
    run: async (op: string, input: unknown) => {
      if (op === 'sync.identity.update') identityUpdates.push(input);
      if (op === 'sync.prekeys.plan') {
        steps.push('plan prekeys');
        return {
          publish: Array.from({ length: options.publish ?? 0 }, (_, i) => ({ prekeyId: `p${i}` })),
          rotated: false,
          deleted: 0,
        };
      }
      if (op === 'sync.outbox.stats') return { count: 3, bytes: 10, failed: 1 };
      return {};
    },
  } as unknown as EngineVault;
  const connection: RelayConnection = {
    relayFor: () => {
      throw new Error('not used');
    },
    device: async () => ({ dev, id: { status: options.status ?? 'approved' } as SyncIdentity }),
    close: () => undefined,
  };
  const status = newEngineStatus();
  const receiver: InboxReceiver = {
    nudge: () => void steps.push('nudge'),
    receiveWhileSending:
      options.receive ??
      (async (_d, _s, _r, outbox) => {
        steps.push(`receive (outbox done: ${outbox.done})`);
      }),
  };
  const sender: OutboxSender = {
    send:
      options.send ??
      (async (_d, force) => {
        steps.push(`send (force: ${force})`);
      }),
  };
  const round = createRound({
    vault,
    now: () => 42,
    prekeyPolicy: undefined,
    connection,
    status,
    sender,
    receiver,
    refreshDirectory: async () => {
      steps.push('directory');
      await options.directory?.();
    },
  });
  const outcome: string[] = [];
  const ctx: RoundContext = {
    signal: new AbortController().signal,
    takeForce: () => {
      steps.push('take force');
      return true;
    },
    ensurePush: () => void steps.push('push'),
    succeeded: () => void outcome.push('succeeded'),
    failed: () => void outcome.push('failed'),
  };
  return { round: () => round(ctx), steps, status, outcome, identityUpdates };
}

describe('round', () => {
  it('fetches the directory, publishes due prekeys (then the directory again), opens push, then sends and receives', async () => {
    const t = setup({ publish: 2 });
    const r = await t.round();
    expect(t.steps).toEqual([
      'directory',
      'plan prekeys',
      'publish prekeys',
      'directory',
      'push',
      'take force',
      'send (force: true)',
      'receive (outbox done: false)',
      'nudge',
    ]);
    expect(t.outcome).toEqual(['succeeded']);
    expect(t.status).toMatchObject({ connection: 'online', lastSyncAt: 42, lastError: undefined });
    expect(r).toMatchObject({ pending: 3, failed: 1, errors: [] });
    expect(t.status.report).toBe(r);
  });

  it('receives while the outbox is still sending, and tells the receiver when sending ends', async () => {
    let finishSending: () => void = () => undefined;
    const seen: string[] = [];
    const t = setup({
      send: () =>
        new Promise<void>((resolve) => {
          finishSending = resolve;
        }),
      receive: async (_d, _s, _r, outbox) => {
        seen.push(`receiving, outbox done: ${outbox.done}`);
        finishSending();
        await Promise.resolve();
        await Promise.resolve();
        seen.push(`outbox done: ${outbox.done}`);
      },
    });
    await t.round();
    expect(seen).toEqual(['receiving, outbox done: false', 'outbox done: true']);
    expect(t.steps).toContain('nudge');
  });

  it('a network failure marks the link offline and grows the backoff; the report carries the error', async () => {
    const t = setup({
      send: async () => {
        throw new RelayClientError('E_NETWORK', 'cut', { retryable: true });
      },
    });
    const r = await t.round();
    expect(t.outcome).toEqual(['failed']);
    expect(t.status.connection).toBe('offline');
    expect(t.status.lastError).toEqual({ code: ErrorCode.SyncOffline, message: 'cut' });
    expect(r.errors).toEqual([{ code: 'E_NETWORK', message: 'cut' }]);
  });

  it('a failure on one side still lets the other side finish (sending and receiving are settled together)', async () => {
    let received = false;
    const t = setup({
      send: async () => {
        throw new RelayClientError('E_NETWORK', 'cut', { retryable: true });
      },
      receive: async () => {
        await new Promise((resolve) => setImmediate(resolve));
        received = true;
      },
    });
    await t.round();
    expect(received).toBe(true);
  });

  it('a device still pending approval is recorded as pending, online, without backoff', async () => {
    const t = setup({
      directory: async () => {
        throw new RelayClientError('E_DEVICE_PENDING', 'pending', { status: 403 });
      },
    });
    await t.round();
    expect(t.identityUpdates).toEqual([{ status: 'pending' }]);
    expect(t.status.connection).toBe('online');
    expect(t.status.lastError?.code).toBe(ErrorCode.SyncPending);
    expect(t.outcome).toEqual([]);
  });

  it('a pending device whose session opens is approved', async () => {
    const t = setup({ status: 'pending' });
    await t.round();
    expect(t.identityUpdates).toEqual([{ status: 'approved' }]);
  });

  it('a revoked device is recorded as revoked; a device revoked already does not reach the relay', async () => {
    const t = setup({
      directory: async () => {
        throw new RelayClientError('E_DEVICE_REVOKED', 'revoked', { status: 403 });
      },
    });
    await t.round();
    expect(t.identityUpdates).toEqual([{ status: 'revoked' }]);
    expect(t.status.connection).toBe('offline');

    const gone = setup({ status: 'revoked' });
    const r = await gone.round();
    expect(gone.steps).toEqual([]);
    expect(r.errors[0]?.code).toBe(new CoreError(ErrorCode.SyncRevoked, '').code);
  });
});
