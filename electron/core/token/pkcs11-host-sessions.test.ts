import pkcs11js from 'pkcs11js';
import { describe, expect, it } from 'vitest';
import type { P11 } from './pkcs11-host-calls';
import { createSessionTable } from './pkcs11-host-sessions';
import { readSlots } from './pkcs11-host-slots';
import { CKR } from './token-errors';

/** A token in a slot, as a fake module reports it. */
interface FakeToken {
  label: string;
  serial: string;
  flags: number;
  present: boolean;
}

const ckr = (code: number) => Object.assign(new Error(`CKR 0x${code.toString(16)}`), { code });

/**
 * A fake PKCS#11 module (a unit test of the host's rules, not of a token: the real module is
 * SoftHSM in tests/integration/token-host.test.ts). `pin` is every token's PIN.
 */
function fakeModule(tokens: FakeToken[], pin = '123456') {
  const calls: string[] = [];
  let nextHandle = 1;
  const slotOf = (slot: Buffer) => tokens[slot.readUInt8(0)];
  const sessionToken = new Map<number, FakeToken>();
  const p11 = {
    C_GetSlotList: () => tokens.map((_, i) => Buffer.from([i])).filter((b) => slotOf(b)?.present),
    C_GetTokenInfo: (slot: Buffer) => {
      const t = slotOf(slot);
      if (!t?.present) throw ckr(CKR.TOKEN_NOT_PRESENT);
      const pad = (s: string, n: number) => s.padEnd(n, ' ');
      return {
        label: pad(t.label, 32),
        serialNumber: pad(t.serial, 16),
        manufacturerID: pad('Fake', 32),
        model: pad('Model\0', 16),
        flags: t.flags,
      };
    },
    C_OpenSession: (slot: Buffer) => {
      const h = nextHandle++;
      sessionToken.set(h, slotOf(slot) as FakeToken);
      calls.push(`open ${h}`);
      return Buffer.from([h]);
    },
    C_Login: (handle: Buffer, _user: number, given: string) => {
      calls.push(`login ${handle.readUInt8(0)}`);
      if (given !== pin) throw ckr(CKR.PIN_INCORRECT);
    },
    C_Logout: (handle: Buffer) => calls.push(`logout ${handle.readUInt8(0)}`),
    C_CloseSession: (handle: Buffer) => calls.push(`close ${handle.readUInt8(0)}`),
  };
  return { p11: p11 as unknown as P11, calls };
}

const token = (over: Partial<FakeToken> = {}): FakeToken => ({
  label: 'Officer',
  serial: 'A1',
  flags: pkcs11js.CKF_LOGIN_REQUIRED | pkcs11js.CKF_USER_PIN_INITIALIZED,
  present: true,
  ...over,
});

describe('readSlots', () => {
  it('names tokens by trimmed label and serial, with their PIN flags', () => {
    const { p11 } = fakeModule([
      token({ flags: pkcs11js.CKF_LOGIN_REQUIRED | pkcs11js.CKF_USER_PIN_FINAL_TRY }),
      token({ serial: 'B2', present: false }),
    ]);
    expect(readSlots(p11).map((s) => s.info)).toEqual([
      {
        label: 'Officer',
        serial: 'A1',
        manufacturer: 'Fake',
        model: 'Model',
        flags: {
          loginRequired: true,
          userPinInitialized: false,
          protectedAuthenticationPath: false,
          pinCountLow: false,
          pinFinalTry: true,
          pinLocked: false,
          pinToBeChanged: false,
        },
      },
    ]);
  });
});

describe('createSessionTable', () => {
  it('logs in once per session and refuses a second login on the same token', () => {
    const { p11, calls } = fakeModule([token()]);
    const sessions = createSessionTable(p11);
    const first = sessions.login({ label: 'Officer' }, '123456');
    expect(first.token.serial).toBe('A1');
    expect(() => sessions.login({ label: 'Officer' }, '123456')).toThrow(
      expect.objectContaining({ code: 'E_TOKEN_BUSY' }),
    );
    expect(sessions.loginAttempts()).toBe(1);
    sessions.logout(first.session);
    expect(calls).toEqual(['open 1', 'login 1', 'logout 1', 'close 1']);
    expect(sessions.login({ label: 'Officer' }, '123456').session).not.toBe(first.session);
  });

  it('a wrong PIN closes the session, is never retried, and reads the tries left', () => {
    const t = token();
    const { p11, calls } = fakeModule([t]);
    const sessions = createSessionTable(p11);
    // The token lowers its counter on the failed try: the flags are read after it.
    const login = p11.C_Login.bind(p11);
    p11.C_Login = ((...args: Parameters<P11['C_Login']>) => {
      t.flags |= pkcs11js.CKF_USER_PIN_COUNT_LOW;
      return login(...args);
    }) as P11['C_Login'];
    expect(() => sessions.login({ serial: 'A1' }, '000000')).toThrow(
      expect.objectContaining({ code: 'E_TOKEN_PIN_INCORRECT', triesHint: 'low' }),
    );
    expect(calls).toEqual(['open 1', 'login 1', 'close 1']);
    expect(sessions.loginAttempts()).toBe(1);
  });

  it('answers "removed" once the token left, and "closed" for an unknown session', () => {
    const t = token();
    const { p11 } = fakeModule([t]);
    const sessions = createSessionTable(p11);
    const { session } = sessions.login({ label: 'Officer' }, '123456');
    expect(sessions.withSession(session, () => 'signed')).toBe('signed');
    // A key that "vanished" because the token left the slot list is a removal, not "no key".
    t.present = false;
    expect(() =>
      sessions.withSession(session, () => {
        throw ckr(CKR.OBJECT_HANDLE_INVALID);
      }),
    ).toThrow(expect.objectContaining({ code: 'E_TOKEN_REMOVED' }));
    expect(() => sessions.withSession(session, () => 'again')).toThrow(
      expect.objectContaining({ code: 'E_TOKEN_REMOVED' }),
    );
    expect(() => sessions.withSession('nope', () => 'x')).toThrow(
      expect.objectContaining({ code: 'E_TOKEN_SESSION_CLOSED' }),
    );
  });

  it('the poller marks sessions on a token no longer present as removed', () => {
    const { p11 } = fakeModule([token(), token({ serial: 'B2', label: 'Other' })]);
    const sessions = createSessionTable(p11);
    const a = sessions.login({ serial: 'A1' }, '123456');
    const b = sessions.login({ serial: 'B2' }, '123456');
    sessions.present(new Set(['B2']));
    expect(() => sessions.withSession(a.session, () => 1)).toThrow(
      expect.objectContaining({ code: 'E_TOKEN_REMOVED' }),
    );
    expect(sessions.withSession(b.session, () => 2)).toBe(2);
  });
});
