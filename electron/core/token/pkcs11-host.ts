import pkcs11js from 'pkcs11js';
import { ErrorCode } from '../../../shared/contract/errors';
import { trim, quietly, wrap } from './pkcs11-host-calls';
import { deriveEcdh, oaep, sign } from './pkcs11-host-keys';
import { listObjects } from './pkcs11-host-objects';
import { createSessionTable } from './pkcs11-host-sessions';
import { readSlots } from './pkcs11-host-slots';
import { TokenError } from './token-errors';
import type { TokenInfo, TokenOp, TokenRequest, TokenValue } from './token-protocol';

/**
 * The PKCS#11 side of the token process: everything that touches pkcs11js lives here and in
 * its parts (pkcs11-host-*.ts: calls, slots, objects, sessions, keys), and only the token host
 * process (token-host-main.ts) constructs it. pkcs11js calls are synchronous and a USB token
 * can take seconds; in this process that blocks nobody else.
 */
export class Pkcs11Host {
  private readonly p11 = new pkcs11js.PKCS11();
  private readonly sessions = createSessionTable(this.p11);
  private readonly state = { initialized: false, lastSnapshot: '' };

  /** Loads the module and calls C_Initialize. The only place that does, with `finalize`. */
  init(modulePath: string): TokenValue<'init'> {
    try {
      this.p11.load(modulePath);
    } catch {
      throw new TokenError(ErrorCode.TokenModuleUnavailable);
    }
    wrap(() => this.p11.C_Initialize());
    this.state.initialized = true;
    const info = wrap(() => this.p11.C_GetInfo());
    return { library: `${trim(info.manufacturerID)} ${trim(info.libraryDescription)}`.slice(0, 256) };
  }

  finalize(): void {
    if (!this.state.initialized) return;
    this.sessions.closeAll();
    quietly(() => this.p11.C_Finalize());
    this.state.initialized = false;
  }

  /** Dispatches one validated request. */
  handle(req: TokenRequest): unknown {
    const p11 = this.p11;
    switch (req.op) {
      case 'init':
        return this.init(req.modulePath);
      case 'listTokens':
        return { tokens: readSlots(p11).map((s) => s.info) } satisfies TokenValue<'listTokens'>;
      case 'listObjects':
        return listObjects(p11, req.token);
      case 'login':
        return this.sessions.login(req.token, req.pin);
      case 'logout':
        return this.sessions.logout(req.session);
      case 'sign':
        return this.sessions.withSession(req.session, (s) =>
          sign(p11, s.handle, req.keyId, req.mechanism, Buffer.from(req.data, 'base64')),
        );
      case 'decrypt':
      case 'encrypt':
        return this.sessions.withSession(req.session, (s) =>
          oaep(p11, s.handle, req.op, req.keyId, req.hash, Buffer.from(req.data, 'base64')),
        );
      case 'deriveEcdh':
        return this.sessions.withSession(req.session, (s) =>
          deriveEcdh(p11, s.handle, req.keyId, Buffer.from(req.peerPublicKey, 'base64')),
        );
      case 'stats':
        return { loginAttempts: this.sessions.loginAttempts() } satisfies TokenValue<'stats'>;
    }
  }

  /**
   * Called by the poller. Returns the token list when it changed since the last call (for the
   * `tokens` event), else null. Sessions on a token that left are marked removed.
   */
  poll(): TokenInfo[] | null {
    const slots = readSlots(this.p11);
    this.sessions.present(new Set(slots.map((s) => s.info.serial)));
    const tokens = slots.map((s) => s.info);
    const snapshot = JSON.stringify(tokens.map((t) => [t.serial, t.label, t.flags]));
    if (snapshot === this.state.lastSnapshot) return null;
    this.state.lastSnapshot = snapshot;
    return tokens;
  }
}

export type { TokenOp };
