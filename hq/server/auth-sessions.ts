import { randomBytes } from 'node:crypto';

interface Challenge {
  readonly deviceId: string;
  /** `deviceId` and the source address: whose nonce list this is in. */
  readonly owner: string;
  readonly expiresAt: number;
}

interface Session {
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
  /**
   * Outstanding challenges per device and source address: asking for more replaces the oldest
   * of that pair only, so nobody can push out the nonce a device is answering from elsewhere.
   */
  readonly maxChallengesPerDevice: number;
}

/**
 * One-time challenges and bearer sessions, in memory: a relay restart only makes devices sign
 * a fresh challenge. (Several relay processes behind one address would need these in the
 * shared store; not built.) Device status is not cached here: every request re-reads it, so a
 * revocation takes effect on the next request.
 */
export class AuthSessions {
  private readonly challenges = new Map<string, Challenge>();
  private readonly sessions = new Map<string, Session>();
  /** Outstanding nonces per device and address, oldest first (bounded by `maxChallengesPerDevice`). */
  private readonly byDevice = new Map<string, string[]>();

  constructor(
    readonly limits: AuthLimits,
    private readonly now: () => number = Date.now,
  ) {}

  private sweep(): void {
    const t = this.now();
    for (const [k, c] of this.challenges) if (c.expiresAt <= t) this.forget(k, c.owner);
    for (const [k, s] of this.sessions) if (s.expiresAt <= t) this.sessions.delete(k);
  }

  /** A fresh 32-byte nonce (base64) for `deviceId`, or undefined when too many are outstanding. */
  issueChallenge(deviceId: string, address = ''): { nonce: string; expiresAt: number } | undefined {
    const owner = `${deviceId} ${address}`;
    if (this.challenges.size >= this.limits.maxChallenges) this.sweep();
    const own = this.byDevice.get(owner) ?? [];
    // A device (or whoever asks in its name) holds a few nonces at most: a new one replaces
    // the oldest, so asking for many cannot fill the global table.
    while (own.length >= this.limits.maxChallengesPerDevice) {
      const oldest = own.shift() as string;
      this.challenges.delete(oldest);
    }
    if (this.challenges.size >= this.limits.maxChallenges) return undefined;
    const nonce = randomBytes(32).toString('base64');
    const expiresAt = this.now() + this.limits.challengeTtlMs;
    this.challenges.set(nonce, { deviceId, owner, expiresAt });
    own.push(nonce);
    this.byDevice.set(owner, own);
    return { nonce, expiresAt };
  }

  private forget(nonce: string, owner: string): void {
    this.challenges.delete(nonce);
    const own = this.byDevice.get(owner);
    if (!own) return;
    const i = own.indexOf(nonce);
    if (i >= 0) own.splice(i, 1);
    if (own.length === 0) this.byDevice.delete(owner);
  }

  /** Consumes the nonce (whatever the outcome: one answer per challenge); true when usable. */
  takeChallenge(nonce: string, deviceId: string): boolean {
    const c = this.challenges.get(nonce);
    if (!c) return false;
    this.forget(nonce, c.owner);
    return c.deviceId === deviceId && c.expiresAt > this.now();
  }

  openSession(deviceId: string): { token: string; expiresAt: number } | undefined {
    if (this.sessions.size >= this.limits.maxSessions) this.sweep();
    if (this.sessions.size >= this.limits.maxSessions) return undefined;
    const token = randomBytes(32).toString('base64url');
    const expiresAt = this.now() + this.limits.sessionTtlMs;
    this.sessions.set(token, { deviceId, expiresAt });
    return { token, expiresAt };
  }

  /** The session's device and expiry, or undefined for an unknown or expired token. */
  session(token: string): Session | undefined {
    const s = this.sessions.get(token);
    if (!s) return undefined;
    if (s.expiresAt <= this.now()) {
      this.sessions.delete(token);
      return undefined;
    }
    return s;
  }
}
