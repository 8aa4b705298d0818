import { fork, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ErrorCode } from '../../../shared/contract/errors';
import { TOKEN_MESSAGES, TokenError, type TokenErrorCode } from './token-errors';
import {
  TokenHostMessage,
  TokenResponseValue,
  type SignMechanism,
  type TokenInfo,
  type TokenOp,
  type TokenRef,
  type TokenRequest,
  type TokenValue,
} from './token-protocol';

export interface TokenHostOptions {
  /** The PKCS#11 module (driver) to load; see known-modules.ts for the candidates we probe. */
  readonly modulePath: string;
  /** Slot-list poll interval. Removal must be noticed within 2 s, so at most 1000. */
  readonly pollMs?: number;
  /** Environment of the token process (tests pass SOFTHSM2_CONF here). Defaults to ours. */
  readonly env?: NodeJS.ProcessEnv;
  /** The host entry and Node flags; defaults to the bundled file or, from source, the TS entry via tsx. */
  readonly host?: { readonly entry: string; readonly execArgv: readonly string[] };
  /** Per-request limit; a hung driver must not hang the caller forever. */
  readonly timeoutMs?: number;
  /**
   * How the process is started: a forked Node child by default; the Electron app passes an
   * adapter over `utilityProcess.fork` (with the runAsNode fuse off, `fork` cannot work there).
   */
  readonly spawn?: SpawnHost;
}

/** The token process as the client sees it, whatever started it. */
export interface HostProcess {
  send(message: unknown): void;
  onMessage(listener: (message: unknown) => void): void;
  /** Called once when the process has ended or could not start. */
  onExit(listener: () => void): void;
  /** Ask it to finalize the module and exit (it does so when its channel closes). */
  stop(): void;
}

export type SpawnHost = (
  entry: string,
  options: { readonly execArgv: readonly string[]; readonly env: NodeJS.ProcessEnv },
) => HostProcess;

