import { z } from 'zod';
import { asPrekeySecretKey, type PrekeySecret } from '../device-keys';
import { DEFAULT_PREKEY_POLICY, generatePrekey, planPrekeyRotation } from '../prekeys';
import { deviceKeys, forgetKeys, requireIdentity } from './device-identity';
import { logEvent } from './refusal-log';
import { secretCopy, toBase64, u8, type SyncStoreContext } from './store-context';
import { Ms, syncOp } from './worker-op';

/**
 * The device's signed prekeys (`sync_prekeys`): made on schedule, published once, retired
 * when a newer one is made, and their secrets deleted after the grace window. That deletion is
 * what forward secrecy rests on (the vault runs with secure_delete, so the row is overwritten).
 */

/** A prekey secret this device still holds, copied out (the caller zeroes it), or undefined. */
export function heldPrekeySecret(ctx: SyncStoreContext, prekeyId: string): PrekeySecret | undefined {
  const p = ctx.db
    .prepare('SELECT prekey_id, public_key, secret_key, created_at FROM sync_prekeys WHERE prekey_id = ?')
    .get(prekeyId) as
    { prekey_id: string; public_key: Buffer; secret_key: Buffer; created_at: number } | undefined;
  return p
    ? {
        prekeyId: p.prekey_id,
        publicKey: u8(p.public_key),
        secretKey: asPrekeySecretKey(secretCopy(p.secret_key)),
        createdAt: p.created_at,
      }
    : undefined;
}

export const PREKEY_OPS = {
  /**
   * Rotates the signed prekey when due, deletes retired secrets past the grace window, and
   * returns the prekeys HQ has not seen yet.
   */
  'sync.prekeys.plan': syncOp({
    input: z
      .object({
        now: Ms,
        policy: z.object({ rotateEveryMs: Ms, graceMs: Ms }).strict().optional(),
      })
      .strict(),
    output: z
      .object({
        publish: z.array(
          z
            .object({ prekeyId: z.string(), publicKey: z.string(), createdAt: Ms, signature: z.string() })
            .strict(),
        ),
        rotated: z.boolean(),
        deleted: z.number().int().nonnegative(),
      })
      .strict(),
    handler: (ctx, input) => {
      const { db, sodium } = ctx;
      const r = requireIdentity(ctx);
      return db.transaction(() => {
        const held = db.prepare('SELECT prekey_id, created_at, retired_at FROM sync_prekeys').all() as {
          prekey_id: string;
          created_at: number;
          retired_at: number | null;
        }[];
        const plan = planPrekeyRotation(
          held.map((h) => ({
            prekeyId: h.prekey_id,
            createdAt: h.created_at,
            ...(h.retired_at !== null ? { retiredAt: h.retired_at } : {}),
          })),
          input.now,
          input.policy ?? DEFAULT_PREKEY_POLICY,
        );
        const del = db.prepare('DELETE FROM sync_prekeys WHERE prekey_id = ?');
        for (const id of plan.deleteIds) del.run(id);
        if (plan.deleteIds.length) logEvent(ctx, { at: input.now, event: 'prekeys-deleted' });
        if (plan.rotate) {
          db.prepare('UPDATE sync_prekeys SET retired_at = ? WHERE retired_at IS NULL').run(input.now);
          const keys = deviceKeys(r);
          try {
            const { secret, signed } = generatePrekey(sodium, keys, input.now);
            db.prepare(
              `INSERT INTO sync_prekeys (prekey_id, public_key, secret_key, signature, created_at)
               VALUES (?, ?, ?, ?, ?)`,
            ).run(signed.prekeyId, signed.publicKey, secret.secretKey, signed.signature, signed.createdAt);
            sodium.memzero(secret.secretKey);
          } finally {
            forgetKeys(ctx, keys);
          }
        }
        const unpublished = db
          .prepare(
            'SELECT prekey_id, public_key, signature, created_at FROM sync_prekeys WHERE published = 0 AND retired_at IS NULL',
          )
          .all() as { prekey_id: string; public_key: Buffer; signature: Buffer; created_at: number }[];
        return {
          publish: unpublished.map((p) => ({
            prekeyId: p.prekey_id,
            publicKey: toBase64(p.public_key),
            createdAt: p.created_at,
            signature: toBase64(p.signature),
          })),
          rotated: plan.rotate,
          deleted: plan.deleteIds.length,
        };
      })();
    },
  }),

  /** HQ acknowledged these prekeys: they are not offered again. */
  'sync.prekeys.published': syncOp({
    input: z.object({ ids: z.array(z.string().max(64)).max(16) }).strict(),
    output: z.object({}).strict(),
    handler: (ctx, { ids }) => {
      const mark = ctx.db.prepare('UPDATE sync_prekeys SET published = 1 WHERE prekey_id = ?');
      ctx.db.transaction(() => ids.forEach((id) => mark.run(id)))();
      return {};
    },
  }),
} as const;
