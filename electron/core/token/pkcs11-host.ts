import { createHash, randomBytes } from 'node:crypto';
import pkcs11js from 'pkcs11js';
import { ErrorCode } from '../../../shared/contract/errors';
import { rawEcdsaToDer } from './ecdsa-signature';
import { TokenError, tokenErrorFromCkr } from './token-errors';
import type {
  SignMechanism,
  TokenInfo,
  TokenOp,
  TokenPublicKey,
  TokenRef,
  TokenRequest,
  TokenValue,
} from './token-protocol';

/**
 * The PKCS#11 side of the token process: everything that touches pkcs11js lives here, and only
 * the token host process (token-host-main.ts) constructs it. pkcs11js calls are synchronous
 * and a USB token can take seconds; in this process that blocks nobody else.
 *
 * Sessions: `login` opens one PKCS#11 session and calls C_Login exactly once with the PIN it
 * was given; the PIN is not kept (the session handle is the proof of login, as on the token).
 * A batch therefore costs one C_Login. `logout` ends it. Nothing ever retries a login.
 */

interface SlotEntry {
  readonly slot: Buffer;
  readonly info: TokenInfo;
}

interface OpenSession {
  readonly handle: Buffer;
  readonly serial: string;
  /** Set by the poller when the token left the slot list: every later call answers "removed". */
  removed: boolean;
}

/** PKCS#11 v2.40: OAEP encoding parameter source (pkcs11js has no constant for it). */
const CKZ_DATA_SPECIFIED = 0x0000_0001;

const trim = (s: string) => s.replace(/[\s\0]+$/, '');

export class Pkcs11Host {
  private readonly p11 = new pkcs11js.PKCS11();
  private initialized = false;
  private readonly sessions = new Map<string, OpenSession>();
  private loginAttempts = 0;
  private lastSnapshot = '';

  /** Loads the module and calls C_Initialize. The only place that does, with `finalize`. */
  init(modulePath: string): TokenValue<'init'> {
    try {
      this.p11.load(modulePath);
    } catch {
      throw new TokenError(ErrorCode.TokenModuleUnavailable);
    }
    this.wrap(() => this.p11.C_Initialize());
    this.initialized = true;
    const info = this.wrap(() => this.p11.C_GetInfo());
    return { library: `${trim(info.manufacturerID)} ${trim(info.libraryDescription)}`.slice(0, 256) };
  }

  finalize(): void {
    if (!this.initialized) return;
    for (const s of this.sessions.values()) this.quietly(() => this.p11.C_CloseSession(s.handle));
    this.sessions.clear();
    this.quietly(() => this.p11.C_Finalize());
    this.initialized = false;
  }

  /** Dispatches one validated request. */
  handle(req: TokenRequest): unknown {
    switch (req.op) {
      case 'init':
        return this.init(req.modulePath);
      case 'listTokens':
        return { tokens: this.slots().map((s) => s.info) } satisfies TokenValue<'listTokens'>;
      case 'listObjects':
        return this.listObjects(req.token);
      case 'login':
        return this.login(req.token, req.pin);
      case 'logout':
        return this.logout(req.session);
      case 'sign':
        return this.sign(req.session, req.keyId, req.mechanism, Buffer.from(req.data, 'base64'));
      case 'decrypt':
      case 'encrypt':
        return this.oaep(req.op, req.session, req.keyId, req.hash, Buffer.from(req.data, 'base64'));
      case 'deriveEcdh':
        return this.deriveEcdh(req.session, req.keyId, Buffer.from(req.peerPublicKey, 'base64'));
      case 'stats':
        return { loginAttempts: this.loginAttempts } satisfies TokenValue<'stats'>;
    }
  }

  /**
   * Called by the poller. Returns the token list when it changed since the last call (for the
   * `tokens` event), else null. Sessions on a token that left are marked removed.
   */
  poll(): TokenInfo[] | null {
    const slots = this.slots();
    const present = new Set(slots.map((s) => s.info.serial));
    for (const s of this.sessions.values()) if (!present.has(s.serial)) s.removed = true;
    const tokens = slots.map((s) => s.info);
    const snapshot = JSON.stringify(tokens.map((t) => [t.serial, t.label, t.flags]));
    if (snapshot === this.lastSnapshot) return null;
    this.lastSnapshot = snapshot;
    return tokens;
  }

