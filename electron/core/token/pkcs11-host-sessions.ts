import { randomBytes } from 'node:crypto';
import pkcs11js from 'pkcs11js';
import { ErrorCode } from '../../../shared/contract/errors';
import { ckrOf, quietly, wrap, type P11 } from './pkcs11-host-calls';
import { findSlot, tokenGone } from './pkcs11-host-slots';
import { TokenError, tokenErrorFromCkr } from './token-errors';
import type { TokenRef, TokenValue } from './token-protocol';

/** A logged-in PKCS#11 session, known to the client by an opaque id. */
export interface OpenSession {
  readonly handle: Buffer;
  readonly serial: string;
  /** Set when the token left the slot list: every later call answers "removed". */
  removed: boolean;
}

/**
 * Logged-in sessions. `login` opens one PKCS#11 session and calls C_Login exactly once with
 * the PIN it was given; the PIN is not kept (the session handle is the proof of login, as on
 * the token). A batch therefore costs one C_Login. `logout` ends it. Nothing ever retries a
 * login. One logged-in session per token at a time.
 */
export function createSessionTable(p11: P11) {
  const state = { sessions: new Map<string, OpenSession>(), loginAttempts: 0 };

  /** A PKCS#11 failure on the token with `serial` as a TokenError (removal told apart). */
  function toTokenError(e: unknown, serial: string, flags?: number): TokenError {
    const rv = ckrOf(e);
    if (rv <= 0) return new TokenError(ErrorCode.TokenDeviceError);
    const removed = tokenGone(p11, serial);
    return tokenErrorFromCkr(rv, { removed, ...(flags === undefined ? {} : { tokenFlags: flags }) });
  }

  return {
    login(ref: TokenRef, pin: string): TokenValue<'login'> {
      const { slot, info } = findSlot(p11, ref);
      // PKCS#11 login state is per token, shared by all our sessions: a second login while one
      // is open would either fail (CKR_USER_ALREADY_LOGGED_IN) or, if we accepted that, let a
      // wrong PIN through. One logged-in operation per token at a time.
      for (const s of state.sessions.values()) {
        if (s.serial === info.serial && !s.removed) throw new TokenError(ErrorCode.TokenBusy);
      }
      const handle = wrap(() => p11.C_OpenSession(slot, pkcs11js.CKF_SERIAL_SESSION));
      state.loginAttempts++;
      try {
        p11.C_Login(handle, pkcs11js.CKU_USER, pin);
      } catch (e) {
        // Read the flags after the failure: they now tell how many tries are left.
        let flags: number | undefined;
        try {
          flags = p11.C_GetTokenInfo(slot).flags;
        } catch {
          flags = undefined;
        }
        quietly(() => p11.C_CloseSession(handle));
        throw toTokenError(e, info.serial, flags);
      }
      const id = randomBytes(16).toString('hex');
      state.sessions.set(id, { handle, serial: info.serial, removed: false });
      return { session: id, token: info };
    },

    logout(id: string): TokenValue<'logout'> {
      const s = state.sessions.get(id);
      if (!s) return {};
      state.sessions.delete(id);
      quietly(() => p11.C_Logout(s.handle));
      quietly(() => p11.C_CloseSession(s.handle));
      return {};
    },

    /** Runs `fn` on a logged-in session, mapping PKCS#11 failures (and removal) to TokenError. */
    withSession<T>(id: string, fn: (s: OpenSession) => T): T {
      const s = state.sessions.get(id);
      if (!s) throw new TokenError(ErrorCode.TokenSessionClosed);
      if (s.removed) throw new TokenError(ErrorCode.TokenRemoved);
      try {
        return fn(s);
      } catch (e) {
        if (e instanceof TokenError) {
          // A key that "vanished" from a token that left the slot list: say removed, not "no key".
          if (e.code === ErrorCode.TokenKeyNotFound && tokenGone(p11, s.serial)) {
            s.removed = true;
            throw new TokenError(ErrorCode.TokenRemoved);
          }
          throw e;
        }
        const mapped = toTokenError(e, s.serial);
        if (mapped.code === ErrorCode.TokenRemoved) s.removed = true;
        throw mapped;
      }
    },

    /** The poller saw these serials present: sessions on any other token are removed. */
    present(serials: ReadonlySet<string>): void {
      for (const s of state.sessions.values()) if (!serials.has(s.serial)) s.removed = true;
    },

    /** C_Login calls so far (tests check that a batch costs one). */
    loginAttempts: () => state.loginAttempts,

    /** Closes every session (finalize). */
    closeAll(): void {
      for (const s of state.sessions.values()) quietly(() => p11.C_CloseSession(s.handle));
      state.sessions.clear();
    },
  };
}

export type SessionTable = ReturnType<typeof createSessionTable>;
