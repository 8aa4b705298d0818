import { z } from 'zod';

/**
 * The one signed format for everything IT publishes (root, policy, release manifest), specified in
 * docs/protocols/it-signed-v1.md. A document is `{ signed, signatures }`: `signed` is plain JSON
 * data whose canonical form (RFC 8785) is what each Ed25519 signature covers, after the context
 * line below, so a signature over a document can never be read as one over anything else.
 */

/** Prefix of the signed bytes: `IT_SIGNING_CONTEXT || canonicalJson(signed)`, UTF-8. */
export const IT_SIGNING_CONTEXT = 'embassy.it-signed.v1\n';

/** The kinds of signed document, each verified against its own role in the root. */
export const IT_DOCUMENT_TYPES = {
  root: 'embassy.it.root',
  policy: 'embassy.it.policy',
  release: 'embassy.it.release',
} as const;
export type ItDocumentType = (typeof IT_DOCUMENT_TYPES)[keyof typeof IT_DOCUMENT_TYPES];

/** The roles a root names keys for; `release` signs release manifests (signed updates). */
export const IT_ROLES = ['root', 'policy', 'release'] as const;
export type ItRole = (typeof IT_ROLES)[number];

/** A key id: lowercase hex SHA-256 of the raw 32-byte Ed25519 public key. */
export const KeyId = z.string().regex(/^[0-9a-f]{64}$/);
/** Standard base64 with padding, as libsodium's ORIGINAL variant writes it. */
const base64Of = (bytes: number) =>
  z
    .string()
    .length(4 * Math.ceil(bytes / 3))
    .regex(/^[A-Za-z0-9+/]+={0,2}$/);
export const Ed25519PublicB64 = base64Of(32);
export const Ed25519SignatureB64 = base64Of(64);

/** `YYYY-MM-DDTHH:MM:SSZ`, UTC, no fractions: one spelling per instant. */
export const UtcTime = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/)
  .refine((s) => !Number.isNaN(Date.parse(s)) && new Date(s).toISOString() === s.replace('Z', '.000Z'));

export const ItSignature = z.object({ keyid: KeyId, sig: Ed25519SignatureB64 }).strict();
export type ItSignature = z.infer<typeof ItSignature>;

/** Fields every signed payload has: what it is, its version (only grows), when it stops counting. */
export const ItHeader = z
  .object({
    type: z.enum([IT_DOCUMENT_TYPES.root, IT_DOCUMENT_TYPES.policy, IT_DOCUMENT_TYPES.release]),
    version: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER),
    expires: UtcTime,
  })
  .passthrough();
export type ItHeader = z.infer<typeof ItHeader>;

/** The envelope: the signed payload, checked field by field by its own type's schema later. */
export const ItDocument = z
  .object({
    signed: ItHeader,
    signatures: z.array(ItSignature).max(64),
  })
  .strict();
export type ItDocument = z.infer<typeof ItDocument>;

const RoleKeys = z
  .object({
    keyids: z.array(KeyId).min(1).max(32),
    threshold: z.number().int().min(1).max(32),
  })
  .strict()
  .refine((r) => new Set(r.keyids).size === r.keyids.length, 'duplicate key id in a role')
  .refine((r) => r.threshold <= r.keyids.length, 'threshold above the number of keys');

/** The root: IT's keys and, per role, which of them sign and how many must (k of n). */
export const RootPayload = z
  .object({
    type: z.literal(IT_DOCUMENT_TYPES.root),
    version: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER),
    expires: UtcTime,
    keys: z.record(KeyId, z.object({ scheme: z.literal('ed25519'), public: Ed25519PublicB64 }).strict()),
    roles: z.object({ root: RoleKeys, policy: RoleKeys, release: RoleKeys }).strict(),
  })
  .strict()
  .refine(
    (r) => IT_ROLES.every((role) => r.roles[role].keyids.every((id) => id in r.keys)),
    'a role names a key the root does not list',
  );
export type RootPayload = z.infer<typeof RootPayload>;
