import type { AuthLimits } from './auth-sessions';

/** Sizes and counts the relay enforces. Every one is a bound on what a caller can make it hold. */
export interface RelayLimits extends AuthLimits {
  /** Largest JSON body (the enrolment request is the largest: up to 48 KiB of base64). */
  readonly maxJsonBytes: number;
  /** Largest `PATCH` chunk. */
  readonly maxChunkBytes: number;
  /** Largest mailbox item. */
  readonly maxItemBytes: number;
  /** Unacknowledged bytes (complete or uploading) one recipient device may have waiting. */
  readonly maxPendingBytesPerDevice: number;
  /** Largest inbox page. */
  readonly maxInboxPage: number;
  /** Open push sockets at most (all devices). */
  readonly maxPushConnections: number;
  /** Prekeys kept per device (the newest by `createdAt`; only the newest is listed). */
  readonly maxPrekeysPerDevice: number;
}

export const DEFAULT_LIMITS: RelayLimits = {
  maxJsonBytes: 80 * 1024,
  maxChunkBytes: 8 * 1024 * 1024,
  maxItemBytes: 256 * 1024 * 1024,
  maxPendingBytesPerDevice: 2 * 1024 * 1024 * 1024,
  maxInboxPage: 100,
  maxPushConnections: 10_000,
  maxPrekeysPerDevice: 16,
  challengeTtlMs: 60_000,
  sessionTtlMs: 15 * 60_000,
  maxChallenges: 100_000,
  maxSessions: 100_000,
};
