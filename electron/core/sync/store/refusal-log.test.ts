import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openStoreVault, T0, type StoreVault } from '../../../../tests/fixtures/sync-store-vault';
import { logEvent, warn } from './refusal-log';

let v: StoreVault;
beforeEach(async () => {
  v = await openStoreVault();
});
afterEach(() => v.close());

describe('sync store: refusal log and warnings', () => {
  it('keeps audit lines with ids and codes only, newest first', async () => {
    logEvent(v.ctx, { at: T0, event: 'queued', senderDevice: 'a'.repeat(32), envelopeId: 'env-1' });
    logEvent(v.ctx, { at: T0 + 1, event: 'rejected', code: 'E_ENVELOPE_SIGNATURE', itemId: 'b'.repeat(32) });
    const audit = await v.run('sync.audit', { limit: 10 });
    expect(audit).toEqual({
      events: [
        {
          at: T0 + 1,
          event: 'rejected',
          code: 'E_ENVELOPE_SIGNATURE',
          sender_device: null,
          envelope_id: null,
          item_id: 'b'.repeat(32),
        },
        {
          at: T0,
          event: 'queued',
          code: null,
          sender_device: 'a'.repeat(32),
          envelope_id: 'env-1',
          item_id: null,
        },
      ],
      received: 0,
    });
    expect((await v.run('sync.audit', { limit: 1 })).events).toHaveLength(1);
  });

  it('shows the newest 100 warnings, newest first', async () => {
    for (let i = 0; i < 105; i++)
      warn(v.ctx, i % 2 ? 'keys-changed' : 'device-revoked', 'p@hq.example', 'c'.repeat(32), T0 + i);
    const warnings = await v.run('sync.warnings', {});
    expect(warnings).toHaveLength(100);
    expect(warnings[0]).toEqual({
      kind: 'device-revoked',
      address: 'p@hq.example',
      deviceId: 'c'.repeat(32),
      at: T0 + 104,
    });
    expect(warnings[99]?.at).toBe(T0 + 5);
  });
});