/** The default: a forked Node child with an IPC channel (CLI, tests, preview). */
export const forkHost: SpawnHost = (entry, { execArgv, env }) => {
  const child: ChildProcess = fork(entry, [], {
    execArgv: [...execArgv],
    env,
    serialization: 'json',
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  let ended = false;
  return {
    send: (message) => {
      if (child.connected) child.send(message as object);
    },
    onMessage: (listener) => child.on('message', listener),
    onExit: (listener) => {
      const once = () => {
        if (!ended) listener();
        ended = true;
      };
      child.on('exit', once);
      child.on('error', once);
    },
    stop: () => {
      if (child.connected) child.disconnect();
    },
  };
};

/** A logged-in session on one token: the PIN was used once, for C_Login, and is not kept. */
export interface TokenSession {
  readonly token: TokenInfo;
  sign(keyId: string, mechanism: SignMechanism, data: Uint8Array): Promise<Buffer>;
  /**
   * Signs a challenge (device enrolment, vault binding) with the mechanism for the key type:
   * RSA keys PKCS#1 v1.5 SHA-256, EC keys ECDSA SHA-256 (DER).
   */
  signChallenge(keyId: string, keyType: 'rsa' | 'ec', challenge: Uint8Array): Promise<Buffer>;
  /** RSA-OAEP with the token's private key (vault key unwrapping). */
  decryptOaep(keyId: string, ciphertext: Uint8Array, hash?: 'sha1' | 'sha256'): Promise<Buffer>;
  /** RSA-OAEP with the token's public key object. */
  encryptOaep(keyId: string, plaintext: Uint8Array, hash?: 'sha1' | 'sha256'): Promise<Buffer>;
  /** ECDH (CKM_ECDH1_DERIVE, no KDF) with the peer's uncompressed point; the raw shared secret. */
  deriveEcdh(keyId: string, peerPublicKey: Uint8Array): Promise<Buffer>;
  /** C_Logout and C_CloseSession. Safe to call twice, and after the token left. */
  logout(): Promise<void>;
}

/** The core's handle on the token process. Every method is asynchronous; the host does the blocking. */
export interface TokenClient {
  readonly library: string;
  listTokens(): Promise<TokenInfo[]>;
  listObjects(token: TokenRef): Promise<TokenValue<'listObjects'>>;
  /** Exactly one C_Login with this PIN. A wrong PIN rejects with E_TOKEN_PIN_INCORRECT; nothing retries. */
  login(token: TokenRef, pin: string): Promise<TokenSession>;
  /** How many C_Login calls the host has made (tests assert "no second attempt"). */
  loginAttempts(): Promise<number>;
  /** Called with the token list whenever a token is inserted or removed; returns an unsubscribe. */
  onTokensChanged(listener: (tokens: TokenInfo[]) => void): () => void;
  /** The token list as of the last poll. */
  currentTokens(): TokenInfo[];
  /** Ends the host: it logs out, calls C_Finalize and exits. */
  close(): Promise<void>;
}

/** Where the token host's code is: the bundled `dist/token/token-host.cjs`, or the TS source under tsx. */
export function defaultTokenHost(): { entry: string; execArgv: string[] } {
  const here = fileURLToPath(import.meta.url);
  if (here.endsWith('.cjs')) {
    // Bundles live in dist/<name>/ (possibly in a chunks/ subfolder); the host in dist/token/.
    for (const up of ['..', '../..']) {
      const candidate = join(dirname(here), up, 'token', 'token-host.cjs');
      if (existsSync(candidate)) return { entry: candidate, execArgv: [] };
    }
    throw new TokenError(ErrorCode.TokenHostFailed, {
      detail: 'token-host.cjs not found next to the bundle',
    });
  }
  return { entry: join(dirname(here), 'token-host-main.ts'), execArgv: ['--import', 'tsx'] };
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
type Params<O extends TokenOp> = DistributiveOmit<Extract<TokenRequest, { op: O }>, 'id' | 'op'>;

/** Starts the token process, loads the module there and starts slot polling. */
export async function startTokenHost(options: TokenHostOptions): Promise<TokenClient> {
  const { entry, execArgv } = options.host ?? defaultTokenHost();
  const pollMs = Math.min(options.pollMs ?? 500, 1000);
  const timeoutMs = options.timeoutMs ?? 120_000;
  const child = (options.spawn ?? forkHost)(entry, { execArgv, env: options.env ?? process.env });
  const pending = new Map<
    number,
    { resolve: (v: unknown) => void; reject: (e: Error) => void; timer: NodeJS.Timeout }
  >();
  const listeners = new Set<(tokens: TokenInfo[]) => void>();
  let tokens: TokenInfo[] = [];
  let nextId = 1;
  let exited = false;

  const failAll = (code: TokenErrorCode, detail: string) => {
    for (const p of pending.values()) {
      clearTimeout(p.timer);
      p.reject(new TokenError(code, { detail }));
    }
    pending.clear();
  };

  child.onMessage((raw: unknown) => {
    const parsed = TokenHostMessage.safeParse(raw);
    if (!parsed.success) return; // a malformed message answers nothing; its request times out
    const msg = parsed.data;
    if ('event' in msg) {
      tokens = msg.tokens;
      for (const l of listeners) l(tokens);
      return;
    }
    const p = pending.get(msg.id);
    if (!p) return;
    pending.delete(msg.id);
    clearTimeout(p.timer);
    if (msg.ok) p.resolve(msg.value);
    else p.reject(fromWire(msg.error));
  });
  const ended = new Promise<void>((resolve) =>
    child.onExit(() => {
      exited = true;
      failAll(ErrorCode.TokenHostFailed, 'token process exited');
      resolve();
    }),
  );

  async function request<O extends TokenOp>(op: O, params: Params<O>): Promise<TokenValue<O>> {
    if (exited) throw new TokenError(ErrorCode.TokenHostFailed);
    const id = nextId++;
    const raw = await new Promise<unknown>((resolve, reject) => {
      const timer = setTimeout(() => {
        pending.delete(id);
        reject(new TokenError(ErrorCode.TokenHostFailed, { detail: `no answer to ${op}` }));
      }, timeoutMs);
      pending.set(id, { resolve, reject, timer });
      child.send({ id, op, ...params });
    });
    const checked = TokenResponseValue[op].safeParse(raw);
    if (!checked.success) throw new TokenError(ErrorCode.TokenHostFailed, { detail: `bad answer to ${op}` });
    return checked.data as TokenValue<O>;
  }

  let library: string;
  try {
    ({ library } = await request('init', { modulePath: options.modulePath, pollMs }));
  } catch (e) {
    child.stop();
    throw e;
  }
  // The first poll ran right after init; ask once so currentTokens() is filled from the start.
  tokens = (await request('listTokens', {})).tokens;

  const makeSession = (session: string, token: TokenInfo): TokenSession => {
    let closed = false;
    return {
      token,
      async sign(keyId, mechanism, data) {
        const { signature } = await request('sign', {
          session,
          keyId,
          mechanism,
          data: Buffer.from(data).toString('base64'),
        });
        return Buffer.from(signature, 'base64');
      },
      signChallenge(keyId, keyType, challenge) {
        return this.sign(keyId, keyType === 'ec' ? 'ecdsa-sha256' : 'rsa-pkcs1-sha256', challenge);
      },
      async decryptOaep(keyId, ciphertext, hash = 'sha256') {
        const { data } = await request('decrypt', {
          session,
          keyId,
          hash,
          data: Buffer.from(ciphertext).toString('base64'),
        });
        return Buffer.from(data, 'base64');
      },
      async encryptOaep(keyId, plaintext, hash = 'sha256') {
        const { data } = await request('encrypt', {
          session,
          keyId,
          hash,
          data: Buffer.from(plaintext).toString('base64'),
        });
        return Buffer.from(data, 'base64');
      },
      async deriveEcdh(keyId, peerPublicKey) {
        const { secret } = await request('deriveEcdh', {
          session,
          keyId,
          peerPublicKey: Buffer.from(peerPublicKey).toString('base64'),
        });
        return Buffer.from(secret, 'base64');
      },
      async logout() {
        if (closed || exited) return;
        closed = true;
        await request('logout', { session });
      },
    };
  };

  return {
    library,
    listTokens: async () => (await request('listTokens', {})).tokens,
    listObjects: (token) => request('listObjects', { token }),
    async login(token, pin) {
      const value = await request('login', { token, pin });
      return makeSession(value.session, value.token);
    },
    loginAttempts: async () => (await request('stats', {})).loginAttempts,
    onTokensChanged(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    currentTokens: () => tokens,
    async close() {
      if (exited) return;
      child.stop();
      await ended;
    },
  };
}

function fromWire(error: {
  code: string;
  message: string;
  ckr?: string | undefined;
  triesHint?: 'low' | 'final-try' | 'locked' | undefined;
}): Error {
  const code = error.code as TokenErrorCode;
  // Rebuild from the code so the bilingual texts come from our table, not from the wire.
  const e = new TokenError(code in TOKEN_MESSAGES ? code : ErrorCode.TokenDeviceError, {
    ...(error.ckr ? { ckr: error.ckr } : {}),
    ...(error.triesHint ? { triesHint: error.triesHint } : {}),
  });
  return e;
}
