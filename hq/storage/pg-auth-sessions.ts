import { createHash, randomBytes } from 'node:crypto';
import type pg from 'pg';

/** Bounds the shared session tables hold (the same as the in-memory sessions' limits). */
export interface PgAuthLimits {
  readonly challengeTtlMs: number;
  readonly sessionTtlMs: number;
  readonly maxChallenges: number;
  readonly maxSessions: number;
  readonly maxChallengesPerDevice: number;
}

const digest = (secret: string) => createHash('sha256').update(secret, 'utf8').digest();

/** How often (at most) expired rows are swept, per instance. */
const SWEEP_EVERY_MS = 30_000;

/**
 * Challenges and bearer sessions in PostgreSQL, so that a device logged in through one relay
 * instance is known to all of them (a load balancer may send each request elsewhere). Only the
 * SHA-256 of each nonce and token is stored: a database copy holds nothing to present. A
 * challenge is consumed with one DELETE … RETURNING, so two instances cannot both accept it.
 * The count bounds apply across all instances together.
 */
export class PgAuthSessions {
  private lastSweep = 0;
  /** Sessions this instance has found, by token hash (hex), until they expire. */
  private readonly known = new Map<string, { deviceId: string; expiresAt: number }>();

  constructor(
    private readonly pool: pg.Pool,
    readonly limits: PgAuthLimits,
    private readonly now: () => number = Date.now,
  ) {}

  private async sweep(force = false): Promise<void> {
    const t = this.now();
    if (!force && t - this.lastSweep < SWEEP_EVERY_MS) return;
    this.lastSweep = t;
    await this.pool.query('DELETE FROM auth_challenges WHERE expires_at <= $1', [t]);
    await this.pool.query('DELETE FROM auth_sessions WHERE expires_at <= $1', [t]);
  }

  private async count(table: 'auth_challenges' | 'auth_sessions'): Promise<number> {
    const { rows } = await this.pool.query<{ n: number }>(
      `SELECT count(*)::bigint AS n FROM ${table} WHERE expires_at > $1`,
      [this.now()],
    );
    return rows[0]?.n ?? 0;
  }

  /**
   * A fresh 32-byte nonce (base64) for `deviceId` asked from `address`, or undefined when too
   * many are outstanding. Each (device, address) pair keeps its newest few: asking for more
   * drops its own oldest, never another's.
   */
  async issueChallenge(
    deviceId: string,
    address = '',
  ): Promise<{ nonce: string; expiresAt: number } | undefined> {
    await this.sweep();
    const owner = `${deviceId} ${address}`;
    await this.pool.query(
      `DELETE FROM auth_challenges WHERE nonce_hash IN (
         SELECT nonce_hash FROM auth_challenges WHERE owner = $1
         ORDER BY expires_at DESC OFFSET GREATEST($2::integer - 1, 0))`,
      [owner, this.limits.maxChallengesPerDevice],
    );
    if ((await this.count('auth_challenges')) >= this.limits.maxChallenges) return undefined;
    const nonce = randomBytes(32).toString('base64');
    const expiresAt = this.now() + this.limits.challengeTtlMs;
    await this.pool.query(
      'INSERT INTO auth_challenges (nonce_hash, device, owner, expires_at) VALUES ($1, $2, $3, $4)',
      [digest(nonce), deviceId, owner, expiresAt],
    );
    return { nonce, expiresAt };
  }

  /** Consumes the nonce (whatever the outcome: one answer per challenge); true when usable. */
  async takeChallenge(nonce: string, deviceId: string): Promise<boolean> {
    const { rows } = await this.pool.query<{ device: string; expires_at: number }>(
      'DELETE FROM auth_challenges WHERE nonce_hash = $1 RETURNING device, expires_at',
      [digest(nonce)],
    );
    const c = rows[0];
    return c !== undefined && c.device === deviceId && c.expires_at > this.now();
  }

  async openSession(deviceId: string): Promise<{ token: string; expiresAt: number } | undefined> {
    await this.sweep();
    if ((await this.count('auth_sessions')) >= this.limits.maxSessions) return undefined;
    const token = randomBytes(32).toString('base64url');
    const expiresAt = this.now() + this.limits.sessionTtlMs;
    await this.pool.query('INSERT INTO auth_sessions (token_hash, device, expires_at) VALUES ($1, $2, $3)', [
      digest(token),
      deviceId,
      expiresAt,
    ]);
    return { token, expiresAt };
  }

  /** The session's device and expiry, or undefined for an unknown or expired token. */
  async session(token: string): Promise<{ deviceId: string; expiresAt: number } | undefined> {
    const hash = digest(token);
    const key = hash.toString('hex');
    const now = this.now();
    // A session row never changes and leaves only by expiring, so what one lookup found stays
    // true until then: each instance remembers it (bounded) and spares the database one
    // query per request. Revocation is unaffected: the device's status is read every time.
    const known = this.known.get(key);
    if (known !== undefined && known.expiresAt > now) return known;
    const { rows } = await this.pool.query<{ device: string; expires_at: number }>(
      'SELECT device, expires_at FROM auth_sessions WHERE token_hash = $1 AND expires_at > $2',
      [hash, now],
    );
    const s = rows[0];
    if (!s) return undefined;
    const found = { deviceId: s.device, expiresAt: s.expires_at };
    if (this.known.size >= this.limits.maxSessions) this.known.clear();
    this.known.set(key, found);
    return found;
  }
}
