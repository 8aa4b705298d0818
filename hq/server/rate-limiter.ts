/**
 * Per-key request budgets (a token bucket per source address or device id): `burst` requests at
 * once, refilled at `perMinute`. The table of keys is bounded too: when it is full, buckets that
 * have refilled completely (they carry no information) are dropped first, then the oldest, so a
 * flood of distinct keys costs a fixed amount of memory and never locks out a key it evicted
 * (an evicted key starts again with a full bucket, which is the conservative direction for
 * availability and still bounds any one key to `burst` per eviction cycle).
 */
export interface RateBudget {
  /** Requests a key may make at once. */
  readonly burst: number;
  /** Requests a key regains per minute. */
  readonly perMinute: number;
}

interface Bucket {
  tokens: number;
  updatedAt: number;
}

export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>();

  constructor(
    private readonly budget: RateBudget,
    /** Keys tracked at most. */
    private readonly maxKeys: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Takes one request from `key`'s budget: 0 when allowed, else the milliseconds to wait. */
  take(key: string): number {
    const t = this.now();
    const bucket = this.refilled(key, t);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return 0;
    }
    return Math.ceil(((1 - bucket.tokens) * 60_000) / this.budget.perMinute);
  }

  /** Keys tracked now (for tests and the health of the limiter itself). */
  get size(): number {
    return this.buckets.size;
  }

  private refilled(key: string, t: number): Bucket {
    const existing = this.buckets.get(key);
    if (existing) {
      const gained = ((t - existing.updatedAt) * this.budget.perMinute) / 60_000;
      existing.tokens = Math.min(this.budget.burst, existing.tokens + gained);
      existing.updatedAt = t;
      // Most recently used last: the Map's order is the eviction order.
      this.buckets.delete(key);
      this.buckets.set(key, existing);
      return existing;
    }
    if (this.buckets.size >= this.maxKeys) this.evict(t);
    const fresh = { tokens: this.budget.burst, updatedAt: t };
    this.buckets.set(key, fresh);
    return fresh;
  }

  private evict(t: number): void {
    const full = (b: Bucket) =>
      b.tokens + ((t - b.updatedAt) * this.budget.perMinute) / 60_000 >= this.budget.burst;
    for (const [k, b] of this.buckets) {
      if (this.buckets.size < this.maxKeys) return;
      if (full(b)) this.buckets.delete(k);
    }
    // Still full: drop the least recently used.
    for (const k of this.buckets.keys()) {
      if (this.buckets.size < this.maxKeys) return;
      this.buckets.delete(k);
    }
  }
}
