import {
  authSessionMessage,
  ChallengeResponse,
  SessionResponse,
} from '../../../../shared/sync/relay-protocol';
import { RelayErrorCode } from '../../../../shared/sync/sync-error-codes';
import { exchangeJson, jsonBody, relayRefusal, type RawReply, type RelayHttp } from './http-exchange';
import { RelayClientError } from './relay-error';
import type { DeviceSigner } from './relay-api';

/** Session tokens are renewed this long before they expire. */
export const SESSION_MARGIN_MS = 30_000;

/** The session's one piece of state: the bearer token held, and a login under way. */
interface SessionState {
  session: { token: string; expiresAt: number } | undefined;
  loggingIn: Promise<string> | undefined;
}

/**
 * A device's bearer session with the relay: it logs in by signed challenge when it has none or
 * the one it has expires within {@link SESSION_MARGIN_MS}, shares one login between callers
 * that need a token at once, and logs in once more when the relay answers
 * `E_UNAUTHENTICATED` (a relay restart forgets its sessions).
 */
export class DeviceSession {
  private readonly state: SessionState = { session: undefined, loggingIn: undefined };

  constructor(
    private readonly http: RelayHttp,
    /** The relay certificate's pin: the login signature binds the session to it. */
    private readonly fingerprintHex: string,
    readonly device: DeviceSigner,
    private readonly now: () => number = Date.now,
  ) {}

  /** A bearer token, logging in by signed challenge when there is none or it is about to expire. */
  token(): Promise<string> {
    const { session } = this.state;
    if (session && session.expiresAt - SESSION_MARGIN_MS > this.now()) {
      return Promise.resolve(session.token);
    }
    this.state.loggingIn ??= this.login().finally(() => (this.state.loggingIn = undefined));
    return this.state.loggingIn;
  }

  /** Drops the session held (the relay ended it): the next call logs in again. */
  forget(): void {
    this.state.session = undefined;
  }

  private async login(): Promise<string> {
    const { deviceId } = this.device;
    const ch = await exchangeJson(
      this.http,
      jsonBody('POST', '/v1/auth/challenge', { deviceId }),
      ChallengeResponse,
    );
    const message = authSessionMessage(
      deviceId,
      this.fingerprintHex,
      new Uint8Array(Buffer.from(ch.nonce, 'base64')),
    );
    const signature = Buffer.from(await this.device.sign(message)).toString('base64');
    const s = await exchangeJson(
      this.http,
      jsonBody('POST', '/v1/auth/session', { deviceId, nonce: ch.nonce, signature }),
      SessionResponse,
    );
    this.state.session = s;
    return s.token;
  }

  /** Runs `f` with a token; on E_UNAUTHENTICATED logs in again and runs it once more. */
  async authed<T>(f: (token: string) => Promise<T>): Promise<T> {
    const token = await this.token();
    try {
      return await f(token);
    } catch (e) {
      if (!(e instanceof RelayClientError) || e.code !== RelayErrorCode.Unauthenticated) throw e;
      if (this.state.session?.token === token) this.state.session = undefined;
      return f(await this.token());
    }
  }

  /** {@link authed} for exchanges that return the raw reply: a 401 there is a refusal too. */
  authedRaw(f: (token: string) => Promise<RawReply>): Promise<RawReply> {
    return this.authed(async (token) => {
      const reply = await f(token);
      if (reply.status === 401) throw relayRefusal(reply);
      return reply;
    });
  }
}