  private slots(): SlotEntry[] {
    const list = this.wrap(() => this.p11.C_GetSlotList(true));
    const out: SlotEntry[] = [];
    for (const slot of list) {
      let t: pkcs11js.TokenInfo;
      try {
        t = this.p11.C_GetTokenInfo(slot);
      } catch {
        continue; // pulled between the two calls
      }
      const f = t.flags;
      out.push({
        slot,
        info: {
          label: trim(t.label),
          serial: trim(t.serialNumber),
          manufacturer: trim(t.manufacturerID),
          model: trim(t.model),
          flags: {
            loginRequired: (f & pkcs11js.CKF_LOGIN_REQUIRED) !== 0,
            userPinInitialized: (f & pkcs11js.CKF_USER_PIN_INITIALIZED) !== 0,
            protectedAuthenticationPath: (f & pkcs11js.CKF_PROTECTED_AUTHENTICATION_PATH) !== 0,
            pinCountLow: (f & pkcs11js.CKF_USER_PIN_COUNT_LOW) !== 0,
            pinFinalTry: (f & pkcs11js.CKF_USER_PIN_FINAL_TRY) !== 0,
            pinLocked: (f & pkcs11js.CKF_USER_PIN_LOCKED) !== 0,
            pinToBeChanged: (f & pkcs11js.CKF_USER_PIN_TO_BE_CHANGED) !== 0,
          },
        },
      });
    }
    return out;
  }

  private findSlot(ref: TokenRef): SlotEntry {
    const match = this.slots().filter(
      (s) =>
        (ref.label === undefined || s.info.label === ref.label) &&
        (ref.serial === undefined || s.info.serial === ref.serial),
    );
    const found = match[0];
    if (!found) throw new TokenError(ErrorCode.TokenNotPresent);
    return found;
  }

  private listObjects(ref: TokenRef): TokenValue<'listObjects'> {
    const { slot } = this.findSlot(ref);
    const session = this.wrap(() => this.p11.C_OpenSession(slot, pkcs11js.CKF_SERIAL_SESSION));
    try {
      const certificates = this.find(session, [
        { type: pkcs11js.CKA_CLASS, value: pkcs11js.CKO_CERTIFICATE },
        { type: pkcs11js.CKA_CERTIFICATE_TYPE, value: pkcs11js.CKC_X_509 },
      ]).map((h) => {
        return {
          id: this.attr(session, h, pkcs11js.CKA_ID).toString('hex'),
          label: this.attr(session, h, pkcs11js.CKA_LABEL).toString('utf8'),
          der: this.attr(session, h, pkcs11js.CKA_VALUE).toString('base64'),
        };
      });
      const publicKeys = this.find(session, [
        { type: pkcs11js.CKA_CLASS, value: pkcs11js.CKO_PUBLIC_KEY },
      ]).flatMap((h): TokenPublicKey[] => {
        const common = {
          id: this.attr(session, h, pkcs11js.CKA_ID).toString('hex'),
          label: this.attr(session, h, pkcs11js.CKA_LABEL).toString('utf8'),
        };
        const kt = this.attr(session, h, pkcs11js.CKA_KEY_TYPE).readUInt32LE(0);
        if (kt === pkcs11js.CKK_RSA) {
          const modulus = this.attr(session, h, pkcs11js.CKA_MODULUS);
          let bytes = modulus.length;
          for (let i = 0; i < modulus.length && modulus[i] === 0; i++) bytes--;
          return [{ ...common, keyType: 'rsa', bits: bytes * 8 }];
        }
        if (kt === pkcs11js.CKK_EC) {
          const params = this.attr(session, h, pkcs11js.CKA_EC_PARAMS);
          const curve = CURVES[params.toString('hex')];
          return [
            {
              ...common,
              keyType: 'ec',
              bits: curve?.bits ?? 0,
              ...(curve ? { curve: curve.oid } : {}),
            },
          ];
        }
        return [];
      });
      return { certificates, publicKeys };
    } finally {
      this.quietly(() => this.p11.C_CloseSession(session));
    }
  }

