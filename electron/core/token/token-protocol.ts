import { z } from 'zod';
import { isLocalAbsolutePath } from '../../../shared/contract/module-path';

/**
 * The wire protocol between the core and the token host process (the only process that loads
 * the PKCS#11 module). One JSON message per request `{ id, op, … }`, one per answer
 * `{ id, ok, value | error }`, and unsolicited events `{ event: 'tokens', tokens }` when the
 * slot list changes. Both sides validate every message with these schemas: a confused or
 * compromised peer gets an error, never an unchecked object. Binary values travel as base64.
 */

const Hex = z
  .string()
  .max(256)
  .regex(/^([0-9a-f]{2})*$/);
const B64 = (max: number) =>
  z
    .string()
    .max(max)
    .regex(/^[A-Za-z0-9+/]*={0,2}$/);

/** A token is found by label or serial, never by slot id (slot ids change between runs). */
export const TokenRef = z
  .object({ label: z.string().min(1).max(32).optional(), serial: z.string().min(1).max(16).optional() })
  .strict()
  .refine((r) => r.label !== undefined || r.serial !== undefined, 'label or serial required');
export type TokenRef = z.infer<typeof TokenRef>;

export const TokenFlags = z
  .object({
    loginRequired: z.boolean(),
    userPinInitialized: z.boolean(),
    protectedAuthenticationPath: z.boolean(),
    pinCountLow: z.boolean(),
    pinFinalTry: z.boolean(),
    pinLocked: z.boolean(),
    pinToBeChanged: z.boolean(),
  })
  .strict();

export const TokenInfo = z
  .object({
    label: z.string().max(32),
    serial: z.string().max(16),
    manufacturer: z.string().max(32),
    model: z.string().max(16),
    flags: TokenFlags,
  })
  .strict();
export type TokenInfo = z.infer<typeof TokenInfo>;

export const KeyType = z.enum(['rsa', 'ec']);

export const TokenCertificate = z
  .object({ id: Hex, label: z.string().max(256), der: B64(64 * 1024) })
  .strict();
export type TokenCertificate = z.infer<typeof TokenCertificate>;

export const TokenPublicKey = z
  .object({
    id: Hex,
    label: z.string().max(256),
    keyType: KeyType,
    /** RSA modulus size, or the EC field size (256 for P-256). */
    bits: z.number().int().nonnegative(),
    /** EC only: the named curve's OID in dotted form. */
    curve: z.string().max(64).optional(),
  })
  .strict();
export type TokenPublicKey = z.infer<typeof TokenPublicKey>;

/**
 * Signature mechanisms. The host hashes for ECDSA (SoftHSM and many tokens lack
 * CKM_ECDSA_SHA256) and returns DER; RSA mechanisms hash on the token.
 */
export const SignMechanism = z.enum(['rsa-pkcs1-sha256', 'rsa-pss-sha256', 'ecdsa-sha256']);
export type SignMechanism = z.infer<typeof SignMechanism>;

const Session = z.string().regex(/^[0-9a-f]{32}$/);
const MAX_DATA = 1024 * 1024;

/** Requests, by operation. `pin` appears only in `login`, and the host never stores it. */
export const TokenRequest = z.discriminatedUnion('op', [
  z
    .object({
      id: z.number().int(),
      op: z.literal('init'),
      // Never relative or UNC, whoever asked: the host is the last place a path can be refused.
      modulePath: z.string().min(1).max(1024).refine(isLocalAbsolutePath),
      pollMs: z.number().int().min(50).max(10_000),
    })
    .strict(),
  z.object({ id: z.number().int(), op: z.literal('listTokens') }).strict(),
  z.object({ id: z.number().int(), op: z.literal('listObjects'), token: TokenRef }).strict(),
  z
    .object({ id: z.number().int(), op: z.literal('login'), token: TokenRef, pin: z.string().min(1).max(64) })
    .strict(),
  z.object({ id: z.number().int(), op: z.literal('logout'), session: Session }).strict(),
  z
    .object({
      id: z.number().int(),
      op: z.literal('sign'),
      session: Session,
      keyId: Hex,
      mechanism: SignMechanism,
      data: B64(MAX_DATA),
    })
    .strict(),
  z
    .object({
      id: z.number().int(),
      op: z.literal('decrypt'),
      session: Session,
      keyId: Hex,
      hash: z.enum(['sha1', 'sha256']),
      data: B64(8192),
    })
    .strict(),
  z
    .object({
      id: z.number().int(),
      op: z.literal('encrypt'),
      session: Session,
      keyId: Hex,
      hash: z.enum(['sha1', 'sha256']),
      data: B64(8192),
    })
    .strict(),
  z
    .object({
      id: z.number().int(),
      op: z.literal('deriveEcdh'),
      session: Session,
      keyId: Hex,
      peerPublicKey: B64(512),
    })
    .strict(),
  z.object({ id: z.number().int(), op: z.literal('stats') }).strict(),
]);
export type TokenRequest = z.infer<typeof TokenRequest>;
export type TokenOp = TokenRequest['op'];

/** The answer value of each operation. */
export const TokenResponseValue = {
  init: z.object({ library: z.string().max(256) }).strict(),
  listTokens: z.object({ tokens: z.array(TokenInfo).max(64) }).strict(),
  listObjects: z
    .object({ certificates: z.array(TokenCertificate).max(64), publicKeys: z.array(TokenPublicKey).max(64) })
    .strict(),
  login: z.object({ session: Session, token: TokenInfo }).strict(),
  logout: z.object({}).strict(),
  sign: z.object({ signature: B64(2048) }).strict(),
  decrypt: z.object({ data: B64(8192) }).strict(),
  encrypt: z.object({ data: B64(8192) }).strict(),
  deriveEcdh: z.object({ secret: B64(256) }).strict(),
  /** For tests and audit: how many C_Login calls this host has made. */
  stats: z.object({ loginAttempts: z.number().int().nonnegative() }).strict(),
} as const satisfies Record<TokenOp, z.ZodType>;

export type TokenValue<O extends TokenOp> = z.infer<(typeof TokenResponseValue)[O]>;

export const TokenWireError = z
  .object({
    code: z
      .string()
      .regex(/^E_[A-Z_]+$/)
      .max(64),
    message: z.string().max(512),
    ckr: z.string().max(64).optional(),
    triesHint: z.enum(['low', 'final-try', 'locked']).optional(),
  })
  .strict();
export type TokenWireError = z.infer<typeof TokenWireError>;

export const TokenHostMessage = z.union([
  z.object({ id: z.number().int(), ok: z.literal(true), value: z.unknown() }).strict(),
  z.object({ id: z.number().int(), ok: z.literal(false), error: TokenWireError }).strict(),
  z.object({ event: z.literal('tokens'), tokens: z.array(TokenInfo).max(64) }).strict(),
]);
export type TokenHostMessage = z.infer<typeof TokenHostMessage>;
