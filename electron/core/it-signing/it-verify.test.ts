import { beforeAll, describe, expect, it } from 'vitest';
import { inDays, makeItKeys, policyPayload, rootPayload, signWith } from '../../../tests/fixtures/it-keys';
import { flip, must } from '../../../tests/helpers/must';
import type { ItKeyFile } from './it-sign';
import { itSodium, type Sodium } from './it-crypto';
import { parseItDocument, rotateRoot, trustPinnedRoot, verifyPayload, type TrustedRoot } from './it-verify';

/** The attacks on it-signed-v1 first, each refused with its own code; then what must pass. */
describe('it-signed-v1 verification', () => {
  let s: Sodium;
  let keys: ItKeyFile[];
  let other: ItKeyFile[];
  let root: TrustedRoot;
  const now = new Date();
  const policy = (v = 1) => policyPayload(v);
  const verify = (doc: unknown, trusted = root) =>
    verifyPayload(s, trusted, parseItDocument(JSON.stringify(doc)), 'embassy.it.policy', 'policy', now);
  const codeOf = (f: () => unknown) => {
    try {
      f();
      return 'accepted';
    } catch (e) {
      return (e as { code?: string }).code;
    }
  };

  beforeAll(async () => {
    s = await itSodium();
    keys = await makeItKeys(3);
    other = await makeItKeys(3);
    root = trustPinnedRoot(s, await signWith(rootPayload(keys, 2), keys.slice(0, 2)));
  });

  it('refuses a document changed after signing (every field, one at a time): E_IT_BAD_SIGNATURE', async () => {
    const doc = await signWith(policy(), keys.slice(0, 2));
    expect(codeOf(() => verify(doc))).toBe('accepted');
    const edits: ((d: typeof doc) => void)[] = [
      (d) => ((d.signed as unknown as { idleLockMinutes: number }).idleLockMinutes = 480),
      (d) => ((d.signed as { version: number }).version = 2),
      (d) => ((d.signed as { expires: string }).expires = inDays(3650)),
      (d) =>
        ((d.signed as unknown as { pkcs11: unknown }).pkcs11 = {
          allowed: [{ path: '/tmp/evil.so', sha256: '00'.repeat(32) }],
        }),
    ];
    for (const edit of edits) {
      const copy = structuredClone(doc);
      edit(copy);
      expect(codeOf(() => verify(copy))).toBe('E_IT_BAD_SIGNATURE');
    }
    // A flipped signature byte too.
    const flipped = structuredClone(doc);
    const first = must(flipped.signatures[0]);
    const sig = Buffer.from(first.sig, 'base64');
    flip(sig, 5, 1);
    flipped.signatures[0] = { ...first, sig: sig.toString('base64') };
    expect(codeOf(() => verify(flipped))).toBe('E_IT_BAD_SIGNATURE');
  });

  it('refuses k−1 signatures, duplicated signatures by one key, and none: E_IT_THRESHOLD', async () => {
    expect(codeOf(() => verify({ signed: policy(), signatures: [] }))).toBe('E_IT_THRESHOLD');
    const one = await signWith(policy(), keys.slice(0, 1));
    expect(codeOf(() => verify(one))).toBe('E_IT_THRESHOLD');
    const dup = { ...one, signatures: [must(one.signatures[0]), must(one.signatures[0])] };
    expect(codeOf(() => verify(dup))).toBe('E_IT_THRESHOLD');
  });

  it('refuses a document signed under another root: E_IT_UNKNOWN_ROOT', async () => {
    const foreign = await signWith(policy(), other);
    expect(codeOf(() => verify(foreign))).toBe('E_IT_UNKNOWN_ROOT');
    // Foreign signatures beside too few of ours are still short of the threshold.
    const mixed = await signWith(policy(), [...other, must(keys[0])]);
    expect(codeOf(() => verify(mixed))).toBe('E_IT_THRESHOLD');
  });

  it('refuses an expired document, and any document under an expired root: E_IT_EXPIRED', async () => {
    const old = await signWith(policyPayload(1, { expires: inDays(-1) }), keys.slice(0, 2));
    expect(codeOf(() => verify(old))).toBe('E_IT_EXPIRED');
    const staleRoot = trustPinnedRoot(s, await signWith(rootPayload(keys, 2, 1, inDays(-1)), keys));
    const fresh = await signWith(policy(), keys);
    expect(codeOf(() => verify(fresh, staleRoot))).toBe('E_IT_EXPIRED');
  });

  it('refuses malformed input without throwing anything but E_IT_MALFORMED', () => {
    for (const text of ['', 'null', '[]', '{"signed":{},"signatures":[]}', '{"signed":1}', 'x'.repeat(100)])
      expect(codeOf(() => parseItDocument(text))).toBe('E_IT_MALFORMED');
  });

  it('rotates the root when the old threshold and the new one both sign', async () => {
    const next = rootPayload(other, 2, 2);
    const both = await signWith(next, [must(keys[0]), must(keys[1]), must(other[0]), must(other[1])]);
    const rotated = rotateRoot(s, root, parseItDocument(JSON.stringify(both)));
    expect(rotated.payload.version).toBe(2);
    // After rotation the new keys sign policy and the old ones no longer count.
    const byNew = await signWith(policy(), other.slice(0, 2));
    const byOld = await signWith(policy(), keys);
    expect(codeOf(() => verify(byNew, rotated))).toBe('accepted');
    expect(codeOf(() => verify(byOld, rotated))).toBe('E_IT_UNKNOWN_ROOT');
  });

  it('refuses a rotation signed by the new keys only, by k−1 old keys, backwards or skipping', async () => {
    const next = rootPayload(other, 2, 2);
    const newOnly = await signWith(next, other);
    expect(codeOf(() => rotateRoot(s, root, newOnly))).toBe('E_IT_UNKNOWN_ROOT');
    const short = await signWith(next, [must(keys[0]), ...other]);
    expect(codeOf(() => rotateRoot(s, root, short))).toBe('E_IT_THRESHOLD');
    const oldOnly = await signWith(next, keys);
    expect(codeOf(() => rotateRoot(s, root, oldOnly))).toBe('E_IT_UNKNOWN_ROOT');
    const same = await signWith(rootPayload(keys, 2, 1), keys);
    expect(codeOf(() => rotateRoot(s, root, same))).toBe('E_IT_ROLLBACK');
    const skip = await signWith(rootPayload(keys, 2, 3), keys);
    expect(codeOf(() => rotateRoot(s, root, skip))).toBe('E_IT_MALFORMED');
  });

  it('refuses a root whose key id is not its key hash', async () => {
    const payload = rootPayload(keys, 2) as unknown as { keys: Record<string, { public: string }> };
    const [first, second] = Object.keys(payload.keys);
    payload.keys[must(first)] = { ...must(payload.keys[must(second)]) };
    expect(
      codeOf(() => trustPinnedRoot(s, parseItDocument(JSON.stringify({ signed: payload, signatures: [] })))),
    ).toBe('E_IT_MALFORMED');
  });
});