  private login(ref: TokenRef, pin: string): TokenValue<'login'> {
    const { slot, info } = this.findSlot(ref);
    // PKCS#11 login state is per token, shared by all our sessions: a second login while one
    // is open would either fail (CKR_USER_ALREADY_LOGGED_IN) or, if we accepted that, let a
    // wrong PIN through. One logged-in operation per token at a time.
    for (const s of this.sessions.values()) {
      if (s.serial === info.serial && !s.removed) throw new TokenError(ErrorCode.TokenBusy);
    }
    const handle = this.wrap(() => this.p11.C_OpenSession(slot, pkcs11js.CKF_SERIAL_SESSION));
    this.loginAttempts++;
    try {
      this.p11.C_Login(handle, pkcs11js.CKU_USER, pin);
    } catch (e) {
      // Read the flags after the failure: they now tell how many tries are left.
      let flags: number | undefined;
      try {
        flags = this.p11.C_GetTokenInfo(slot).flags;
      } catch {
        flags = undefined;
      }
      this.quietly(() => this.p11.C_CloseSession(handle));
      throw this.toTokenError(e, info.serial, flags);
    }
    const id = randomBytes(16).toString('hex');
    this.sessions.set(id, { handle, serial: info.serial, removed: false });
    return { session: id, token: info };
  }

  private logout(id: string): TokenValue<'logout'> {
    const s = this.sessions.get(id);
    if (!s) return {};
    this.sessions.delete(id);
    this.quietly(() => this.p11.C_Logout(s.handle));
    this.quietly(() => this.p11.C_CloseSession(s.handle));
    return {};
  }

  private sign(id: string, keyId: string, mechanism: SignMechanism, data: Buffer): TokenValue<'sign'> {
    return this.withSession(id, (s) => {
      const key = this.findKey(s.handle, pkcs11js.CKO_PRIVATE_KEY, keyId);
      let signature: Buffer;
      if (mechanism === 'ecdsa-sha256') {
        // SoftHSM and many tokens have no CKM_ECDSA_SHA256: hash here, sign the digest.
        const digest = createHash('sha256').update(data).digest();
        this.p11.C_SignInit(s.handle, { mechanism: pkcs11js.CKM_ECDSA }, key);
        signature = rawEcdsaToDer(this.p11.C_Sign(s.handle, digest, Buffer.alloc(132)));
      } else if (mechanism === 'rsa-pss-sha256') {
        const parameter: pkcs11js.RsaPSS = {
          type: pkcs11js.CK_PARAMS_RSA_PSS,
          hashAlg: pkcs11js.CKM_SHA256,
          mgf: pkcs11js.CKG_MGF1_SHA256,
          saltLen: 32,
        };
        this.p11.C_SignInit(s.handle, { mechanism: pkcs11js.CKM_SHA256_RSA_PKCS_PSS, parameter }, key);
        signature = this.p11.C_Sign(s.handle, data, Buffer.alloc(1024));
      } else {
        this.p11.C_SignInit(s.handle, { mechanism: pkcs11js.CKM_SHA256_RSA_PKCS }, key);
        signature = this.p11.C_Sign(s.handle, data, Buffer.alloc(1024));
      }
      return { signature: signature.toString('base64') };
    });
  }

  private oaep(
    op: 'decrypt' | 'encrypt',
    id: string,
    keyId: string,
    hash: 'sha1' | 'sha256',
    data: Buffer,
  ): TokenValue<'decrypt'> {
    return this.withSession(id, (s) => {
      const parameter: pkcs11js.RsaOAEP = {
        type: pkcs11js.CK_PARAMS_RSA_OAEP,
        hashAlg: hash === 'sha256' ? pkcs11js.CKM_SHA256 : pkcs11js.CKM_SHA_1,
        mgf: hash === 'sha256' ? pkcs11js.CKG_MGF1_SHA256 : pkcs11js.CKG_MGF1_SHA1,
        source: CKZ_DATA_SPECIFIED,
      };
      const mech = { mechanism: pkcs11js.CKM_RSA_PKCS_OAEP, parameter };
      if (op === 'decrypt') {
        const key = this.findKey(s.handle, pkcs11js.CKO_PRIVATE_KEY, keyId);
        this.p11.C_DecryptInit(s.handle, mech, key);
        const out = this.p11.C_Decrypt(s.handle, data, Buffer.alloc(1024));
        return { data: out.toString('base64') };
      }
      const key = this.findKey(s.handle, pkcs11js.CKO_PUBLIC_KEY, keyId);
      this.p11.C_EncryptInit(s.handle, mech, key);
      return { data: this.p11.C_Encrypt(s.handle, data, Buffer.alloc(1024)).toString('base64') };
    });
  }

