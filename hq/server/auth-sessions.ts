import { randomBytes } from 'node:crypto';

interface Challenge {
  readonly deviceId: string;
  readonly expiresAt: number;
}

export interface Session {
  readonly deviceId: string;
  readonly expiresAt: number;
}

export interface AuthLimits {
  /** How long a challenge nonce may be answered (ms). */
  readonly challengeTtlMs: number;
  /** How long a session token lives (ms): short, so a stolen token is worth little. */
  readonly sessionTtlMs: number;
  /** Outstanding challenges at most; beyond, new ones are refused (memory bound under abuse). */
  readonly maxChallenges: number;
  readonly maxSessions: number;
}

/**
 * One-time challenges and bearer sessions. Device status is not cached here: every request
 * re-reads it, so a revocation takes effect on the next request. Asynchronous so that several
 * relay instances can share them in their database (`hq/storage/pg-auth-sessions.ts`).
 */
export interface SessionStore {
  /** A fresh 32-byte nonce (base64) for `deviceId`, or undefined when too many are outstanding. */
  issueChallenge(deviceId: string): Promise<{ nonce: string; expiresAt: number } | undefined>;
  /** Consumes the nonce (whatever the outcome: one answer per challenge); true when usable. */
  takeChallenge(nonce: string, deviceId: string): Promise<boolean>;
  openSession(deviceId: string): Promise<{ token: string; expiresAt: number } | undefined>;
  /** The session's device and expiry, or undefined for an unknown or expired token. */
  session(token: string): Promise<Session | undefined>;
}

/**
 * The sessions of a single relay process, in memory: a relay restart only makes devices sign
 * a fresh challenge.
 */
export class AuthSessions implements SessionStore {
  private readonly challenges = new Map<string, Challenge>();
  private readonly sessions = new Map<string, Session>();

  constructor(
    readonly limits: AuthLimits,
    private readonly now: () => number = Date.now,
  ) {}

  private sweep(): void {
    const t = this.now();
    for (const [k, c] of this.challenges) if (c.expiresAt <= t) this.challenges.delete(k);
    for (const [k, s] of this.sessions) if (s.expiresAt <= t) this.sessions.delete(k);
  }

  async issueChallenge(deviceId: string): Promise<{ nonce: string; expiresAt: number } | undefined> {
    if (this.challenges.size >= this.limits.maxChallenges) this.sweep();
    if (this.challenges.size >= this.limits.maxChallenges) return undefined;
    const nonce = randomBytes(32).toString('base64');
    const expiresAt = this.now() + this.limits.challengeTtlMs;
    this.challenges.set(nonce, { deviceId, expiresAt });
    return { nonce, expiresAt };
  }

  async takeChallenge(nonce: string, deviceId: string): Promise<boolean> {
    const c = this.challenges.get(nonce);
    if (!c) return false;
    this.challenges.delete(nonce);
    return c.deviceId === deviceId && c.expiresAt > this.now();
  }

  async openSession(deviceId: string): Promise<{ token: string; expiresAt: number } | undefined> {
    if (this.sessions.size >= this.limits.maxSessions) this.sweep();
    if (this.sessions.size >= this.limits.maxSessions) return undefined;
    const token = randomBytes(32).toString('base64url');
    const expiresAt = this.now() + this.limits.sessionTtlMs;
    this.sessions.set(token, { deviceId, expiresAt });
    return { token, expiresAt };
  }

  async session(token: string): Promise<Session | undefined> {
    const s = this.sessions.get(token);
    if (!s) return undefined;
    if (s.expiresAt <= this.now()) {
      this.sessions.delete(token);
      return undefined;
    }
    return s;
  }
}
