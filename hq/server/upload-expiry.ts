import type { RelayStore } from '../storage/relay-store';
import type { RelayLimits } from './relay-limits';

/**
 * Deletes uploads that were announced and never finished (`uploadExpiryMs` after their
 * announcement), with their bytes, so that an abandoned or hostile upload frees the recipient's
 * quota and the sender's open-upload slot. Runs at start and every `uploadSweepIntervalMs`.
 */
export class UploadExpiry {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;

  constructor(
    private readonly store: RelayStore,
    private readonly limits: Pick<RelayLimits, 'uploadExpiryMs' | 'uploadSweepIntervalMs'>,
    private readonly log: (line: string) => void,
    private readonly now: () => number = Date.now,
  ) {}

  /** One sweep; a sweep already under way is joined rather than doubled. */
  sweep(): Promise<void> {
    this.running ??= (async () => {
      try {
        const expired = await this.store.expireUploads(this.now() - this.limits.uploadExpiryMs);
        for (const id of expired) await this.store.blobs.delete(id);
        if (expired.length > 0) this.log(`expired ${expired.length} unfinished upload(s)`);
      } catch (e) {
        this.log(`fault upload expiry: ${e instanceof Error ? e.name : 'non-error thrown'}`);
      } finally {
        this.running = undefined;
      }
    })();
    return this.running;
  }

  start(): void {
    this.timer = setInterval(() => void this.sweep(), this.limits.uploadSweepIntervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }
}