  private deriveEcdh(id: string, keyId: string, peer: Buffer): TokenValue<'deriveEcdh'> {
    return this.withSession(id, (s) => {
      const key = this.findKey(s.handle, pkcs11js.CKO_PRIVATE_KEY, keyId);
      const parameter: pkcs11js.ECDH1 = {
        type: pkcs11js.CK_PARAMS_EC_DH,
        kdf: pkcs11js.CKD_NULL,
        publicData: peer,
      };
      // A session object (not stored on the token), extractable so the raw secret can be read
      // once; it is destroyed right after.
      const derived = this.p11.C_DeriveKey(
        s.handle,
        { mechanism: pkcs11js.CKM_ECDH1_DERIVE, parameter },
        key,
        [
          { type: pkcs11js.CKA_CLASS, value: pkcs11js.CKO_SECRET_KEY },
          { type: pkcs11js.CKA_KEY_TYPE, value: pkcs11js.CKK_GENERIC_SECRET },
          { type: pkcs11js.CKA_TOKEN, value: false },
          { type: pkcs11js.CKA_SENSITIVE, value: false },
          { type: pkcs11js.CKA_EXTRACTABLE, value: true },
          { type: pkcs11js.CKA_VALUE_LEN, value: 32 },
        ],
      );
      try {
        const value = this.attr(s.handle, derived, pkcs11js.CKA_VALUE);
        const secret = value.toString('base64');
        value.fill(0);
        return { secret };
      } finally {
        this.quietly(() => this.p11.C_DestroyObject(s.handle, derived));
      }
    });
  }

  /** Runs `fn` on a logged-in session, mapping PKCS#11 failures (and removal) to TokenError. */
  private withSession<T>(id: string, fn: (s: OpenSession) => T): T {
    const s = this.sessions.get(id);
    if (!s) throw new TokenError(ErrorCode.TokenSessionClosed);
    if (s.removed) throw new TokenError(ErrorCode.TokenRemoved);
    try {
      return fn(s);
    } catch (e) {
      if (e instanceof TokenError) throw e;
      const mapped = this.toTokenError(e, s.serial);
      if (mapped.code === ErrorCode.TokenRemoved) s.removed = true;
      throw mapped;
    }
  }

  private findKey(session: Buffer, cls: number, keyIdHex: string): Buffer {
    const handles = this.find(session, [
      { type: pkcs11js.CKA_CLASS, value: cls },
      { type: pkcs11js.CKA_ID, value: Buffer.from(keyIdHex, 'hex') },
    ]);
    const key = handles[0];
    if (!key) throw new TokenError(ErrorCode.TokenKeyNotFound);
    return key;
  }

  private find(session: Buffer, template: pkcs11js.Template): Buffer[] {
    this.p11.C_FindObjectsInit(session, template);
    try {
      return this.p11.C_FindObjects(session, 64);
    } finally {
      this.p11.C_FindObjectsFinal(session);
    }
  }

  private attr(session: Buffer, handle: Buffer, type: number): Buffer {
    const [got] = this.p11.C_GetAttributeValue(session, handle, [{ type }]);
    return Buffer.isBuffer(got?.value) ? got.value : Buffer.alloc(0);
  }

  private toTokenError(e: unknown, serial: string, flags?: number): TokenError {
    const rv = typeof (e as { code?: unknown }).code === 'number' ? (e as { code: number }).code : -1;
    if (rv <= 0) return new TokenError(ErrorCode.TokenDeviceError);
    let removed = false;
    try {
      removed = !this.slots().some((s) => s.info.serial === serial);
    } catch {
      removed = true;
    }
    return tokenErrorFromCkr(rv, { removed, ...(flags === undefined ? {} : { tokenFlags: flags }) });
  }

  private wrap<T>(fn: () => T): T {
    try {
      return fn();
    } catch (e) {
      const rv = typeof (e as { code?: unknown }).code === 'number' ? (e as { code: number }).code : -1;
      throw rv > 0 ? tokenErrorFromCkr(rv) : new TokenError(ErrorCode.TokenDeviceError);
    }
  }

  private quietly(fn: () => unknown): void {
    try {
      fn();
    } catch {
      // Teardown of a session on a token that may be gone: nothing to report.
    }
  }
}

/** DER-encoded namedCurve OIDs (CKA_EC_PARAMS) we recognise. */
const CURVES: Readonly<Record<string, { oid: string; bits: number }>> = {
  '06082a8648ce3d030107': { oid: '1.2.840.10045.3.1.7', bits: 256 },
  '06052b81040022': { oid: '1.3.132.0.34', bits: 384 },
  '06052b81040023': { oid: '1.3.132.0.35', bits: 521 },
};

export type { TokenOp };
