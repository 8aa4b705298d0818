import { z } from 'zod';
import type { AuthLimits } from './auth-sessions';
import type { RateBudget } from './rate-limiter';

/** Sizes and counts the relay enforces. Every one is a bound on what a caller can make it hold. */
export interface RelayLimits extends AuthLimits {
  /** Largest JSON body (the enrolment request is the largest: up to 48 KiB of base64). */
  readonly maxJsonBytes: number;
  /** Largest `PATCH` chunk. */
  readonly maxChunkBytes: number;
  /** Largest mailbox item. */
  readonly maxItemBytes: number;
  /**
   * Unacknowledged bytes one recipient device may have waiting: bytes actually stored (complete
   * items, and what has arrived of unfinished ones), plus the size of the item being announced.
   * A declaration alone holds no quota, so unfinished uploads cannot fill a colleague's mailbox.
   */
  readonly maxPendingBytesPerDevice: number;
  /** Unfinished uploads one sender may have open at once (`POST /v1/mail` answers 429 beyond). */
  readonly maxOpenUploadsPerDevice: number;
  /** An upload not finished this long after it was announced is deleted with its bytes. */
  readonly uploadExpiryMs: number;
  /** How often expired uploads are swept. */
  readonly uploadSweepIntervalMs: number;
  /** Largest inbox page. */
  readonly maxInboxPage: number;
  /** Open push sockets at most (all devices). */
  readonly maxPushConnections: number;
  /** Open push sockets per device (a device needs one; a few allow for reconnects). */
  readonly maxPushSocketsPerDevice: number;
  /** Open TCP connections at most (all clients); beyond, new ones are closed at once. */
  readonly maxConnections: number;
  /** Open TCP connections per source address (a mission behind one NAT address shares it). */
  readonly maxConnectionsPerAddress: number;
  /** `POST /v1/enroll` per source address (answers 429 with Retry-After beyond). */
  readonly enrolPerAddress: RateBudget;
  /** `POST /v1/enroll` per device signing key and source address (a replayed request cannot spend the device's own). */
  readonly enrolPerDevice: RateBudget;
  /** Devices awaiting approval at most; beyond, new enrolments are refused until HQ decides. */
  readonly maxPendingEnrolments: number;
  /** `POST /v1/auth/challenge` per source address. */
  readonly challengePerAddress: RateBudget;
  /** `POST /v1/auth/challenge` per device id and source address (nobody spends another's budget). */
  readonly challengePerDevice: RateBudget;
  /** `POST /v1/tsa` per source address (no session; each answer is a signature). */
  readonly tsaPerAddress: RateBudget;
  /** Addresses and device ids each rate table tracks at most (memory bound under a flood). */
  readonly maxRateKeys: number;
  /** Prekeys kept per device (the newest by `createdAt`; only the newest is listed). */
  readonly maxPrekeysPerDevice: number;
  /** Sealed audit batches kept per device (each ≤ 60 KiB; 128 entries at most). */
  readonly maxAuditBatchesPerDevice: number;
}

export const DEFAULT_LIMITS: RelayLimits = {
  maxJsonBytes: 80 * 1024,
  maxChunkBytes: 8 * 1024 * 1024,
  maxItemBytes: 256 * 1024 * 1024,
  maxPendingBytesPerDevice: 2 * 1024 * 1024 * 1024,
  maxInboxPage: 100,
  maxOpenUploadsPerDevice: 64,
  uploadExpiryMs: 24 * 60 * 60_000,
  uploadSweepIntervalMs: 10 * 60_000,
  maxPushConnections: 10_000,
  maxPushSocketsPerDevice: 4,
  maxConnections: 20_000,
  maxConnectionsPerAddress: 256,
  enrolPerAddress: { burst: 100, perMinute: 60 },
  enrolPerDevice: { burst: 10, perMinute: 10 },
  maxPendingEnrolments: 1_000,
  challengePerAddress: { burst: 600, perMinute: 600 },
  challengePerDevice: { burst: 20, perMinute: 60 },
  tsaPerAddress: { burst: 120, perMinute: 300 },
  maxRateKeys: 100_000,
  maxPrekeysPerDevice: 16,
  maxAuditBatchesPerDevice: 20_000,
  challengeTtlMs: 60_000,
  sessionTtlMs: 15 * 60_000,
  maxChallenges: 100_000,
  maxChallengesPerDevice: 8,
  maxSessions: 100_000,
};

const count = z.number().int().positive().max(Number.MAX_SAFE_INTEGER);
const budget = z.strictObject({ burst: count, perMinute: count });

/**
 * A limits file (`hq serve --limits FILE`): any subset of {@link RelayLimits} as JSON, every
 * value a positive integer (budgets as `{ "burst": N, "perMinute": N }`); an unknown name is
 * refused rather than ignored, so a misspelt limit cannot silently fall back to the default.
 */
export const RelayLimitsFile = z
  .strictObject(
    Object.fromEntries(
      Object.entries(DEFAULT_LIMITS).map(([k, v]) => [k, typeof v === 'number' ? count : budget]),
    ) as Record<keyof RelayLimits, typeof count | typeof budget>,
  )
  .partial() as unknown as z.ZodType<Partial<RelayLimits>>;
