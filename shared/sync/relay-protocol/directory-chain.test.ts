import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { chainReaches, directoryChainMessage } from './directory-chain';

const sha256Hex = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
const digest = sha256Hex(Buffer.from('{}'));
const link1 = 'd2ce68b151324baba15d4e48bf2a65207e3f63cfc97733ebd8983b79384ee0f1';
const link2 = '46c47be88cdbdff1211e0c1fd25829c02f8a0444e2e2299f68de66fbc0d53d60';

describe('the directory chain', () => {
  it('computes the links of the test vector in docs/protocols/directory-v2.md', () => {
    expect(digest).toBe('44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a');
    expect(sha256Hex(directoryChainMessage(null, 1, digest))).toBe(link1);
    expect(sha256Hex(directoryChainMessage(link1, 2, digest))).toBe(link2);
  });

  it('reaches a held head only through its own history', () => {
    const held = { serial: 1, hash: link1 };
    const steps = [{ serial: 2, digest }];
    expect(chainReaches(sha256Hex, held, steps, { serial: 3, previous: { serial: 2, hash: link2 } })).toBe(
      true,
    );
    // Another digest at serial 2 (another history), steps out of order, a served serial not after them.
    expect(
      chainReaches(sha256Hex, held, [{ serial: 2, digest: '0'.repeat(64) }], {
        serial: 3,
        previous: { serial: 2, hash: link2 },
      }),
    ).toBe(false);
    expect(chainReaches(sha256Hex, held, [{ serial: 1, digest }], { serial: 3, previous: held })).toBe(false);
    expect(chainReaches(sha256Hex, held, steps, { serial: 2, previous: { serial: 2, hash: link2 } })).toBe(
      false,
    );
    expect(chainReaches(sha256Hex, held, [], { serial: 2, previous: null })).toBe(false);
  });
});
